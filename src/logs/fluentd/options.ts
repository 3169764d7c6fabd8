// The fluentd driver's options: Docker's ValidateLogOpt and parseAddress, with their texts.
import { invalid } from '../../errdefs.js';
import { parseGoDuration } from '../../util/go-duration.js';
import { parseAddressUrl, parseGoBool, type LogConfig } from '../common/config.js';

export interface FluentdOptions {
  proto: 'tcp' | 'unix' | 'tls';
  host: string;
  port: number;
  path: string;
  subSecond: boolean;
  requestAck: boolean;
  bufferLimit: number;
  retryWaitMs: number;
  maxRetries: number;
}

const KEYS = [
  'env',
  'env-regex',
  'labels',
  'labels-regex',
  'tag',
  'fluentd-address',
  'fluentd-async',
  'fluentd-async-connect',
  'fluentd-async-reconnect-interval',
  'fluentd-buffer-limit',
  'fluentd-max-retries',
  'fluentd-request-ack',
  'fluentd-retry-wait',
  'fluentd-sub-second-precision',
];

function bool(c: Record<string, string>, k: string): boolean {
  const v = c[k];
  if (v === undefined || v === '') return false;
  return parseGoBool(v);
}

/** Go's time.ParseDuration (Docker parses these options with it), in milliseconds. */
function duration(v: string): number {
  try {
    return parseGoDuration(v) / 1e6;
  } catch (e) {
    throw invalid((e as Error).message, e);
  }
}

/** Docker's fluentd ValidateLogOpt + parseAddress, with their texts. */
export function fluentdOptions(cfg: LogConfig): FluentdOptions {
  const c = cfg.Config;
  for (const k of Object.keys(c)) if (!KEYS.includes(k)) throw invalid(`unknown log opt '${k}' for fluentd log driver`);
  const o: FluentdOptions = {
    proto: 'tcp',
    host: '127.0.0.1',
    port: 24224,
    path: '',
    subSecond: false,
    requestAck: false,
    bufferLimit: 1024 * 1024,
    retryWaitMs: 1000,
    maxRetries: 2 ** 31 - 1,
  };
  let a = c['fluentd-address'] ?? '';
  if (a !== '') {
    if (!a.includes('://')) a = `tcp://${a}`;
    const { u, scheme } = parseAddressUrl(a);
    if (scheme === 'unix') {
      if (u.pathname.replace(/^\/+/, '') === '') throw invalid('path is empty');
      o.proto = 'unix';
      o.path = u.pathname;
    } else if (scheme === 'tcp' || scheme === 'tls') {
      if (u.pathname !== '' && u.pathname !== '/') throw invalid('should not contain a path element');
      o.proto = scheme;
      if (u.hostname) o.host = u.hostname.replace(/^\[|\]$/g, '');
      if (u.port) o.port = Number(u.port);
    } else throw invalid(`unsupported scheme: '${scheme}'`);
  }
  if (c['fluentd-buffer-limit']) {
    if (!/^\d+$/.test(c['fluentd-buffer-limit']))
      throw invalid(`strconv.Atoi: parsing "${c['fluentd-buffer-limit']}": invalid syntax`);
    o.bufferLimit = Number(c['fluentd-buffer-limit']);
  }
  if (c['fluentd-retry-wait']) o.retryWaitMs = duration(c['fluentd-retry-wait']);
  if (c['fluentd-max-retries']) {
    if (!/^\d+$/.test(c['fluentd-max-retries']))
      throw invalid(`strconv.ParseUint: parsing "${c['fluentd-max-retries']}": invalid syntax`);
    o.maxRetries = Number(c['fluentd-max-retries']);
  }
  bool(c, 'fluentd-async');
  bool(c, 'fluentd-async-connect');
  o.subSecond = bool(c, 'fluentd-sub-second-precision');
  o.requestAck = bool(c, 'fluentd-request-ack');
  if (c['fluentd-async-reconnect-interval']) {
    const ms = duration(c['fluentd-async-reconnect-interval']);
    if (ms < 100 || ms > 10_000)
      throw invalid(`invalid value for fluentd-async-reconnect-interval: ${c['fluentd-async-reconnect-interval']}`);
  }
  return o;
}
