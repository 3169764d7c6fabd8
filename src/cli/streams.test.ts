import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { test } from 'node:test';
import { readUntilInterrupt } from './streams.js';

test('readUntilInterrupt: ^C closes a followed response, the read ends quietly and the handler goes', async () => {
  const res = new PassThrough();
  const got: string[] = [];
  const before = process.listenerCount('SIGINT');
  const done = readUntilInterrupt(res, async () => {
    for await (const chunk of res) {
      got.push(String(chunk));
      if (got.length === 1) process.emit('SIGINT');
    }
  });
  assert.equal(process.listenerCount('SIGINT'), before + 1);
  res.write('line 1\n');
  await done;
  assert.deepEqual(got, ['line 1\n']);
  assert.ok(res.destroyed, 'the response was closed');
  assert.equal(process.listenerCount('SIGINT'), before);
});

test('readUntilInterrupt: a response that ends by itself leaves no SIGINT handler', async () => {
  const res = new PassThrough();
  const before = process.listenerCount('SIGINT');
  res.end('all\n');
  let text = '';
  await readUntilInterrupt(res, async () => {
    for await (const chunk of res) text += chunk;
  });
  assert.equal(text, 'all\n');
  assert.equal(process.listenerCount('SIGINT'), before);
});
