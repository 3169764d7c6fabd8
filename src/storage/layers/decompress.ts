// Transparently gunzip a stream when it starts with the gzip magic (docker import and layers accept both).
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';

export async function maybeGunzip(src: Readable): Promise<Readable> {
  const it = src[Symbol.asyncIterator]();
  let head = Buffer.alloc(0);
  let done = false;
  while (head.length < 2 && !done) {
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
    { objectMode: false },
  );
  if (head[0] !== 0x1f || head[1] !== 0x8b) return rest;
  const gz = createGunzip();
  rest.on('error', (e) => gz.destroy(e));
  return rest.pipe(gz);
}
