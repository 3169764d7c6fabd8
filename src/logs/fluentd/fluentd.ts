// The fluentd driver: Docker's records ({container_id, container_name, source, log, …extra}) sent
// with the forward protocol, each as a msgpack [tag, time, record, option] over TCP or a unix
// socket, like fluent-logger-golang. Never blocks: output waits in a bounded queue while
// (re)connecting every fluentd-retry-wait and is dropped after fluentd-max-retries failures.
import net from 'node:net';
import tls from 'node:tls';
import { randomBytes } from 'node:crypto';
import { invalid } from '../errdefs.js';
import { EventTime, pack } from './msgpack.js';
import { parseAddressUrl, type LogConfig } from './options.js';
import { StreamLink } from './stream-link.js';

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
  'env', 'env-regex', 'labels', 'labels-regex', 'tag', 'fluentd-address', 'fluentd-async', 'fluentd-async-connect',
  'fluentd-async-reconnect-interval', 'fluentd-buffer-limit', 'fluentd-max-retries', 'fluentd-request-ack',
  'fluentd-retry-wait', 'fluentd-sub-second-precision',
];

function bool(c: Record<string, string>, k: string): boolean {
  const v = c[k];
  if (v === undefined || v === '') return false;
  if (!/^(1|t|T|TRUE|true|True|0|f|F|FALSE|false|False)$/.test(v)) throw invalid(`strconv.ParseBool: parsing "${v}": invalid syntax`);
  return /^(1|t|true)$/i.test(v);
}

/** Go's time.ParseDuration for the simple forms Docker users write ("1s", "500ms", "1m"). */
function duration(v: string): number {
  const m = /^(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)$/.exec(v);
  if (!m) throw invalid(`time: invalid duration "${v}"`);
  const unit = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2] as 'ms'];
  return Number(m[1]) * unit;
}

/** Docker's fluentd ValidateLogOpt + parseAddress, with their texts. */
export function fluentdOptions(cfg: LogConfig): FluentdOptions {
  const c = cfg.Config;
  for (const k of Object.keys(c)) if (!KEYS.includes(k)) throw invalid(`unknown log opt '${k}' for fluentd log driver`);
  const o: FluentdOptions = { proto: 'tcp', host: '127.0.0.1', port: 24224, path: '', subSecond: false, requestAck: false, bufferLimit: 1024 * 1024, retryWaitMs: 1000, maxRetries: 2 ** 31 - 1 };
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
    if (!/^\d+$/.test(c['fluentd-buffer-limit'])) throw invalid(`strconv.Atoi: parsing "${c['fluentd-buffer-limit']}": invalid syntax`);
    o.bufferLimit = Number(c['fluentd-buffer-limit']);
  }
  if (c['fluentd-retry-wait']) o.retryWaitMs = duration(c['fluentd-retry-wait']);
  if (c['fluentd-max-retries']) {
    if (!/^\d+$/.test(c['fluentd-max-retries'])) throw invalid(`strconv.ParseUint: parsing "${c['fluentd-max-retries']}": invalid syntax`);
    o.maxRetries = Number(c['fluentd-max-retries']);
  }
  bool(c, 'fluentd-async');
  bool(c, 'fluentd-async-connect');
  o.subSecond = bool(c, 'fluentd-sub-second-precision');
  o.requestAck = bool(c, 'fluentd-request-ack');
  if (c['fluentd-async-reconnect-interval']) {
    const ms = duration(c['fluentd-async-reconnect-interval']);
    if (ms < 100 || ms > 10_000) throw invalid(`invalid value for fluentd-async-reconnect-interval: ${c['fluentd-async-reconnect-interval']}`);
  }
  return o;
}

/** One forward-protocol message as fluent-logger-golang encodes it: [tag, time, record, option]. */
export function encodeFluentd(tag: string, timeNs: bigint, record: Record<string, string>, subSecond: boolean, chunk?: string): Buffer {
  const sec = Number(timeNs / 1_000_000_000n);
  const time = subSecond ? new EventTime(sec, Number(timeNs % 1_000_000_000n)) : sec;
  return pack([tag, time, record, chunk ? { chunk } : null]);
}

export interface FluentdInfo {
  id: string;
  /** As Docker sends it: with the leading "/". */
  name: string;
  tag: string;
  extra?: Record<string, string>;
}

export class FluentdSender {
  private readonly link: StreamLink;

  constructor(
    private readonly o: FluentdOptions,
    private readonly info: FluentdInfo,
  ) {
    this.link = new StreamLink({
      connect: () =>
        o.proto === 'unix'
          ? net.connect({ path: o.path })
          : o.proto === 'tls'
            ? tls.connect({ host: o.host, port: o.port, servername: net.isIP(o.host) ? undefined : o.host })
            : net.connect({ host: o.host, port: o.port }),
      readyEvent: o.proto === 'tls' ? 'secureConnect' : 'connect',
      maxQueue: Math.max(o.bufferLimit, 64 * 1024),
      retryMs: o.retryWaitMs,
      maxFailures: o.maxRetries,
    });
  }

  /** Messages given up (queue full, or the collector stayed away). */
  get dropped(): number {
    return this.link.dropped;
  }

  send(stream: 'stdout' | 'stderr', line: Buffer, timeNs: bigint, partial = false): void {
    let text = line.toString('utf8');
    if (!partial && text.endsWith('\n')) text = text.slice(0, -1);
    if (text === '' && !partial) return; // Docker's copier drops empty lines
    const record: Record<string, string> = { container_id: this.info.id, container_name: this.info.name, source: stream, log: text, ...(this.info.extra ?? {}) };
    if (partial) record.partial_message = 'true';
    this.link.write(encodeFluentd(this.info.tag, timeNs, record, this.o.subSecond, this.o.requestAck ? randomBytes(16).toString('base64') : undefined));
  }

  /** Resolves when the socket took what was queued (bounded memory in a flood). */
  drained(): Promise<void> {
    return this.link.drained();
  }

  close(timeoutMs = 2000): Promise<void> {
    return this.link.close(timeoutMs);
  }
}
