import assert from 'node:assert/strict';
import { PassThrough, Readable, Writable } from 'node:stream';
import { it } from 'node:test';
import { pipeOut } from './pipe-out.js';

it('pipes everything and resolves when the source ends', async () => {
  const got: Buffer[] = [];
  const out = new Writable({ write: (c: Buffer, _e, cb) => (got.push(c), cb()) });
  await pipeOut(Readable.from([Buffer.from('a'), Buffer.from('b')]), out);
  assert.equal(Buffer.concat(got).toString(), 'ab');
});

it('a client that goes away destroys the source (releasing its files) and is no error', async () => {
  const src = new PassThrough();
  const out = new PassThrough();
  const p = pipeOut(src, out);
  src.write('x');
  out.destroy(); // the connection closed
  await p;
  assert.equal(src.destroyed, true);
});

it('a failing source fails the request and closes the client', async () => {
  const src = new PassThrough();
  const out = new PassThrough();
  out.resume();
  const p = pipeOut(src, out);
  src.destroy(new Error('Size mismatch'));
  await assert.rejects(p, /Size mismatch/);
  assert.equal(out.destroyed, true);
});
