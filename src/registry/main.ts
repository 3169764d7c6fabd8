// Entry points behind `berth registry serve` and `berth registry gc`: options in, exit code out.
import { fromDocument, defaults, loadConfigFile, type RegistryConfig } from './config.js';
import { garbageCollect } from './gc.js';
import { jsonLines, startRegistry, type RunningRegistry } from './serve.js';
import { RegistryStorage } from './storage.js';

export interface RegistryFlags {
  config?: string;
  addr?: string;
  root?: string;
  htpasswd?: string;
  tlsCert?: string;
  tlsKey?: string;
  readOnly?: boolean;
  delete?: boolean;
  logLevel?: string;
}

/** Config file first (if any), then flags on top. */
export function resolveConfig(f: RegistryFlags): RegistryConfig {
  let c = f.config ? loadConfigFile(f.config) : fromDocument({}, defaults);
  c = { ...c };
  if (f.addr) c.addr = f.addr;
  if (f.root) c.root = f.root;
  if (f.htpasswd) c.htpasswd = { path: f.htpasswd, realm: c.htpasswd?.realm ?? 'Registry Realm' };
  if (f.tlsCert || f.tlsKey) {
    if (!f.tlsCert || !f.tlsKey) throw new Error('--tls-cert and --tls-key must be given together');
    c.tls = { cert: f.tlsCert, key: f.tlsKey };
  }
  if (f.readOnly) c.readOnly = true;
  if (f.delete) c.deleteEnabled = true;
  if (f.logLevel === 'debug' || f.logLevel === 'info' || f.logLevel === 'warn' || f.logLevel === 'error')
    c.logLevel = f.logLevel;
  return c;
}

export interface Io {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

/** Serve until SIGINT/SIGTERM (or `stop` aborts), then close and return 0. */
export async function serve(f: RegistryFlags, io: Io, stop?: AbortSignal): Promise<number> {
  let c: RegistryConfig;
  try {
    c = resolveConfig(f);
  } catch (e) {
    io.stderr.write(`registry: ${(e as Error).message}\n`);
    return 1;
  }
  const sink = jsonLines(io.stderr);
  const quiet = c.logLevel === 'error' || c.logLevel === 'warn';
  let reg: RunningRegistry;
  try {
    // The "listening" line is always printed: it tells scripts the bound address.
    reg = await startRegistry({ ...c, accessLog: c.accessLog && !quiet }, sink);
  } catch (e) {
    io.stderr.write(`registry: ${(e as Error).message}\n`);
    return 1;
  }
  await new Promise<void>((resolve) => {
    const done = () => resolve();
    process.once('SIGINT', done);
    process.once('SIGTERM', done);
    stop?.addEventListener('abort', done, { once: true });
  });
  await reg.close();
  return 0;
}

export async function gc(f: RegistryFlags & { dryRun?: boolean; deleteUntagged?: boolean }, io: Io): Promise<number> {
  const c = resolveConfig(f);
  const s = new RegistryStorage(c.root);
  await s.init();
  const r = await garbageCollect(s, {
    dryRun: f.dryRun,
    deleteUntagged: f.deleteUntagged,
    log: (l) => io.stdout.write(l + '\n'),
  });
  const bytes = r.swept.reduce((a, b) => a + b.size, 0);
  io.stdout.write(`${f.dryRun ? 'would free' : 'freed'} ${bytes} bytes in ${r.swept.length} blobs\n`);
  return 0;
}
