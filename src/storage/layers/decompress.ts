// Transparent decompression of layer and archive streams: gzip (zlib) and zstd (the `zstd` binary:
// Node 20's zlib has no zstd), recognised by their magic numbers; anything else passes unchanged.
import { spawn } from 'node:child_process';
import { PassThrough, Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { internal, invalid } from '../../errdefs.js';
import { chunks } from '../chunks.js';

export type Compression = 'gzip' | 'zstd' | 'none';

/** The compression a stream's first bytes announce. */
export function detectCompression(head: Buffer): Compression {
  if (head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  if (head[0] === 0x28 && head[1] === 0xb5 && head[2] === 0x2f && head[3] === 0xfd) return 'zstd';
  return 'none';
}

/** zstd-decompress through a `zstd -dc` child. Corrupt input fails the stream with zstd's message;
 *  the child is killed when the consumer goes away first. */
export function zstdDecompress(src: Readable): Readable {
  const out = new PassThrough({ objectMode: true, highWaterMark: 16 });
  const p = spawn('zstd', ['-d', '-c', '-q'], { stdio: ['pipe', 'pipe', 'pipe'] });
  let err = '';
  p.stderr.on('data', (d: Buffer) => (err += d.toString()));
  p.on('error', (e: NodeJS.ErrnoException) =>
    out.destroy(
      e.code === 'ENOENT' ? internal('zstd compressed layers need the zstd program (apt-get install zstd)') : e,
    ),
  );
  p.stdin.on('error', () => {}); // EPIPE when zstd gave up: its exit status reports why
  src.on('error', (e) => {
    out.destroy(e);
    p.kill();
  });
  src.pipe(p.stdin);
  p.stdout.pipe(out, { end: false });
  p.on('close', (code, signal) => {
    if (code === 0) out.end();
    else if (!out.destroyed)
      out.destroy(invalid(`zstd: ${err.trim().replace(/^zstd: /, '') || `exit ${code ?? signal}`}`));
  });
  out.on('close', () => {
    if (p.exitCode === null && p.signalCode === null) p.kill();
  });
  return out;
}

/** Decompress `src` as `c` says. */
export function decompress(src: Readable, c: Compression): Readable {
  if (c === 'none') return src;
  if (c === 'zstd') return zstdDecompress(src);
  const gz = createGunzip({ chunkSize: 256 << 10 });
  src.on('error', (e) => gz.destroy(e));
  return src.pipe(gz);
}

/** Decompress when the stream starts with the gzip or zstd magic (docker import, load and layers accept all three). */
export async function maybeGunzip(src: Readable): Promise<Readable> {
  const it = chunks(src)[Symbol.asyncIterator]();
  let head = Buffer.alloc(0);
  let done = false;
  while (head.length < 4 && !done) {
    const n = await it.next();
    if (n.done) done = true;
    else head = Buffer.concat([head, typeof n.value === 'string' ? Buffer.from(n.value) : (n.value as Buffer)]);
  }
  const rest = Readable.from(
    (async function* () {
      if (head.length) yield head;
      if (done) return;
      for (;;) {
        const n = await it.next();
        if (n.done) return;
        yield n.value as Buffer;
      }
    })(),
    { objectMode: true, highWaterMark: 16 }, // object mode: readers get the chunks, not concatenations
  );
  return decompress(rest, detectCompression(head));
}
