// A request body as chunks, gunzipped when it starts with gzip's magic (docker-py's gzip=True).
import type { Readable, Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';

/**
 * Calls `fn` with each chunk of `body`, gunzipped when it starts with gzip's magic; a plain tar
 * (what the CLI sends) is handled right in the request's 'data' events (no promise per chunk: a
 * 51 MB context comes in ~5,000 of them). When `fn` returns a promise the body pauses until it settles.
 */
export function eachChunk(body: Readable, fn: (c: Buffer) => Promise<void> | void): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let head: Buffer | null = Buffer.alloc(0);
    let sink: Writable | null = null; // the gunzip stream, for a gzip body
    let failed = false;
    const fail = (e: unknown) => {
      if (failed) return;
      failed = true;
      body.destroy();
      sink?.destroy();
      reject(e);
    };
    const deliver = (src: Readable, c: Buffer) => {
      try {
        const p = fn(c);
        if (p !== undefined) {
          src.pause();
          p.then(() => src.resume(), fail);
        }
      } catch (e) {
        fail(e);
      }
    };
    const start = (c: Buffer) => {
      if (c[0] === 0x1f && c[1] === 0x8b) {
        const gz = createGunzip();
        sink = gz;
        gz.on('data', (d: Buffer) => deliver(gz, d));
        gz.on('error', fail);
        finished(gz, { writable: false }).then(() => !failed && resolve(), fail);
        if (!gz.write(c)) body.pause();
        gz.on('drain', () => body.resume());
      } else deliver(body, c);
    };
    body.on('data', (c: Buffer) => {
      if (failed) return;
      if (head) {
        head = head.length ? Buffer.concat([head, c]) : c;
        if (head.length < 2) return;
        const h = head;
        head = null;
        start(h);
      } else if (sink) {
        if (!sink.write(c)) body.pause();
      } else deliver(body, c);
    });
    finished(body, { writable: false }).then(() => {
      if (failed) return;
      if (head) {
        const h = head;
        head = null;
        if (h.length) start(h);
      }
      if (sink) sink.end();
      else resolve();
    }, fail);
  });
}
