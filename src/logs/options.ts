// Log driver names and options: defaults, merging with the daemon's, and Docker's validation texts.
import fs from 'node:fs';
import { EngineError, invalid } from '../errdefs.js';
import { linearRegExp } from '../util/linear-regexp.js';
import { fluentdOptions } from './fluentd.js';

export interface LogConfig {
  Type: string;
  Config: Record<string, string>;
}

export const LOG_DRIVERS = ['json-file', 'local', 'syslog', 'gelf', 'fluentd', 'none', 'k8s-file'] as const;
export type LogDriverName = (typeof LOG_DRIVERS)[number];

const COMMON = ['tag', 'labels', 'labels-regex', 'env', 'env-regex'];
const KNOWN: Record<LogDriverName, string[]> = {
  'json-file': ['max-file', 'max-size', 'compress', ...COMMON],
  local: ['max-file', 'max-size', 'compress'],
  syslog: [
    'syslog-address',
    'syslog-facility',
    'syslog-format',
    'syslog-tls-ca-cert',
    'syslog-tls-cert',
    'syslog-tls-key',
    'syslog-tls-skip-verify',
    ...COMMON,
  ],
  gelf: ['gelf-address', 'gelf-compression-type', 'gelf-compression-level', 'gelf-tcp-max-reconnect', 'gelf-tcp-reconnect-delay', ...COMMON],
  fluentd: [], // fluentdOptions checks its keys
  none: [],
  'k8s-file': ['max-size', ...COMMON],
};

export function isLogDriver(t: string): t is LogDriverName {
  return (LOG_DRIVERS as readonly string[]).includes(t);
}

/**
 * Docker's mergeAndVerifyLogConfig: an empty type takes the daemon's default, and the daemon's
 * options fill in keys the container did not set when the types agree. Throws on bad options.
 */
export function mergeLogConfig(cfg: Partial<LogConfig> | null | undefined, daemon: LogConfig): LogConfig {
  const out: LogConfig = { Type: cfg?.Type || daemon.Type, Config: { ...(cfg?.Config ?? {}) } };
  if (out.Type === daemon.Type) for (const [k, v] of Object.entries(daemon.Config)) if (!(k in out.Config)) out.Config[k] = v;
  validateLogConfig(out);
  return out;
}

export function validateLogConfig(cfg: LogConfig): void {
  const t = cfg.Type;
  if (!isLogDriver(t)) throw invalid(`logger: no log driver named '${t}' is registered`);
  if (t === 'gelf') return void gelfOptions(cfg); // Docker checks the address before the keys
  if (t === 'fluentd') return void fluentdOptions(cfg);
  for (const k of Object.keys(cfg.Config)) if (!KNOWN[t].includes(k)) throw invalid(`unknown log opt '${k}' for ${t} log driver`);
  for (const k of ['labels-regex', 'env-regex'] as const) if (cfg.Config[k]) logOptRegExp(cfg.Config, k);
  if (t === 'json-file' || t === 'local' || t === 'k8s-file') fileOptions(cfg);
  if (t === 'syslog') syslogOptions(cfg, 'berth');
}

/** A `labels-regex`/`env-regex` option compiled like Go's regexp: linear time (a container's
 *  log options must not stall the daemon), and an invalid pattern is the client's error. */
export function logOptRegExp(c: Record<string, string>, k: 'labels-regex' | 'env-regex'): RegExp {
  const re = linearRegExp(c[k] ?? '');
  if (!re) throw invalid(`error parsing regexp in log opt ${k}: ${JSON.stringify(c[k])}`);
  return re;
}

/** go-units RAMInBytes/FromHumanSize as Docker uses it for max-size: "10k", "1m", "1.5g", "100". */
export function parseSize(s: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([kmgtp]?)(i?b)?$/i.exec(s.trim());
  if (!m) throw invalid(`invalid size: '${s}'`);
  const mult = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4, p: 1024 ** 5 }[m[2]!.toLowerCase() as '' | 'k'];
  return Math.floor(Number(m[1]) * mult);
}

export interface FileOptions {
  /** Bytes per file; -1 = unlimited. */
  maxSize: number;
  maxFile: number;
  compress: boolean;
}

export function fileOptions(cfg: LogConfig): FileOptions {
  const local = cfg.Type === 'local';
  const c = cfg.Config;
  let maxSize = local ? 20 * 1024 * 1024 : -1;
  if (c['max-size'] !== undefined && c['max-size'] !== '') {
    maxSize = parseSize(c['max-size']);
    if (local && maxSize <= 0) throw invalid('max-size must be a positive number');
  }
  let maxFile = local ? 5 : 1;
  if (c['max-file'] !== undefined && c['max-file'] !== '') {
    if (!/^-?\d+$/.test(c['max-file'])) throw invalid(`strconv.Atoi: parsing "${c['max-file']}": invalid syntax`);
    maxFile = Number(c['max-file']);
    if (maxFile < 1) throw invalid('max-file cannot be less than 1');
  }
  let compress = local && maxFile >= 2; // Docker's local driver compresses rotated files by default
  if (c.compress !== undefined && c.compress !== '') {
    if (!/^(1|t|T|TRUE|true|True|0|f|F|FALSE|false|False)$/.test(c.compress))
      throw invalid(`error parsing compress log option: strconv.ParseBool: parsing "${c.compress}": invalid syntax`);
    compress = /^(1|t|true)$/i.test(c.compress);
    if (compress && maxFile < 2) throw invalid('compress cannot be true when max-file is less than 2');
  }
  return { maxSize, maxFile, compress };
}

// ---------------------------------------------------------------- syslog

const FACILITIES: Record<string, number> = {
  kern: 0, user: 1, mail: 2, daemon: 3, auth: 4, syslog: 5, lpr: 6, news: 7, uucp: 8, cron: 9, authpriv: 10, ftp: 11,
  local0: 16, local1: 17, local2: 18, local3: 19, local4: 20, local5: 21, local6: 22, local7: 23,
};

export type SyslogFormat = 'unix' | 'rfc3164' | 'rfc5424' | 'rfc5424micro';

export interface SyslogOptions {
  /** 'udp' | 'tcp' | 'tcp+tls' | 'unix' | 'unixgram'; address is host:port or a socket path. */
  proto: string;
  address: string;
  facility: number;
  format: SyslogFormat;
  /** Octet-counting framing (RFC 5425) instead of newline-terminated messages. */
  lengthFramed: boolean;
  tlsSkipVerify: boolean;
  tlsCa?: string;
  tlsCert?: string;
  tlsKey?: string;
}

export function parseFacility(s: string | undefined): number {
  if (s === undefined || s === '') return FACILITIES.daemon!;
  if (s in FACILITIES) return FACILITIES[s]!;
  if (/^\d+$/.test(s) && Number(s) <= 23) return Number(s);
  throw invalid('invalid syslog facility');
}

const LOCAL_SOCKETS = ['/dev/log', '/var/run/syslog', '/var/run/log'];

/** A log driver's address as Go's url.ParseRequestURI sees it, with Docker's text when it does not parse. */
export function parseAddressUrl(a: string): { u: URL; scheme: string } {
  let u: URL;
  try {
    u = new URL(a);
  } catch (e) {
    throw invalid(`parse "${a}": invalid URI for request`, e);
  }
  return { u, scheme: u.protocol.replace(/:$/, '') };
}

/** Docker's parseAddress: "" is the local syslog socket; udp/tcp default to port 514. */
export function parseSyslogAddress(a: string | undefined): { proto: string; address: string } {
  if (a === undefined || a === '') {
    const sock = LOCAL_SOCKETS.find((p) => fs.existsSync(p)) ?? '/dev/log';
    return { proto: 'unix', address: sock };
  }
  const { u, scheme } = parseAddressUrl(a);
  if (scheme === 'unix' || scheme === 'unixgram') {
    if (!fs.existsSync(u.pathname)) throw invalid(`stat ${u.pathname}: no such file or directory`);
    return { proto: scheme, address: u.pathname };
  }
  if (scheme === 'udp' || scheme === 'tcp' || scheme === 'tcp+tls') {
    if (!u.hostname) throw invalid(`parse "${a}": missing host`);
    return { proto: scheme, address: `${u.hostname}:${u.port || '514'}` };
  }
  throw invalid(`unsupported scheme: '${scheme}'`);
}

export function syslogOptions(cfg: LogConfig, _daemon: string): SyslogOptions {
  const c = cfg.Config;
  const { proto, address } = parseSyslogAddress(c['syslog-address']);
  const facility = parseFacility(c['syslog-facility']);
  const f = c['syslog-format'] ?? '';
  if (!['', 'rfc3164', 'rfc5424', 'rfc5424micro'].includes(f)) throw invalid(`Invalid syslog format: ${f}`);
  const skip = c['syslog-tls-skip-verify'];
  if (skip !== undefined && skip !== '' && !/^(1|t|true|0|f|false)$/i.test(skip))
    throw invalid(`strconv.ParseBool: parsing "${skip}": invalid syntax`);
  for (const k of ['syslog-tls-ca-cert', 'syslog-tls-cert', 'syslog-tls-key'] as const)
    if (c[k] && proto === 'tcp+tls' && !fs.existsSync(c[k]!)) throw invalid(`open ${c[k]}: no such file or directory`);
  return {
    proto,
    address,
    facility,
    format: f === '' ? 'unix' : (f as SyslogFormat),
    lengthFramed: proto === 'tcp+tls' && f.startsWith('rfc5424'),
    tlsSkipVerify: skip !== undefined && /^(1|t|true)$/i.test(skip),
    tlsCa: c['syslog-tls-ca-cert'],
    tlsCert: c['syslog-tls-cert'],
    tlsKey: c['syslog-tls-key'],
  };
}

// ---------------------------------------------------------------- tag

export interface TagInfo {
  id: string;
  name: string;
  image: string;
  imageId: string;
  daemonName: string;
}

/** Expands Docker's log tag template; the default is the short container id. */
export function expandTag(template: string | undefined, i: TagInfo): string {
  const t = template === undefined || template === '' ? '{{.ID}}' : template;
  const imgHex = i.imageId.replace(/^sha256:/, '');
  const fields: Record<string, string> = {
    ID: i.id.slice(0, 12),
    FullID: i.id,
    Name: i.name.replace(/^\//, ''),
    ImageName: i.image,
    ImageID: imgHex.slice(0, 12),
    ImageFullID: i.imageId,
    DaemonName: i.daemonName,
  };
  return t.replace(/\{\{\s*\.(\w+)\s*\}\}/g, (all, k: string) => {
    if (Object.hasOwn(fields, k)) return fields[k]!;
    throw new EngineError('invalid', `template: log-tag:1: can't evaluate field ${k} in type *logger.Info`);
  });
}

// ---------------------------------------------------------------- gelf

export interface GelfOptions {
  proto: 'udp' | 'tcp';
  host: string;
  port: number;
  compression: 'gzip' | 'zlib' | 'none';
  /** zlib level, -1 (default) … 9; go-gelf's default is 1 (best speed). */
  level: number;
  maxReconnect: number;
  reconnectDelayMs: number;
}

/** Docker's gelf ValidateLogOpt and parseAddress, with their texts, in their order. */
export function gelfOptions(cfg: LogConfig): GelfOptions {
  const c = cfg.Config;
  const a = c['gelf-address'];
  if (a === undefined || a === '') throw invalid('gelf-address is a required parameter');
  let u: URL;
  try {
    u = new URL(a);
  } catch (e) {
    // Go's url.Parse: "host:port" without a scheme is a path whose first segment has a colon
    if (/^[^/]*:/.test(a)) throw invalid(`parse "${a}": first path segment in URL cannot contain colon`, e);
    throw invalid('gelf: endpoint needs to be TCP or UDP', e);
  }
  const scheme = u.protocol.replace(/:$/, '');
  if (scheme !== 'udp' && scheme !== 'tcp') throw invalid('gelf: endpoint needs to be TCP or UDP');
  if (!u.hostname || !u.port) throw invalid('gelf: please provide gelf-address as proto://host:port');
  const out: GelfOptions = {
    proto: scheme,
    host: u.hostname.replace(/^\[|\]$/g, ''),
    port: Number(u.port),
    compression: 'gzip',
    level: 1,
    maxReconnect: 3,
    reconnectDelayMs: 1000,
  };
  for (const [k, v] of Object.entries(c)) {
    switch (k) {
      case 'gelf-address':
      case 'tag':
      case 'labels':
      case 'labels-regex':
      case 'env':
      case 'env-regex':
        break;
      case 'gelf-compression-level': {
        if (scheme !== 'udp') throw invalid('compression is only supported on UDP');
        if (!/^[+-]?\d+$/.test(v) || Number(v) < -1 || Number(v) > 9) throw invalid(`unknown value "${v}" for log opt "${k}" for gelf log driver`);
        out.level = Number(v);
        break;
      }
      case 'gelf-compression-type':
        if (scheme !== 'udp') throw invalid('compression is only supported on UDP');
        if (v !== 'gzip' && v !== 'zlib' && v !== 'none') throw invalid(`unknown value "${v}" for log opt "${k}" for gelf log driver`);
        out.compression = v;
        break;
      case 'gelf-tcp-max-reconnect':
      case 'gelf-tcp-reconnect-delay':
        if (scheme !== 'tcp') throw invalid(`"${k}" is only valid for TCP`);
        if (!/^[+-]?\d+$/.test(v) || Number(v) < 0) throw invalid(`"${k}" must be a positive integer`);
        if (k === 'gelf-tcp-max-reconnect') out.maxReconnect = Number(v);
        else out.reconnectDelayMs = Number(v) * 1000;
        break;
      default:
        throw invalid(`unknown log opt '${k}' for gelf log driver`);
    }
  }
  return out;
}
