// Registry configuration: Distribution's config.yml shape (YAML or JSON), so a docker-registry
// config works unchanged, with command-line flags on top.
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import type { TokenOptions } from './auth.js';

export interface RegistryConfig {
  addr: string;
  root: string;
  deleteEnabled: boolean;
  readOnly: boolean;
  htpasswd?: { path: string; realm: string };
  token?: TokenOptions;
  tls?: { cert: string; key: string };
  /** Largest blob accepted (bytes); 0 means no limit. */
  maxBlobSize: number;
  logLevel: 'debug' | 'info' | 'warn' | 'error';
  accessLog: boolean;
  /** Seconds a request body may stall before the upload is dropped (slow clients). */
  bodyTimeout: number;
}

export const defaults: RegistryConfig = {
  addr: '127.0.0.1:5000',
  root: '/var/lib/berth-registry',
  deleteEnabled: false,
  readOnly: false,
  maxBlobSize: 0,
  logLevel: 'info',
  accessLog: true,
  bodyTimeout: 60,
};

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : {});
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/** Map a parsed Distribution-style document onto RegistryConfig. */
export function fromDocument(doc: unknown, base: RegistryConfig = defaults): RegistryConfig {
  const d = obj(doc);
  const c: RegistryConfig = { ...base };
  const http = obj(d.http);
  const storage = obj(d.storage);
  const auth = obj(d.auth);
  const log = obj(d.log);
  c.addr = str(http.addr) ?? c.addr;
  const tls = obj(http.tls);
  if (str(tls.certificate) && str(tls.key)) c.tls = { cert: str(tls.certificate)!, key: str(tls.key)! };
  c.root = str(obj(storage.filesystem).rootdirectory) ?? c.root;
  if (obj(storage.delete).enabled !== undefined) c.deleteEnabled = obj(storage.delete).enabled === true;
  const ro = obj(obj(obj(storage.maintenance).readonly));
  if (ro.enabled !== undefined) c.readOnly = ro.enabled === true;
  const ht = obj(auth.htpasswd);
  if (str(ht.path)) c.htpasswd = { path: str(ht.path)!, realm: str(ht.realm) ?? 'Registry Realm' };
  const tk = obj(auth.token);
  if (str(tk.realm)) {
    c.token = {
      realm: str(tk.realm)!,
      service: str(tk.service) ?? '',
      issuer: str(tk.issuer) ?? '',
      rootcertbundle: str(tk.rootcertbundle) ?? '',
    };
  }
  const lvl = str(log.level);
  if (lvl === 'debug' || lvl === 'info' || lvl === 'warn' || lvl === 'error') c.logLevel = lvl;
  if (obj(log.accesslog).disabled !== undefined) c.accessLog = obj(log.accesslog).disabled !== true;
  if (typeof d.maxblobsize === 'number') c.maxBlobSize = d.maxblobsize;
  if (typeof http.bodytimeout === 'number') c.bodyTimeout = http.bodytimeout;
  return c;
}

export function loadConfigFile(path: string, base: RegistryConfig = defaults): RegistryConfig {
  let doc: unknown;
  try {
    doc = parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new Error(`configuration error: ${path}: ${(e as Error).message}`);
  }
  return fromDocument(doc, base);
}

/** Split "host:port" (IPv6 in brackets allowed). */
export function splitAddr(addr: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d+)$/.exec(addr);
  if (!m) throw new Error(`invalid listen address: ${addr}`);
  return { host: m[1] ?? (m[2] || '127.0.0.1'), port: Number(m[3]) };
}
