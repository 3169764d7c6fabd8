// Serving: the API sockets, the pidfile, and going down on a signal (daemon/shutdown.ts).
import fsp from 'node:fs/promises';
import path from 'node:path';
import type { ApiServer } from '../api/server.js';
import { listenAll } from './listen.js';
import type { Log } from './logger.js';
import type { Paths } from './paths.js';
import { installSignalHandlers, type ShutdownDeps } from './shutdown.js';

export interface ServeOptions {
  hosts: string[];
  group: string;
  version: string;
  log: Log;
}

export async function serve(
  api: ApiServer,
  o: ServeOptions,
  p: Paths,
  down: Pick<ShutdownDeps, 'stopTimers' | 'drain' | 'releaseLock'>,
): Promise<void> {
  const sockets = await listenAll(api, o.hosts, o.group, o.log);
  await fsp.mkdir(path.dirname(p.pidfile), { recursive: true });
  await fsp.writeFile(p.pidfile, String(process.pid));
  o.log('info', `berthd ${o.version} started (data-root ${p.dataRoot}, exec-root ${p.execRoot})`);
  installSignalHandlers({
    ...down,
    log: o.log,
    closeApi: () => {
      api.http.close();
      api.http.closeAllConnections?.();
    },
    files: [...sockets, p.pidfile],
  });
}
