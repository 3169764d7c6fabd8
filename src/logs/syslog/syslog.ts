// The syslog driver's sender: formats like Docker's (srslog formatters), sends over udp, tcp, tcp+tls,
// a unix datagram socket (unixgram://, and /dev/log when it is one) or a unix stream socket. It never blocks the caller: TCP output is queued (bounded) while
// connecting and dropped when the endpoint stays dead, so a dead syslog never stalls a container.
import dgram from 'node:dgram';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import tls from 'node:tls';
import { createRequire } from 'node:module';
import type { DgramSocket } from 'node-unix-socket';
import type { SyslogFormat, SyslogOptions } from './options.js';
import { StreamLink } from '../common/stream-link.js';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** Go's time.Stamp: "Jan _2 15:04:05" in local time. */
function stamp(d: Date): string {
  return `${MONTHS[d.getMonth()]} ${String(d.getDate()).padStart(2, ' ')} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** RFC 3339 in local time with offset; micro = 6 fraction digits. */
function rfc3339(d: Date, micro: boolean): string {
  const off = -d.getTimezoneOffset();
  const tz =
    off === 0 ? 'Z' : `${off > 0 ? '+' : '-'}${pad(Math.floor(Math.abs(off) / 60))}:${pad(Math.abs(off) % 60)}`;
  const frac = micro ? `.${pad(d.getMilliseconds(), 3)}000` : '';
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}${frac}${tz}`;
}

export const SEVERITY = { stdout: 6, stderr: 3 } as const; // info, err

/** One syslog message as Docker's driver writes it (newline-terminated unless length-framed). */
export function formatSyslog(
  f: SyslogFormat,
  pri: number,
  tag: string,
  content: string,
  o: { date?: Date; hostname?: string; pid?: number; lengthFramed?: boolean } = {},
): string {
  const d = o.date ?? new Date();
  const host = o.hostname ?? os.hostname();
  const pid = o.pid ?? process.pid;
  let m: string;
  switch (f) {
    case 'unix':
      m = `<${pri}>${stamp(d)} ${tag}[${pid}]: ${content}`;
      break;
    case 'rfc3164':
      m = `<${pri}>${stamp(d)} ${host} ${tag}[${pid}]: ${content}`;
      break;
    case 'rfc5424':
    case 'rfc5424micro':
      m = `<${pri}>1 ${rfc3339(d, f === 'rfc5424micro')} ${host} ${tag} ${pid} ${tag} - ${content}`;
      break;
  }
  if (o.lengthFramed) return `${Buffer.byteLength(m)} ${m}`;
  return m.endsWith('\n') ? m : m + '\n';
}

const MAX_QUEUE = 4 * 1024 * 1024;

// node-unix-socket is a native addon: loaded on first use of a unix datagram address only.
let dgramCtor: typeof import('node-unix-socket').DgramSocket | null = null;
function newUnixDgram(): DgramSocket {
  dgramCtor ??= (createRequire(import.meta.url)('node-unix-socket') as typeof import('node-unix-socket')).DgramSocket;
  return new dgramCtor();
}

export class SyslogSender {
  private udp: dgram.Socket | null = null;
  private unixgram: DgramSocket | null = null;
  /** A unix address that refused a stream connection (EPROTOTYPE): datagrams from then on. */
  private proto: string;
  private readonly link: StreamLink | null;
  private dgramDropped = 0;
  private closed = false;

  constructor(
    private readonly o: SyslogOptions,
    private readonly tag: string,
  ) {
    this.proto = o.proto;
    this.link =
      o.proto === 'udp' || o.proto === 'unixgram'
        ? null
        : new StreamLink({
            connect: () => this.connect(),
            readyEvent: o.proto === 'tcp+tls' ? 'secureConnect' : 'connect',
            maxQueue: MAX_QUEUE,
            retryMs: 1000,
            maxFailures: Infinity, // a dead endpoint: keep what fits in the queue
            onError: (e) => {
              // /dev/log is usually a datagram socket: srslog tries unixgram first, we switch on refusal
              if (this.proto === 'unix' && e.code === 'EPROTOTYPE') {
                this.proto = 'unixgram';
                for (const m of this.link!.abandon()) this.sendDgram(m);
              }
            },
          });
  }

  /** Messages given up (queue full, or a datagram that could not be sent). */
  get dropped(): number {
    return this.dgramDropped + (this.link?.dropped ?? 0);
  }

  private connect(): net.Socket {
    if (this.o.proto === 'unix') return net.connect({ path: this.o.address });
    const i = this.o.address.lastIndexOf(':');
    const host = this.o.address.slice(0, i);
    const port = Number(this.o.address.slice(i + 1));
    if (this.o.proto === 'tcp') return net.connect({ host, port });
    return tls.connect({
      host,
      port,
      rejectUnauthorized: !this.o.tlsSkipVerify,
      ca: this.o.tlsCa ? fs.readFileSync(this.o.tlsCa) : undefined,
      cert: this.o.tlsCert ? fs.readFileSync(this.o.tlsCert) : undefined,
      key: this.o.tlsKey ? fs.readFileSync(this.o.tlsKey) : undefined,
    });
  }

  send(stream: 'stdout' | 'stderr', line: Buffer | string): void {
    let content = typeof line === 'string' ? line : line.toString('utf8');
    if (content.endsWith('\n')) content = content.slice(0, -1);
    const pri = this.o.facility * 8 + SEVERITY[stream];
    const msg = Buffer.from(formatSyslog(this.o.format, pri, this.tag, content, { lengthFramed: this.o.lengthFramed }));
    if (this.o.proto === 'udp') {
      if (!this.udp) {
        this.udp = dgram.createSocket(this.o.address.startsWith('[') ? 'udp6' : 'udp4');
        this.udp.on('error', () => {}); // ICMP unreachable etc.: syslog over UDP is fire and forget
        this.udp.unref();
      }
      const i = this.o.address.lastIndexOf(':');
      this.udp.send(msg, Number(this.o.address.slice(i + 1)), this.o.address.slice(0, i).replace(/^\[|\]$/g, ''));
      return;
    }
    if (this.proto === 'unixgram') this.sendDgram(msg);
    else this.link!.write(msg);
  }

  /** Like srslog's unixgram writer: fire and forget; a missing or full socket loses the message. */
  private sendDgram(msg: Buffer): void {
    if (this.closed) return; // a socket made now would never be closed
    if (!this.unixgram) {
      this.unixgram = newUnixDgram();
      this.unixgram.on('error', () => {});
    }
    this.unixgram.sendTo(msg, 0, msg.length, this.o.address, (e) => {
      if (e) this.dgramDropped++;
    });
  }

  /** Flushes what is queued (bounded wait) and closes. */
  async close(timeoutMs = 2000): Promise<void> {
    this.closed = true;
    this.udp?.close();
    this.udp = null;
    this.unixgram?.close();
    this.unixgram = null;
    if (this.proto !== 'unixgram') await this.link?.close(timeoutMs);
  }
}
