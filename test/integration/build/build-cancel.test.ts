// A classic build whose client goes away is cancelled as moby cancels it: the RUN step's container
// is killed and removed, no later step runs, nothing is left in `ps -a`, even when the client left
// while that container was still being created (docker-py's build() whose stream nobody reads is
// closed at once; its RUN container went on to run to its end, issue 16). A client that stays but
// never reads does not stall the build.
import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import { request } from 'node:http';
import { join } from 'node:path';
import { test } from 'node:test';
import { BUILD_SNAP } from '../../../src/build/builder/build-state.js';
import { tarHeader } from '../../../src/build/builder/layer-tar.js';
import { daemonPerFile, getUnix } from '../../harness/daemon.js';
import { untilValue } from '../../harness/until.js';

const berthd = daemonPerFile();
const skip = berthd.skip ?? false;

/** A context tar holding only this Dockerfile. */
function context(dockerfile: string): Buffer {
  const data = Buffer.from(dockerfile);
  const pad = Buffer.alloc((512 - (data.length % 512)) % 512);
  const head = tarHeader({
    name: 'Dockerfile',
    type: 'file',
    mode: 0o644,
    uid: 0,
    gid: 0,
    size: data.length,
    mtime: 0,
  });
  return Buffer.concat([head, data, pad, Buffer.alloc(1024)]);
}

/** POST /build; `seen` gets the output so far. */
function startBuild(query: string, dockerfile: string, seen: (text: string) => void) {
  const req = request({
    socketPath: berthd.d.socket,
    method: 'POST',
    path: `/v1.44/build?${query}`,
    headers: { 'Content-Type': 'application/x-tar' },
  });
  req.on('response', (res) => {
    let text = '';
    res.on('data', (c: Buffer) => seen((text += c.toString('utf8'))));
    res.on('error', () => {});
  });
  req.on('error', () => {});
  req.end(context(dockerfile));
  return req;
}

/** Every container, stopped ones too, as `docker ps -a`. */
const psAll = async () => JSON.parse((await getUnix(berthd.d.socket, '/containers/json?all=1')).body) as unknown[];

/** How many builds are under way: each has its scratch directory in <data-root>/tmp until it ends. */
const buildsRunning = async () =>
  (await readdir(join(berthd.d.dataRoot, 'tmp')).catch(() => [])).filter((n) => n.startsWith(BUILD_SNAP)).length;

/** The container events since `since` (s), up to now, as `action id` strings. */
async function containerEvents(since: number): Promise<string[]> {
  const until = Math.ceil(Date.now() / 1000) + 1;
  const q = `since=${since}&until=${until}&filters=${encodeURIComponent('{"type":["container"]}')}`;
  const r = await getUnix(berthd.d.socket, `/events?${q}`, 10_000);
  return r.body
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { Action: string; id: string })
    .map((e) => `${e.Action} ${e.id.slice(0, 12)}`);
}

const longRun = 'FROM busybox\nRUN sleep 1000\nRUN touch /never\n';

for (const [when, trigger] of [
  ['while its RUN step runs', ' ---> Running in '],
  ['as its RUN step begins (the container is being created)', 'Step 2/3 : RUN sleep 1000'],
] as const) {
  test(`a build whose client goes away ${when}: the step's container is removed, no later step runs`, {
    skip,
    timeout: 120_000,
  }, async () => {
    const since = Math.floor(Date.now() / 1000);
    // rm=0 (docker-py's default): a step's container goes only through the cancel
    const req = startBuild('rm=0&nocache=1', longRun, (text) => {
      if (text.includes(trigger)) req.destroy();
    });
    await new Promise((r) => req.on('close', r));
    // the build has ended when its scratch directory is gone; `sleep 1000` is killed, so that is
    // long before the step could end on its own
    const ended = await untilValue(buildsRunning, (n) => n === 0, 60_000);
    assert.equal(ended, 0, 'the build goes on without its client');
    assert.deepEqual(await psAll(), []);
    const events = await containerEvents(since);
    const created = events.filter((e) => e.startsWith('create '));
    assert.ok(created.length <= 1, `only the first RUN step may have a container: ${events.join(', ')}`);
    for (const c of created) assert.ok(events.includes(`destroy ${c.slice(7)}`), events.join(', '));
  });
}

test('a build whose client never reads its output still ends, and its containers go with rm', {
  skip,
  timeout: 120_000,
}, async () => {
  const tag = 'cancel-unread:1';
  const ids = async () => ((await psAll()) as Array<{ Id: string }>).map((c) => c.Id).sort();
  const before = await ids();
  const steps = Array.from({ length: 4 }, (_, i) => `RUN echo step ${i}`).join('\n');
  const req = startBuild(`rm=1&nocache=1&t=${tag}`, `FROM busybox\n${steps}\n`, () => {});
  req.on('response', (res) => res.pause());
  try {
    const img = await untilValue(
      () => getUnix(berthd.d.socket, `/images/${tag}/json`),
      (r) => r.status === 200,
      90_000,
    );
    assert.equal(img.status, 200, img.body);
    assert.deepEqual(await untilValue(ids, (l) => l.join() === before.join(), 30_000), before);
  } finally {
    req.destroy();
  }
});
