// Who may use the dashboard: requests carry the token (cookie after a login, or Authorization:
// Bearer), and name this server in Host (a DNS-rebound name is refused) and, when they change
// something or open a websocket, in Origin (another site's page cannot drive the Engine API,
// which is root-equivalent).
import type { IncomingHttpHeaders } from 'node:http';
import { tokenMatches } from './token.js';

export const COOKIE = 'berth_web';

/** The Host values this server answers to: its listen address, plus localhost names on loopback. */
export function allowedHosts(host: string, port: number): Set<string> {
  const h = host.includes(':') ? `[${host}]` : host;
  const out = new Set([`${h}:${port}`]);
  if (isLoopback(host)) for (const n of ['localhost', '127.0.0.1', '[::1]']) out.add(`${n}:${port}`);
  return out;
}

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

export function cookieOf(header: string | undefined, name: string): string | null {
  for (const part of (header ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i > 0 && part.slice(0, i).trim() === name) return decodeURIComponent(part.slice(i + 1).trim());
  }
  return null;
}

/** True when the request presents the token (bearer header or login cookie). */
export function authenticated(headers: IncomingHttpHeaders, token: string): boolean {
  const bearer = /^Bearer\s+(\S+)$/i.exec(headers.authorization ?? '')?.[1];
  return tokenMatches(bearer, token) || tokenMatches(cookieOf(headers.cookie, COOKIE), token);
}

export type Verdict = { ok: true } | { ok: false; status: number; message: string };

/**
 * Host always names this server; an Origin, when sent, must be this server too. Browsers send
 * Origin on websocket upgrades and cross-site requests, so an upgrade without one is refused; a
 * plain request without one is a non-browser client (curl), which the token alone admits.
 */
export function checkOrigin(headers: IncomingHttpHeaders, upgrade: boolean, hosts: Set<string>): Verdict {
  const host = (headers.host ?? '').toLowerCase();
  if (!hosts.has(host)) return { ok: false, status: 421, message: `unknown host ${JSON.stringify(host)}` };
  const origin = headers.origin;
  if (origin === undefined)
    return upgrade ? { ok: false, status: 403, message: 'websocket without Origin' } : { ok: true };
  if (origin.toLowerCase() !== `http://${host}`)
    return { ok: false, status: 403, message: `cross-origin request from ${origin} refused` };
  return { ok: true };
}

export function loginCookie(token: string): string {
  return `${COOKIE}=${token}; HttpOnly; SameSite=Strict; Path=/`;
}
