// Docker's detach keys (`--detach-keys`, attach/exec `detachKeys`): the parser follows
// moby/term ToBytes, the matcher its escapeProxy (keys of a partial match are held back and
// released if the sequence breaks off).
import { Transform, type TransformCallback } from 'node:stream';
import { invalid } from '../../errdefs.js';

export const DEFAULT_DETACH_KEYS = 'ctrl-p,ctrl-q';

// moby/term's ASCII table: index = control code.
const CTRL = ['@', ...'abcdefghijklmnopqrstuvwxyz', '[', '\\', ']', '^', '_'];

/**
 * `ctrl-p,ctrl-q` → [0x10, 0x11]. Each comma-separated key is one character, `ctrl-X` for X in
 * a-z @ [ \ ] ^ _ (lower case only, as in Docker), or `DEL`. Empty → the default.
 */
export function parseDetachKeys(keys: string | undefined): Buffer {
  if (keys === undefined || keys === '') return parseDetachKeys(DEFAULT_DETACH_KEYS);
  const out: number[] = [];
  for (const key of keys.split(',')) {
    const bytes = Buffer.from(key);
    if (bytes.length === 1) {
      out.push(bytes[0]!);
      continue;
    }
    const code = key.startsWith('ctrl-') && key.length === 6 ? CTRL.indexOf(key[5]!) : -1;
    if (code >= 0) out.push(code);
    else if (key === 'DEL') out.push(127);
    else throw invalid(`Invalid detach keys (${keys}) provided`);
  }
  return Buffer.from(out);
}

export interface DetachResult {
  /** Bytes to pass on to the container. */
  data: Buffer;
  /** The sequence was completed: stop forwarding; bytes after it are dropped. */
  detach: boolean;
}

/**
 * Watches stdin bytes for the detach sequence, in any chunking. Unlike Docker's escapeProxy,
 * which only matches when each read returns a single byte (a keystroke), a sequence split or
 * joined across socket reads is recognised too.
 */
export class DetachMatcher {
  private pos = 0; // how many bytes of the sequence are held back

  constructor(readonly keys: Buffer = parseDetachKeys(DEFAULT_DETACH_KEYS)) {}

  push(chunk: Buffer): DetachResult {
    const keys = this.keys;
    if (keys.length === 0) return { data: chunk, detach: false };
    // Fast path: no key byte that could start or continue a match.
    if (this.pos === 0 && chunk.indexOf(keys[0]!) < 0) return { data: chunk, detach: false };
    let copyFrom = 0; // chunk[copyFrom, i) passes through untouched
    const parts: Buffer[] = [];
    for (let i = 0; i < chunk.length; i++) {
      const c = chunk[i]!;
      if (c === keys[this.pos]) {
        if (this.pos === 0) parts.push(chunk.subarray(copyFrom, i));
        this.pos++;
        copyFrom = i + 1;
        if (this.pos === keys.length) {
          this.pos = 0;
          return { data: Buffer.concat(parts), detach: true };
        }
        continue;
      }
      if (this.pos > 0) {
        // The sequence broke off: release what was held, then see if this byte starts anew.
        parts.push(keys.subarray(0, this.pos));
        this.pos = 0;
        if (c === keys[0]) {
          this.pos = 1;
          copyFrom = i + 1;
          continue;
        }
        copyFrom = i;
      }
    }
    if (this.pos === 0) parts.push(chunk.subarray(copyFrom));
    return { data: parts.length === 1 ? parts[0]! : Buffer.concat(parts), detach: false };
  }

  /** Bytes held back when stdin ends (they were typed, so they go to the container). */
  flush(): Buffer {
    const held = this.keys.subarray(0, this.pos);
    this.pos = 0;
    return Buffer.from(held);
  }
}

/**
 * A stdin pass-through stream that emits `'detach'` and ends when the sequence is typed.
 * Pipe the hijacked connection through it into the container's stdin.
 */
export class DetachStream extends Transform {
  private readonly matcher: DetachMatcher;
  private detached = false;

  constructor(keys?: Buffer) {
    super();
    this.matcher = new DetachMatcher(keys);
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    if (this.detached) {
      cb();
      return;
    }
    const r = this.matcher.push(chunk);
    if (r.data.length > 0) this.push(r.data);
    if (r.detach) {
      this.detached = true;
      this.emit('detach');
      this.push(null);
    }
    cb();
  }

  override _flush(cb: TransformCallback): void {
    if (!this.detached) {
      const held = this.matcher.flush();
      if (held.length > 0) this.push(held);
    }
    cb();
  }
}
