// The API sockets: unix:// hosts only, 0660 and owned by the berth group (like docker.sock), a
// stale socket file replaced but a live daemon's never taken over.
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import { createConnection } from 'node:net';
import path from 'node:path';
import { conflict, invalid } from '../errdefs.js';
import type { Log } from './logger.js';

/** The socket path of a unix:// host, or null for any other scheme. */
export function unixSocketOf(host: string): string | null {
  return /^unix:\/\/(.+)$/.exec(host)?.[1] ?? null;
}

/** The absolute socket paths of the unix:// hosts. */
export function socketPaths(hosts: string[]): string[] {
  return hosts.flatMap((h) => {
    const s = unixSocketOf(h);
    return s ? [path.resolve(s)] : [];
  });
}

/** True when something accepts connections on the socket (another daemon). */
export function socketAnswers(sock: string): Promise<boolean> {
  return new Promise((resolve) => {
    const c = createConnection(sock);
    c.once('connect', () => {
      c.destroy();
      resolve(true);
    });
    c.once('error', () => resolve(false));
  });
}

/** A group's gid from a number or a name in /etc/group; null when unknown. */
export function groupId(name: string, groupFile = '/etc/group'): number | null {
  if (/^\d+$/.test(name)) return Number(name);
  try {
    for (const line of fs.readFileSync(groupFile, 'utf8').split('\n')) {
      const f = line.split(':');
      if (f[0] === name) return Number(f[2]);
    }
  } catch {
    /* none */
  }
  return null;
}

/** Listens on every host; returns the socket paths (removed again at shutdown). */
export async function listenAll(
  server: { listen(sock: string): Promise<void> },
  hosts: string[],
  group: string,
  log: Log,
): Promise<string[]> {
  const sockets: string[] = [];
  for (const h of hosts) {
    const sock = unixSocketOf(h);
    if (!sock) throw invalid(`unsupported host ${h}: only unix:// sockets are served`);
    await fsp.mkdir(path.dirname(sock), { recursive: true });
    if (fs.existsSync(sock)) {
      if (await socketAnswers(sock)) throw conflict(`another daemon is already listening on ${sock}`);
      await fsp.rm(sock, { force: true });
    }
    await server.listen(sock);
    await fsp.chmod(sock, 0o660);
    const gid = groupId(group);
    if (gid !== null) await fsp.chown(sock, 0, gid).catch(() => {});
    sockets.push(sock);
    log('info', `API listen on ${sock}`);
  }
  return sockets;
}
