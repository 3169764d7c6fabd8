// Access control: htpasswd (bcrypt) basic auth, or bearer tokens from a token realm (JWT signed
// by a key whose certificate is in `rootcertbundle`, as Distribution's token auth).
import bcrypt from 'bcryptjs';
import { X509Certificate, createPublicKey, verify as cryptoVerify, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { regErr, type RegistryError } from './errors.js';

/** What a request wants: repository scope (name + actions) or the catalog. */
export interface Access {
  type: 'repository' | 'registry';
  name: string;
  actions: string[];
}

export interface Authorizer {
  /** Returns the user name, or throws UNAUTHORIZED with a challenge header. */
  authorize(authorization: string | undefined, access: Access[]): Promise<string | undefined>;
}

export class HtpasswdAuth implements Authorizer {
  private users = new Map<string, string>();
  private cache = new Map<string, boolean>();
  private loadedAt = 0;

  constructor(
    readonly path: string,
    readonly realm = 'Registry Realm',
  ) {
    this.load();
  }

  private load(): void {
    const users = new Map<string, string>();
    for (const line of readFileSync(this.path, 'utf8').split('\n')) {
      const t = line.trim();
      if (!t || t.startsWith('#')) continue;
      const i = t.indexOf(':');
      if (i > 0) users.set(t.slice(0, i), t.slice(i + 1));
    }
    this.users = users;
    this.cache.clear();
    this.loadedAt = Date.now();
  }

  async authorize(authorization: string | undefined): Promise<string | undefined> {
    if (Date.now() - this.loadedAt > 5000) this.load();
    const challenge = { 'WWW-Authenticate': `Basic realm="${this.realm}"` };
    const m = /^Basic\s+(\S+)$/i.exec(authorization ?? '');
    if (!m) throw withHeaders(regErr('UNAUTHORIZED', null), challenge);
    const plain = Buffer.from(m[1], 'base64').toString('utf8');
    const i = plain.indexOf(':');
    const user = i < 0 ? plain : plain.slice(0, i);
    const pass = i < 0 ? '' : plain.slice(i + 1);
    const hash = this.users.get(user);
    // bcrypt is slow on purpose; remember verdicts for the exact credentials (docker sends them on every request).
    const key = `${m[1]}\0${hash ?? ''}`;
    let ok = this.cache.get(key);
    if (ok === undefined) {
      ok =
        hash !== undefined &&
        /^\$2[abxy]\$/.test(hash) &&
        (await bcrypt.compare(pass, hash.replace(/^\$2y\$/, '$2b$')));
      if (this.cache.size > 1000) this.cache.clear();
      this.cache.set(key, ok);
    }
    if (!ok) throw withHeaders(regErr('UNAUTHORIZED', null), challenge);
    return user;
  }
}

export interface TokenOptions {
  realm: string;
  service: string;
  issuer: string;
  rootcertbundle: string;
}

/** Bearer tokens: JWS (RS256/ES256/PS256…) checked against the bundle's public keys. */
export class TokenAuth implements Authorizer {
  private keys: KeyObject[];

  constructor(readonly o: TokenOptions) {
    const pem = readFileSync(o.rootcertbundle, 'utf8');
    const certs = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
    const keys = pem.match(/-----BEGIN PUBLIC KEY-----[\s\S]+?-----END PUBLIC KEY-----/g) ?? [];
    this.keys = [...certs.map((c) => new X509Certificate(c).publicKey), ...keys.map((k) => createPublicKey(k))];
    if (this.keys.length === 0) throw new Error(`token auth: no certificate in ${o.rootcertbundle}`);
  }

  private challenge(access: Access[], error?: string): Record<string, string> {
    let v = `Bearer realm="${this.o.realm}",service="${this.o.service}"`;
    const scope = access.map((a) => `${a.type}:${a.name}:${a.actions.join(',')}`).join(' ');
    if (scope) v += `,scope="${scope}"`;
    if (error) v += `,error="${error}"`;
    return { 'WWW-Authenticate': v };
  }

  async authorize(authorization: string | undefined, access: Access[]): Promise<string | undefined> {
    const m = /^Bearer\s+(\S+)$/i.exec(authorization ?? '');
    if (!m) throw withHeaders(regErr('UNAUTHORIZED', null), this.challenge(access));
    let claims: JwtClaims;
    try {
      claims = verifyJwt(m[1], this.keys);
    } catch {
      throw withHeaders(regErr('UNAUTHORIZED', null), this.challenge(access, 'invalid_token'));
    }
    const now = Date.now() / 1000;
    const aud = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
    const valid =
      claims.iss === this.o.issuer &&
      aud.includes(this.o.service) &&
      (claims.exp === undefined || claims.exp + 60 >= now) &&
      (claims.nbf === undefined || claims.nbf - 60 <= now);
    if (!valid) throw withHeaders(regErr('UNAUTHORIZED', null), this.challenge(access, 'invalid_token'));
    for (const want of access) {
      const granted = (claims.access ?? [])
        .filter((g) => g.type === want.type && g.name === want.name)
        .flatMap((g) => g.actions ?? []);
      for (const a of want.actions) {
        if (!granted.includes(a) && !granted.includes('*')) {
          throw withHeaders(
            regErr('DENIED', null, { status: 401, message: 'insufficient scope' }),
            this.challenge(access, 'insufficient_scope'),
          );
        }
      }
    }
    return claims.sub;
  }
}

interface JwtClaims {
  iss?: string;
  sub?: string;
  aud?: string | string[];
  exp?: number;
  nbf?: number;
  access?: { type: string; name: string; actions?: string[] }[];
}

const ALGS: Record<string, { hash: string; pss?: boolean; ec?: boolean }> = {
  RS256: { hash: 'sha256' },
  RS384: { hash: 'sha384' },
  RS512: { hash: 'sha512' },
  PS256: { hash: 'sha256', pss: true },
  PS384: { hash: 'sha384', pss: true },
  PS512: { hash: 'sha512', pss: true },
  ES256: { hash: 'sha256', ec: true },
  ES384: { hash: 'sha384', ec: true },
  ES512: { hash: 'sha512', ec: true },
};

export function verifyJwt(token: string, keys: KeyObject[]): JwtClaims {
  const parts = token.split('.');
  if (parts.length !== 3) throw new Error('malformed token');
  const header = JSON.parse(Buffer.from(parts[0], 'base64url').toString('utf8'));
  const alg = ALGS[header.alg];
  if (!alg) throw new Error(`unsupported alg ${header.alg}`);
  const data = Buffer.from(`${parts[0]}.${parts[1]}`);
  const sig = Buffer.from(parts[2], 'base64url');
  const ok = keys.some((key) => {
    try {
      return cryptoVerify(
        alg.hash,
        data,
        {
          key,
          ...(alg.pss ? { padding: 6 /* RSA_PKCS1_PSS_PADDING */ } : {}),
          ...(alg.ec ? { dsaEncoding: 'ieee-p1363' as const } : {}),
        },
        sig,
      );
    } catch {
      return false;
    }
  });
  if (!ok) throw new Error('bad signature');
  return JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
}

export function withHeaders(e: RegistryError, headers: Record<string, string>): RegistryError {
  e.headers = headers;
  return e;
}
