// pull's and push's NAME argument: --all-tags refuses a tag, a bare name gets :latest (said on stdout).
import assert from 'node:assert/strict';
import { PassThrough, Readable } from 'node:stream';
import { test } from 'node:test';
import type { Client } from '../../client/client.js';
import type { CliContext } from '../command.js';
import { parseFlags } from '../flags/parser.js';
import { pull, push } from './distribution.js';

function capture() {
  const text = { out: '', paths: [] as string[] };
  const client = {
    stream: async (_m: string, path: string, o?: { query?: Record<string, unknown> }) => {
      text.paths.push(`${path} ${JSON.stringify(o?.query)}`);
      return Readable.from([]);
    },
  } as Partial<Client>;
  const ctx: CliContext = {
    prog: 'berth',
    io: {
      stdin: new PassThrough(),
      stdout: new PassThrough().on('data', (b) => (text.out += b)),
      stderr: new PassThrough(),
    },
    client: () => client as Client,
  };
  return { ctx, text };
}

const run = (cmd: typeof pull, ctx: CliContext, args: string[]) => cmd.run(ctx, parseFlags(cmd.flags ?? [], args));

test('pull and push refuse a tag (pull: or a digest) with --all-tags, push a digest always', async () => {
  const { ctx, text } = capture();
  for (const [cmd, ref] of [
    [pull, 'x:1'],
    [pull, 'x@sha256:ab'],
    [push, 'x:1'],
  ] as const)
    await assert.rejects(run(cmd, ctx, ['-a', ref]), { message: "tag can't be used with --all-tags/-a" });
  await assert.rejects(run(push, ctx, ['-a', 'x@sha256:ab']), { message: 'cannot push a digest reference' });
  await assert.rejects(run(push, ctx, ['x@sha256:ab']), { message: 'cannot push a digest reference' });
  assert.deepEqual(text, { out: '', paths: [] });
});

test('a bare name gets :latest and says so; --all-tags sends the name as given', async () => {
  const { ctx, text } = capture();
  assert.equal(await run(pull, ctx, ['-q', 'x']), 0);
  assert.equal(text.out, 'Using default tag: latest\ndocker.io/library/x:latest\n');
  assert.equal(await run(push, ctx, ['-q', 'r.io/x']), 0);
  assert.equal(await run(pull, ctx, ['-a', '-q', 'x']), 0);
  assert.equal(
    text.out,
    'Using default tag: latest\ndocker.io/library/x:latest\nUsing default tag: latest\nr.io/x:latest\n',
  );
  assert.deepEqual(text.paths, [
    '/images/create {"fromImage":"x","tag":"latest"}',
    '/images/r.io/x/push {"tag":"latest"}',
    '/images/create {"fromImage":"x"}',
  ]);
});
