// The web dashboard of a test berthd started with `--web ADDR`: its login token, and a fetch of the
// Engine API behind it (/api) that logs in with the token as a Bearer.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Daemon } from './daemon.js';

/** The token berthd made at start, 0600 in its data root. */
export const webToken = (d: Daemon): string => readFileSync(join(d.dataRoot, 'web-token'), 'utf8').trim();

/** fetch(`${base}/api${path}`) with the token. */
export function webApi(d: Daemon, base: string): (path: string, init?: RequestInit) => Promise<Response> {
  return (path, init = {}) =>
    fetch(`${base}/api${path}`, { ...init, headers: { ...init.headers, authorization: `Bearer ${webToken(d)}` } });
}
