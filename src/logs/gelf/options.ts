// The gelf driver's options, with Docker's texts in Docker's order.
import { invalid } from '../../errdefs.js';
import type { LogConfig } from '../common/config.js';

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
        if (!/^[+-]?\d+$/.test(v) || Number(v) < -1 || Number(v) > 9)
          throw invalid(`unknown value "${v}" for log opt "${k}" for gelf log driver`);
        out.level = Number(v);
        break;
      }
      case 'gelf-compression-type':
        if (scheme !== 'udp') throw invalid('compression is only supported on UDP');
        if (v !== 'gzip' && v !== 'zlib' && v !== 'none')
          throw invalid(`unknown value "${v}" for log opt "${k}" for gelf log driver`);
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
