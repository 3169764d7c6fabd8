// The dashboard's token: made once, kept 0600 beside the daemon's state so only root (and whoever
// root shows it to) can open the dashboard, and the same link keeps working across restarts.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

export const TOKEN_FILE = 'web-token';

/** Reads <dir>/web-token, or writes a new random one (0600); a file readable by others is re-tightened. */
export function ensureToken(dir: string): string {
  const file = path.join(dir, TOKEN_FILE);
  try {
    const t = fs.readFileSync(file, 'utf8').trim();
    if (/^[0-9a-f]{64}$/.test(t)) {
      fs.chmodSync(file, 0o600);
      return t;
    }
  } catch {
    /* none yet */
  }
  const t = randomBytes(32).toString('hex');
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, t + '\n', { mode: 0o600 });
  fs.renameSync(tmp, file);
  return t;
}

/** Constant-time comparison of a presented token with the real one. */
export function tokenMatches(given: string | undefined | null, token: string): boolean {
  if (!given) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}
