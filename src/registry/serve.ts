// Start the registry: storage, auth, HTTP or HTTPS listener, JSON-lines logs on a stream.
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { HtpasswdAuth, TokenAuth, type Authorizer } from './auth.js';
import { splitAddr, type RegistryConfig } from './config.js';
import { createRegistryHandler } from './server.js';
import { RegistryStorage } from './storage.js';

export interface RunningRegistry {
  server: Server;
  storage: RegistryStorage;
  /** "host:port" actually bound (port 0 resolves here). */
  address: string;
  close(): Promise<void>;
}

export type LogSink = (line: Record<string, unknown>) => void;

export function jsonLines(out: NodeJS.WritableStream): LogSink {
  return (line) => out.write(JSON.stringify(line) + '\n');
}

export async function startRegistry(c: RegistryConfig, log: LogSink = () => {}): Promise<RunningRegistry> {
  const storage = new RegistryStorage(c.root, { maxBlobSize: c.maxBlobSize });
  await storage.init();
  let auth: Authorizer | undefined;
  if (c.token) auth = new TokenAuth(c.token);
  else if (c.htpasswd) auth = new HtpasswdAuth(c.htpasswd.path, c.htpasswd.realm);
  const handler = createRegistryHandler({
    storage,
    deleteEnabled: c.deleteEnabled,
    readOnly: c.readOnly,
    auth,
    bodyTimeoutMs: c.bodyTimeout * 1000,
    accessLog: c.accessLog ? (e) => log({ ...e }) : undefined,
  });
  const server: Server = c.tls
    ? (createTlsServer({ cert: readFileSync(c.tls.cert), key: readFileSync(c.tls.key) }, handler) as unknown as Server)
    : createServer(handler);
  // Long uploads are fine as long as bytes keep coming: no whole-request deadline, only idleness.
  server.requestTimeout = 0;
  server.timeout = c.bodyTimeout * 1000;
  server.keepAliveTimeout = 30_000;
  const { host, port } = splitAddr(c.addr);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const a = server.address() as AddressInfo;
  const address = `${a.family === 'IPv6' ? `[${a.address}]` : a.address}:${a.port}`;
  log({
    time: new Date().toISOString(),
    level: 'info',
    msg: 'listening',
    addr: address,
    tls: Boolean(c.tls),
    root: c.root,
    readOnly: c.readOnly,
    delete: c.deleteEnabled,
    auth: c.token ? 'token' : c.htpasswd ? 'htpasswd' : 'none',
  });
  return {
    server,
    storage,
    address,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
