// Registry credentials: the X-Registry-Auth header the docker CLI sends (base64url JSON of an
// AuthConfig) and the WWW-Authenticate challenges a registry answers with.

export interface AuthConfig {
  username?: string;
  password?: string;
  auth?: string;
  serveraddress?: string;
  identitytoken?: string;
  registrytoken?: string;
}

/** Decode X-Registry-Auth (base64url or std base64, JSON). Garbage decodes to no credentials, as Docker. */
export function decodeAuthHeader(h: string | string[] | undefined): AuthConfig | undefined {
  const v = Array.isArray(h) ? h[0] : h;
  if (!v) return undefined;
  try {
    const json = Buffer.from(v.replace(/-/g, '+').replace(/_/g, '/'), 'base64').toString('utf8');
    const o = JSON.parse(json) as Record<string, unknown>;
    if (!o || typeof o !== 'object') return undefined;
    const a: AuthConfig = {};
    for (const k of ['username', 'password', 'auth', 'serveraddress', 'identitytoken', 'registrytoken'] as const) {
      const x = o[k] ?? o[k[0].toUpperCase() + k.slice(1)];
      if (typeof x === 'string' && x) a[k] = x;
    }
    if (!a.username && a.auth) {
      const s = Buffer.from(a.auth, 'base64').toString('utf8');
      const i = s.indexOf(':');
      if (i > 0) {
        a.username = s.slice(0, i);
        a.password = s.slice(i + 1);
      }
    }
    return Object.keys(a).length ? a : undefined;
  } catch {
    return undefined;
  }
}

export interface Challenge {
  scheme: string; // lower-case: "basic" | "bearer"
  params: Record<string, string>;
}

/** Parse `Bearer realm="…",service="…",scope="…"` (one challenge per header line). */
export function parseChallenges(header: string | string[] | undefined): Challenge[] {
  const out: Challenge[] = [];
  for (const h of Array.isArray(header) ? header : header ? [header] : []) {
    const m = /^\s*([A-Za-z][\w-]*)\s*(.*)$/s.exec(h);
    if (!m) continue;
    const params: Record<string, string> = {};
    for (const p of m[2].matchAll(/([\w-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^,\s]*))/g)) {
      params[p[1].toLowerCase()] = p[2] !== undefined ? p[2].replace(/\\(.)/g, '$1') : (p[3] ?? '');
    }
    out.push({ scheme: m[1].toLowerCase(), params });
  }
  return out;
}

export function basicAuth(a: AuthConfig): string | undefined {
  if (!a.username) return undefined;
  return 'Basic ' + Buffer.from(`${a.username}:${a.password ?? ''}`).toString('base64');
}
