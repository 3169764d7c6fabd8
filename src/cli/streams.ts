// Local terminal ↔ hijacked connection: raw mode, resize forwarding, stdcopy demux, detach keys.
import type { Duplex } from 'node:stream';
import { StdDemuxer } from '../client/stdcopy.js';
import type { Hijacked } from '../client/client.js';
import type { Io } from './command.js';

/** "ctrl-p,ctrl-q" → bytes, as docker's term.ToBytes. */
export function detachKeyBytes(keys: string): number[] {
  const out: number[] = [];
  for (const k of keys.split(',')) {
    const key = k.trim();
    if (key.length === 1) out.push(key.charCodeAt(0));
    else if (/^ctrl-[a-z@[\\\]^_]$/i.test(key)) {
      const c = key.slice(5).toLowerCase();
      out.push(
        c >= 'a' && c <= 'z' ? c.charCodeAt(0) - 96 : { '@': 0, '[': 27, '\\': 28, ']': 29, '^': 30, _: 31 }[c]!,
      );
    } else throw new Error(`Invalid detach keys (${key}) provided`);
  }
  return out;
}

/** Matches a byte sequence across chunks. */
export class SequenceWatcher {
  private i = 0;
  constructor(private readonly seq: number[]) {}
  feed(b: Buffer): boolean {
    for (const x of b) {
      if (x === this.seq[this.i]) {
        if (++this.i === this.seq.length) return true;
      } else this.i = x === this.seq[0] ? 1 : 0;
    }
    return false;
  }
}

export interface PumpOptions {
  tty: boolean;
  stdin: boolean;
  detachKeys?: string;
  resize?: (h: number, w: number) => Promise<void>;
}

/**
 * Copy stdin → conn and conn → stdout/stderr until the container side closes.
 * Resolves with `detached: true` when the user typed the detach sequence.
 */
export function pump(io: Io, h: Hijacked, o: PumpOptions): Promise<{ detached: boolean }> {
  const conn: Duplex = h.socket;
  const stdin = io.stdin as NodeJS.ReadStream;
  const out = io.stdout as NodeJS.WriteStream;
  let detached = false;
  const watcher = new SequenceWatcher(detachKeyBytes(o.detachKeys || 'ctrl-p,ctrl-q'));
  const raw = o.tty && o.stdin && stdin.isTTY === true && typeof stdin.setRawMode === 'function';
  if (raw) stdin.setRawMode(true);

  const onResize = () => {
    if (o.resize && out.isTTY && out.rows && out.columns) o.resize(out.rows, out.columns).catch(() => {});
  };
  if (o.tty && out.isTTY) {
    onResize();
    process.on('SIGWINCH', onResize);
  }

  const demux = o.tty ? null : new StdDemuxer({ stdout: (b) => io.stdout.write(b), stderr: (b) => io.stderr.write(b) });
  const onData = (b: Buffer) => (demux ? demux.push(b) : io.stdout.write(b));
  if (h.head.length) onData(h.head);
  conn.on('data', onData);

  const onIn = (b: Buffer) => {
    if (o.tty && watcher.feed(b)) detached = true;
    conn.write(b);
  };
  const onInEnd = () => {
    // half-close: the container sees EOF on stdin, output keeps flowing
    if (!conn.destroyed) conn.end();
  };
  if (o.stdin) {
    stdin.on('data', onIn);
    stdin.on('end', onInEnd);
    stdin.resume();
  }

  return new Promise((resolve) => {
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      if (raw) stdin.setRawMode(false);
      process.off('SIGWINCH', onResize);
      if (o.stdin) {
        stdin.off('data', onIn);
        stdin.off('end', onInEnd);
        stdin.pause();
        if ('unref' in stdin && typeof (stdin as { unref?: () => void }).unref === 'function')
          (stdin as { unref: () => void }).unref();
      }
      conn.destroy();
      resolve({ detached });
    };
    conn.on('end', finish);
    conn.on('close', finish);
    conn.on('error', finish);
  });
}

export function consoleSize(io: Io): [number, number] | undefined {
  const out = io.stdout as NodeJS.WriteStream;
  return out.isTTY && out.rows && out.columns ? [out.rows, out.columns] : undefined;
}

/**
 * Reads a followed response (logs -f, events) with `read` until it ends or the user presses ^C:
 * SIGINT closes the response and the command ends quietly (exit 0), as docker's cancelled context.
 */
export async function readUntilInterrupt(res: { destroy(): void }, read: () => Promise<void>): Promise<void> {
  const stop = () => res.destroy();
  process.once('SIGINT', stop);
  try {
    await read();
  } catch {
    /* interrupted */
  } finally {
    process.off('SIGINT', stop);
  }
}
