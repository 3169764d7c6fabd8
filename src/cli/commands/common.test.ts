// The one "each argument, collect the errors" loop (eachRef) and forEach, docker's container-loop form of it.
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { test } from 'node:test';
import { ClientError } from '../../client/client-error.js';
import type { CliContext } from '../command.js';
import { eachRef, forEach } from './common.js';

function capture(): { ctx: CliContext; text: { out: string; err: string } } {
  const text = { out: '', err: '' };
  const out = new PassThrough().on('data', (b) => (text.out += b));
  const err = new PassThrough().on('data', (b) => (text.err += b));
  const ctx: CliContext = {
    prog: 'berth',
    io: { stdin: new PassThrough(), stdout: out, stderr: err },
    client: () => {
      throw new Error('no client in this test');
    },
  };
  return { ctx, text };
}

const failing = async (r: string) => {
  if (r === 'gone') throw new ClientError(404, 'No such container: gone');
  if (r === 'local') throw new Error('bad local value');
  return undefined;
};

test('forEach prints each argument done (or the text fn returned), then every error, exit 1', async () => {
  const { ctx, text } = capture();
  const code = await forEach(ctx, ['a', 'gone', 'w', 'local'], async (r) => (r === 'w' ? '137' : failing(r)));
  assert.equal(code, 1);
  assert.equal(text.out, 'a\n137\n');
  assert.equal(text.err, 'Error response from daemon: No such container: gone\nbad local value\n');
});

test('eachRef prints only what fn returns, skips the errors it is told to, and can end with exit status', async () => {
  const { ctx, text } = capture();
  const skip = (e: unknown) => e instanceof ClientError && e.status === 404;
  assert.equal(await eachRef(ctx, ['a', 'gone'], failing, { skip }), 0);
  assert.deepEqual(text, { out: '', err: '' });
  assert.equal(await eachRef(ctx, ['local'], failing, { statusLine: true }), 1);
  assert.equal(text.err, 'bad local value\nexit status 1\n');
});
