// The one "each argument, collect the errors" loop (eachRef) and forEach, docker's container-loop form of it.
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { test } from 'node:test';
import { ClientError } from '../../client/client-error.js';
import type { Client } from '../../client/client.js';
import type { CliContext } from '../command.js';
import { flagHelp, parseFlags } from '../flags/parser.js';
import { eachRef, forEach } from './common.js';
import { imagePrune } from './images.js';

function capture(client?: Partial<Client>, stdin = new PassThrough()) {
  const text = { out: '', err: '' };
  const out = new PassThrough().on('data', (b) => (text.out += b));
  const err = new PassThrough().on('data', (b) => (text.err += b));
  const ctx: CliContext = {
    prog: 'berth',
    io: { stdin, stdout: out, stderr: err },
    client: () => {
      if (!client) throw new Error('no client in this test');
      return client as Client;
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

test("a prune's flags are docker's (--all when it has one), and --all picks the other warning", async () => {
  assert.equal(
    flagHelp(imagePrune.flags),
    [
      '  -a, --all             Remove all unused images, not just dangling ones',
      '      --filter filter   Provide filter values (e.g. "until=<timestamp>")',
      '  -f, --force           Do not prompt for confirmation',
    ].join('\n'),
  );
  const stdin = new PassThrough();
  const { ctx, text } = capture(undefined, stdin);
  const asked = imagePrune.run(ctx, parseFlags(imagePrune.flags ?? [], ['-a']));
  stdin.end('n\n');
  assert.equal(await asked, 0);
  assert.match(text.out, /^WARNING! This will remove all images without at least one container associated to them\.\n/);
});

test("a prune prints the daemon's report: the deleted block, then the space reclaimed", async () => {
  let filters: string | undefined;
  const imagePruneCall = async (f?: string) => {
    filters = f;
    return { ImagesDeleted: [{ Untagged: 'a:1' }, { Deleted: 'sha256:b' }], SpaceReclaimed: 2048 };
  };
  const { ctx, text } = capture({ imagePrune: imagePruneCall } as Partial<Client>);
  assert.equal(await imagePrune.run(ctx, parseFlags(imagePrune.flags ?? [], ['-f', '--filter', 'until=1h'])), 0);
  assert.deepEqual(JSON.parse(filters ?? ''), { until: { '1h': true }, dangling: { true: true } });
  assert.equal(text.out, 'Deleted Images:\nuntagged: a:1\ndeleted: sha256:b\n\nTotal reclaimed space: 2.048kB\n');
});
