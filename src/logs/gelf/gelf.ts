// The gelf driver's sender (Graylog Extended Log Format), shaped like Docker's driver on go-gelf:
// UDP datagrams compressed (gzip by default, zlib, none) and chunked above 1420 bytes (magic
// 0x1e 0x0f, 8-byte id, sequence, count; at most 128 chunks); TCP as uncompressed JSON ended by
// a NUL byte. A dead endpoint never blocks: UDP is fire and forget, TCP output waits in a bounded
// queue while (re)connecting and is dropped when the endpoint stays away.
import { randomBytes } from 'node:crypto';
import dgram from 'node:dgram';
import net from 'node:net';
import os from 'node:os';
import { deflateSync, gzipSync } from 'node:zlib';
import type { GelfOptions } from './options.js';
import { StreamLink } from '../common/stream-link.js';

/** go-gelf's ChunkSize: a datagram never exceeds it (less than a 1500-byte MTU minus headers). */
export const CHUNK_SIZE = 1420;
const CHUNK_HEADER = 12;
const CHUNK_DATA = CHUNK_SIZE - CHUNK_HEADER;
const MAX_CHUNKS = 128;
const MAX_QUEUE = 4 * 1024 * 1024;
const NUL = Buffer.from([0]);

/** What Docker puts in every message's additional fields (`_container_id` …). */
export interface GelfInfo {
  id: string;
  name: string;
  imageId: string;
  image: string;
  /** Path + args, joined with spaces (logger.Info.Command). */
  command: string;
  tag: string;
  /** RFC 3339 creation time. */
  created: string;
  /** labels/env attributes (log-opt labels, env, …), added as they are, like Docker. */
  attrs?: Record<string, string>;
}

/** Go's encoding/json escapes <, > and & in strings (HTML-safe); so does Docker's output. */
function goJson(v: unknown): string {
  return JSON.stringify(v).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** The additional fields as a JSON fragment (`"_command":…,…`), sorted like Go's map encoding. */
export function gelfExtra(i: GelfInfo): string {
  const m: Record<string, string> = {
    _command: i.command,
    _container_id: i.id,
    _container_name: i.name.replace(/^\//, ''),
    _created: i.created,
    _image_id: i.imageId,
    _image_name: i.image,
    _tag: i.tag,
    ...(i.attrs ?? {}),
  };
  const keys = Object.keys(m).sort();
  return keys.map((k) => `${goJson(k)}:${goJson(m[k])}`).join(',');
}

/**
 * One message as go-gelf marshals it: version, host, short_message, timestamp (seconds with
 * millisecond precision), level (6 stdout, 3 stderr), then the extra fields.
 */
export function encodeGelf(
  host: string,
  stream: 'stdout' | 'stderr',
  line: Buffer | string,
  timeNs: bigint,
  extra: string,
): Buffer {
  let text = typeof line === 'string' ? line : line.toString('utf8');
  if (text.endsWith('\n')) text = text.slice(0, -1);
  const ts = Number(timeNs / 1_000_000n) / 1000;
  const head = `{"version":"1.1","host":${goJson(host)},"short_message":${goJson(text)},"timestamp":${ts},"level":${stream === 'stderr' ? 3 : 6}`;
  return Buffer.from(extra ? `${head},${extra}}` : `${head}}`);
}

/** Splits a (compressed) message into GELF chunks; one datagram when it fits. Throws above 128. */
export function chunkGelf(payload: Buffer, id: Buffer = randomBytes(8)): Buffer[] {
  if (payload.length <= CHUNK_SIZE) return [payload];
  const n = Math.ceil(payload.length / CHUNK_DATA);
  if (n > MAX_CHUNKS) throw new Error(`msg too large, would need ${n} chunks`);
  const out: Buffer[] = [];
  for (let i = 0; i < n; i++) {
    const part = payload.subarray(i * CHUNK_DATA, (i + 1) * CHUNK_DATA);
    const b = Buffer.allocUnsafe(CHUNK_HEADER + part.length);
    b[0] = 0x1e;
    b[1] = 0x0f;
    id.copy(b, 2);
    b[10] = i;
    b[11] = n;
    part.copy(b, CHUNK_HEADER);
    out.push(b);
  }
  return out;
}

export function compressGelf(msg: Buffer, type: GelfOptions['compression'], level: number): Buffer {
  if (type === 'none') return msg;
  return type === 'zlib' ? deflateSync(msg, { level }) : gzipSync(msg, { level });
}

export class GelfSender {
  private udp: dgram.Socket | null = null;
  private inFlight = 0;
  private idle: (() => void) | null = null;
  private readonly tcp: StreamLink | null;
  private udpDropped = 0;
  private closed = false;
  private readonly host = os.hostname();

  constructor(
    private readonly o: GelfOptions,
    private readonly extra: string,
  ) {
    this.tcp =
      o.proto === 'udp'
        ? null
        : new StreamLink({
            connect: () => net.connect({ host: o.host, port: o.port }),
            readyEvent: 'connect',
            maxQueue: MAX_QUEUE,
            retryMs: o.reconnectDelayMs,
            maxFailures: o.maxReconnect, // go-gelf gives a message up after max-reconnect attempts
          });
  }

  /** Messages given up (too large, queue full, or the endpoint stayed away). */
  get dropped(): number {
    return this.udpDropped + (this.tcp?.dropped ?? 0);
  }

  send(stream: 'stdout' | 'stderr', line: Buffer | string, timeNs: bigint): void {
    if (this.closed) return;
    // Docker skips empty lines (its copier already took the newline off)
    const len = typeof line === 'string' ? line.length : line.length;
    if (len === 0 || (len === 1 && (typeof line === 'string' ? line === '\n' : line[0] === 10))) return;
    const msg = encodeGelf(this.host, stream, line, timeNs, this.extra);
    if (this.tcp) this.tcp.write(Buffer.concat([msg, NUL]));
    else this.sendUdp(msg);
  }

  private sendUdp(msg: Buffer): void {
    if (!this.udp) {
      this.udp = dgram.createSocket(net.isIPv6(this.o.host) ? 'udp6' : 'udp4');
      this.udp.on('error', () => {}); // ICMP port unreachable and the like: UDP is fire and forget
      this.udp.unref();
    }
    let chunks: Buffer[];
    try {
      chunks = chunkGelf(compressGelf(msg, this.o.compression, this.o.level));
    } catch {
      this.udpDropped++; // go-gelf refuses messages above 128 chunks too
      return;
    }
    for (const c of chunks) {
      this.inFlight++;
      this.udp.send(c, this.o.port, this.o.host, () => {
        if (--this.inFlight === 0 && this.idle) {
          const f = this.idle;
          this.idle = null;
          f();
        }
      });
    }
  }

  /** Resolves once the output handed over so far left this process (or could not): bounds memory. */
  async drained(): Promise<void> {
    if (this.inFlight > 0) await new Promise<void>((r) => (this.idle = r));
    await this.tcp?.drained();
  }

  /** Sends what is queued if connected (bounded wait) and closes. */
  async close(timeoutMs = 2000): Promise<void> {
    if (this.closed) return;
    if (this.inFlight > 0) await Promise.race([this.drained(), new Promise((r) => setTimeout(r, timeoutMs).unref())]);
    this.closed = true;
    this.udp?.close();
    this.udp = null;
    await this.tcp?.close(timeoutMs);
  }
}
