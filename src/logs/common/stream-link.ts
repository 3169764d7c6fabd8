// A stream connection to a log collector (syslog over tcp/tls/unix, gelf over tcp, fluentd) that
// never blocks its caller: output waits in a bounded queue while (re)connecting; what does not fit
// is counted as dropped, and after `maxFailures` failed attempts in a row what waits is dropped too.
import type net from 'node:net';
import { drainedOrClosed } from '../../util/drained.js';

export interface StreamLinkOptions {
  /** Opens a new socket (net.connect / tls.connect). */
  connect(): net.Socket;
  /** The event that makes the socket usable: 'connect', or 'secureConnect' for TLS. */
  readyEvent: 'connect' | 'secureConnect';
  /** Bytes allowed to wait while not connected. */
  maxQueue: number;
  /** Pause between connection attempts. */
  retryMs: number;
  /** Failed attempts in a row before what waits is given up; Infinity keeps it. */
  maxFailures: number;
  /** A socket error; the syslog sender uses it to switch /dev/log to datagrams. */
  onError?(e: NodeJS.ErrnoException): void;
}

/** The socket's own buffer: above it `drained()` waits for 'drain' (bounded memory in a flood). */
const HIGH_WATER = 1024 * 1024;

export class StreamLink {
  private conn: net.Socket | null = null;
  private connected = false;
  private queue: Buffer[] = [];
  private queued = 0;
  private retryAt = 0;
  private failures = 0;
  private closed = false;
  dropped = 0;

  constructor(private readonly o: StreamLinkOptions) {}

  write(msg: Buffer): void {
    if (this.closed) return;
    if (this.queued + msg.length > this.o.maxQueue) {
      this.dropped++;
      return;
    }
    this.queue.push(msg);
    this.queued += msg.length;
    this.pump();
  }

  /** Stops using the connection and hands back what waits in the queue (for a change of transport). */
  abandon(): Buffer[] {
    const q = this.queue;
    this.queue = [];
    this.queued = 0;
    this.closed = true;
    this.conn?.destroy();
    this.conn = null;
    return q;
  }

  /** Resolves when the socket took what was handed over (or closed). */
  async drained(): Promise<void> {
    const c = this.conn;
    if (c && this.connected && c.writableLength > HIGH_WATER) {
      await drainedOrClosed(c);
    }
  }

  private pump(): void {
    if (this.closed) return;
    if (this.connected && this.conn) {
      if (!this.queue.length) return;
      const all = this.queue.length === 1 ? this.queue[0]! : Buffer.concat(this.queue, this.queued);
      this.queue = [];
      this.queued = 0;
      this.conn.write(all);
      return;
    }
    if (this.conn || Date.now() < this.retryAt) return; // connecting, or waiting for the next attempt
    const c = this.o.connect();
    c.setNoDelay?.(true);
    c.unref();
    c.resume(); // replies (e.g. fluentd acks) are read and not waited for
    c.on('error', (e: NodeJS.ErrnoException) => this.o.onError?.(e));
    c.once(this.o.readyEvent, () => {
      this.connected = true;
      this.failures = 0;
      this.pump();
    });
    c.on('close', () => {
      if (this.conn !== c) return; // abandoned
      const wasUp = this.connected;
      this.conn = null;
      this.connected = false;
      if (!wasUp && ++this.failures > this.o.maxFailures) {
        this.dropped += this.queue.length;
        this.queue = [];
        this.queued = 0;
        this.failures = 0;
      }
      this.retryAt = Date.now() + this.o.retryMs;
      // the timer may fire a little before Date.now() reaches retryAt: it is the retry, whatever the clock says
      if (!this.closed && this.queue.length)
        setTimeout(() => ((this.retryAt = 0), this.pump()), this.o.retryMs).unref();
    });
    this.conn = c;
  }

  /** Sends what is queued (waiting for a connection under way) and closes, within `timeoutMs`. */
  async close(timeoutMs = 2000): Promise<void> {
    if (this.closed) return;
    const deadline = Date.now() + timeoutMs;
    const c = this.conn;
    if (c && !this.connected) {
      // the last lines of a short-lived container often wait for the first connection
      await new Promise<void>((r) => {
        const done = () => (clearTimeout(t), c.off(this.o.readyEvent, done), c.off('close', done), r());
        const t = setTimeout(done, timeoutMs);
        c.once(this.o.readyEvent, done).once('close', done);
      });
    }
    this.pump();
    this.closed = true;
    const live = this.conn;
    if (!live) return;
    if (!this.connected) return void live.destroy();
    await new Promise<void>((r) => {
      const t = setTimeout(() => (live.destroy(), r()), Math.max(0, deadline - Date.now()));
      live.end(() => (clearTimeout(t), r()));
    });
  }
}
