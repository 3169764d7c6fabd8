// Committing a container that exits while it is being committed (docker-py's test_commit: start
// `touch /test`, commit at once) succeeds unpaused, as in moby; it was a 500 from runc's pause.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { daemonPerFile } from '../../harness/daemon.js';

const berthd = daemonPerFile();
const skip = berthd.skip;

test('commit right after start of a short-lived container never fails', {
  skip: skip ?? false,
  timeout: 120_000,
}, async () => {
  const d = berthd.d;
  const images: string[] = [];
  for (let i = 0; i < 15; i++) {
    const c = await d.dockerode.createContainer({ Image: 'busybox', Cmd: ['touch', '/test'] });
    await c.start();
    const r = (await d.dockerode.getContainer(c.id).commit({})) as { Id: string };
    assert.match(r.Id, /^sha256:[0-9a-f]{64}$/);
    images.push(r.Id);
    const inspected = await d.dockerode.getImage(r.Id).inspect();
    assert.equal(inspected.Id, r.Id);
    await c.wait();
    assert.equal((await c.inspect()).State.Paused, false, 'left unpaused');
    await c.remove({ force: true });
  }
  for (const id of images) await d.dockerode.getImage(id).remove({ force: true });
});
