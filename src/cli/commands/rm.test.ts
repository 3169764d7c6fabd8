// container rm and image rm over a fake client: what each prints on stdout/stderr and the exit code.
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { test } from 'node:test';
import type { Client } from '../../client/client.js';
import { ClientError } from '../../client/client-error.js';
import type { CliContext, Command } from '../command.js';
import { parseFlags } from '../flags/parser.js';
import { rm } from './containers.js';
import { rmi } from './images.js';

function runWith(cmd: Command, client: Partial<Client>, argv: string[]) {
  const out = new PassThrough();
  const err = new PassThrough();
  const text = { out: '', err: '' };
  out.on('data', (b) => (text.out += b));
  err.on('data', (b) => (text.err += b));
  const ctx: CliContext = {
    prog: 'berth',
    io: { stdin: new PassThrough(), stdout: out, stderr: err },
    client: () => client as Client,
  };
  return cmd.run(ctx, parseFlags(cmd.flags ?? [], argv)).then((code) => ({ code, ...text }));
}

const containerRemove = async (id: string) => {
  if (id === 'gone') throw new ClientError(404, 'No such container: gone');
  if (id === 'busy') throw new ClientError(409, 'cannot remove container "/busy": container is running');
};

test('container rm prints each removed name and joins the daemon errors on stderr, exit 1', async () => {
  const r = await runWith(rm, { containerRemove }, ['a', 'gone', 'b', 'busy']);
  assert.deepEqual(r, {
    code: 1,
    out: 'a\nb\n',
    err:
      'Error response from daemon: No such container: gone\n' +
      'Error response from daemon: cannot remove container "/busy": container is running\n',
  });
});

test('container rm -f passes over a missing container (docker 23+) but not other errors', async () => {
  assert.deepEqual(await runWith(rm, { containerRemove }, ['-f', 'gone', 'a']), { code: 0, out: 'a\n', err: '' });
  const r = await runWith(rm, { containerRemove }, ['-f', 'busy']);
  assert.equal(r.code, 1);
  assert.match(r.err, /container is running/);
});

test('image rm prints the Untagged/Deleted lines of each image, then the errors', async () => {
  const imageRemove = async (ref: string) => {
    if (ref === 'nope') throw new ClientError(404, 'No such image: nope');
    return [{ Untagged: `${ref}:latest` }, { Deleted: 'sha256:1' }];
  };
  const r = await runWith(rmi, { imageRemove }, ['x', 'nope']);
  assert.deepEqual(r, {
    code: 1,
    out: 'Untagged: x:latest\nDeleted: sha256:1\n',
    err: 'Error response from daemon: No such image: nope\n',
  });
});
