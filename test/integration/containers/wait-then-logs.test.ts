// A container reported exited (wait) has all its output in its logs: the shipper is drained before
// the state changes, as moby waits for the streams (docker-py's containers.run: create, start,
// wait, then logs, sometimes got b'').
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { daemonPerFile } from '../../harness/daemon.js';

const berthd = daemonPerFile();
const skip = berthd.skip;

test('create, start, wait, logs: the output is always there', { skip: skip ?? false, timeout: 120_000 }, async () => {
  const d = berthd.d;
  for (let i = 0; i < 25; i++) {
    const c = await d.dockerode.createContainer({ Image: 'busybox', Cmd: ['echo', `hello world ${i}`] });
    await c.start();
    const w = (await c.wait()) as { StatusCode: number };
    assert.equal(w.StatusCode, 0);
    const out = (await c.logs({ stdout: true, stderr: false, follow: false })) as Buffer;
    // non-TTY logs are stdcopy frames: header of 8 bytes, then the payload
    assert.equal(out.subarray(8).toString(), `hello world ${i}\n`, `run ${i}`);
    await c.remove();
  }
});
