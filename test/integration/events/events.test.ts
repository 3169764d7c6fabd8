// docker events through a real berthd and the docker CLI: the container, image and network
// events moby logs (actions, order, Actor.Attributes) and /events filters over them.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { daemonPerFile, getUnix, dockerOk } from '../../harness/daemon.js';
import { DOCKER_REGISTRY, startDockerRegistry, type TestRegistry } from '../../harness/registry.js';

interface Ev {
  Type: string;
  Action: string;
  Actor: { ID: string; Attributes: Record<string, string> };
}

const h = daemonPerFile();
const skip = h.skip ?? false;
const tmp = mkdtempSync(join(tmpdir(), 'berth-events-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

const ok = (args: string[]) => dockerOk(h.d, args);
const now = () => (Date.now() / 1000).toFixed(3);
/** The events logged between since and now that pass the filters. */
async function eventsSince(since: string, filters: Record<string, string[]> = {}): Promise<Ev[]> {
  const q = new URLSearchParams({ since, until: now(), filters: JSON.stringify(filters) });
  const r = await getUnix(h.d.socket, `/events?${q}`, 10_000);
  assert.equal(r.status, 200, r.body);
  return r.body
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Ev);
}
const actions = (evs: Ev[]) => evs.map((e) => e.Action);
const find = (evs: Ev[], action: string) => {
  const e = evs.find((x) => x.Action === action);
  assert.ok(e, `no ${action} event in ${actions(evs).join(', ')}`);
  return e;
};

test('docker run in the foreground: create, attach, start, die', { skip }, async () => {
  const since = now();
  await ok(['run', '--name', 'fg', '--label', 'tier=front', 'busybox', 'true']);
  const evs = await eventsSince(since, { container: ['fg'] });
  assert.deepEqual(actions(evs), ['create', 'attach', 'start', 'die']);
  for (const e of evs)
    assert.deepEqual(
      [e.Actor.Attributes.name, e.Actor.Attributes.image, e.Actor.Attributes.tier],
      ['fg', 'busybox', 'front'],
    );
  const die = find(evs, 'die').Actor.Attributes;
  assert.equal(die.exitCode, '0');
  assert.match(die.execDuration ?? '', /^\d+$/, 'whole seconds it ran, as moby');
  // the default bridge too: joined at start, left at exit
  const net = await eventsSince(since, { type: ['network'] });
  const fgId = evs[0]!.Actor.ID;
  assert.deepEqual(
    net.map((e) => [e.Action, e.Actor.Attributes.name, e.Actor.Attributes.container]),
    [
      ['connect', 'bridge', fgId],
      ['disconnect', 'bridge', fgId],
    ],
  );
  await ok(['rm', 'fg']);
});

test('docker stop: kill per signal sent (TERM, then KILL after the timeout), die, stop', { skip }, async () => {
  await ok(['run', '-d', '--name', 'st', 'busybox', 'sleep', '60']); // pid 1 ignores SIGTERM
  const since = now();
  await ok(['stop', '-t', '1', 'st']);
  const evs = await eventsSince(since, { container: ['st'] });
  assert.deepEqual(
    evs.map((e) => [e.Action, e.Actor.Attributes.signal ?? '']),
    [
      ['kill', '15'],
      ['kill', '9'],
      ['die', ''],
      ['stop', ''],
    ],
  );
  await ok(['rm', 'st']);
});

test('a container joins its networks and mounts its volumes at start, leaves and unmounts at exit', {
  skip,
}, async () => {
  await ok(['network', 'create', 'evrun']);
  await ok(['volume', 'create', 'evvol']);
  const since = now();
  await ok(['run', '--name', 'nv', '--network', 'evrun', '-v', 'evvol:/data:ro', 'busybox', 'true']);
  const id = await ok(['inspect', '--format', '{{.Id}}', 'nv']);
  const evs = await eventsSince(since);
  const seq = evs.map((e) => `${e.Type} ${e.Action}`);
  assert.deepEqual(seq, [
    'container create',
    'container attach',
    'network connect',
    'volume mount',
    'container start',
    'volume unmount',
    'network disconnect',
    'container die',
  ]);
  assert.deepEqual(find(evs, 'connect').Actor.Attributes, { container: id, name: 'evrun', type: 'bridge' });
  assert.deepEqual(find(evs, 'disconnect').Actor.Attributes, { container: id, name: 'evrun', type: 'bridge' });
  const mount = find(evs, 'mount');
  assert.equal(mount.Actor.ID, 'evvol');
  assert.deepEqual(
    [mount.Actor.Attributes.container, mount.Actor.Attributes.destination, mount.Actor.Attributes['read/write']],
    [id, '/data', 'false'],
  );
  assert.deepEqual(find(evs, 'unmount').Actor.Attributes, { driver: 'local', container: id });
  // volume= and network= pick them out
  assert.deepEqual(actions(await eventsSince(since, { volume: ['evvol'] })), ['mount', 'unmount']);
  assert.deepEqual(actions(await eventsSince(since, { network: ['evrun'] })), ['connect', 'disconnect']);
  await ok(['rm', 'nv']);
  await ok(['network', 'rm', 'evrun']);
  await ok(['volume', 'rm', 'evvol']);
});

test('a health probe logs exec_create and exec_die (no exec_start, as moby), then health_status', {
  skip,
}, async () => {
  const since = now();
  await ok(['run', '-d', '--name', 'hc', '--health-cmd', 'true', '--health-interval', '1s', 'busybox', 'sleep', '60']);
  const end = Date.now() + 20_000;
  while ((await ok(['inspect', '--format', '{{.State.Health.Status}}', 'hc'])) !== 'healthy') {
    if (Date.now() > end) assert.fail('never healthy');
    await new Promise((r) => setTimeout(r, 200));
  }
  const evs = await eventsSince(since, {
    container: ['hc'],
    event: ['exec_create', 'exec_start', 'exec_die', 'health_status'],
  });
  const seq = actions(evs);
  assert.deepEqual(seq.slice(0, 3), ['exec_create: /bin/sh -c true', 'exec_die', 'health_status: healthy']);
  assert.ok(!seq.some((a) => a.startsWith('exec_start')), seq.join(', '));
  await ok(['rm', '-f', 'hc']);
});

test('top, exec, cp both ways, commit, export, pause, resize: container events with their attributes', {
  skip,
}, async () => {
  const id = await ok(['run', '-d', '-t', '--name', 'ev', '--label', 'tier=back', 'busybox', 'sleep', '60']);
  const since = now();
  await ok(['top', 'ev']);
  await ok(['exec', 'ev', 'true']);
  await ok(['cp', 'ev:/etc/hostname', join(tmp, 'hostname')]);
  writeFileSync(join(tmp, 'in.txt'), 'x');
  await ok(['cp', join(tmp, 'in.txt'), 'ev:/tmp/']);
  const imageId = await ok(['commit', '-m', 'snap', 'ev', 'ev/snap:1']);
  await ok(['export', '-o', join(tmp, 'ev.tar'), 'ev']);
  await ok(['pause', 'ev']);
  await ok(['unpause', 'ev']);
  await h.d.dockerode.getContainer('ev').resize({ h: 30, w: 100 });
  const evs = await eventsSince(since, { container: [id.slice(0, 12)] });
  assert.deepEqual(actions(evs), [
    'top',
    'exec_create: true',
    'exec_start: true',
    'exec_die',
    'archive-path',
    'extract-to-dir',
    'pause', // commit pauses a running container (pause=true), as moby's does
    'unpause',
    'commit',
    'export',
    'pause',
    'unpause',
    'resize',
  ]);
  for (const e of evs)
    assert.deepEqual([e.Actor.ID, e.Actor.Attributes.name, e.Actor.Attributes.tier], [id, 'ev', 'back']);
  const execId = find(evs, 'exec_create: true').Actor.Attributes.execID;
  assert.ok(execId);
  assert.deepEqual(find(evs, 'exec_die').Actor.Attributes.execID, execId);
  assert.equal(find(evs, 'exec_die').Actor.Attributes.exitCode, '0');
  const commit = find(evs, 'commit').Actor.Attributes;
  assert.deepEqual([commit.comment, commit.imageID, commit.imageRef], ['snap', imageId, 'ev/snap:1']);
  const resize = find(evs, 'resize').Actor.Attributes;
  assert.deepEqual([resize.height, resize.width], ['30', '100']);
  // event=exec_start matches the action with its command (moby's fuzzy exec/health filter)
  const exec = await eventsSince(since, { event: ['exec_start'] });
  assert.deepEqual(actions(exec), ['exec_start: true']);
  // the commit created and tagged its image (moby's CommitImage and TagImage)
  const img = await eventsSince(since, { type: ['image'] });
  assert.deepEqual(
    img.map((e) => [e.Action, e.Actor.ID, e.Actor.Attributes.name]),
    [
      ['create', imageId, imageId],
      ['tag', imageId, 'ev/snap:1'],
    ],
  );
  // image= finds the tag by the name without its tag
  assert.deepEqual(actions(await eventsSince(since, { image: ['ev/snap'] })), ['tag']);
  await ok(['rm', '-f', 'ev']);
  await ok(['rmi', 'ev/snap:1']);
});

test('image events: tag, save, untag, load, import, delete; type=image and image= filters', { skip }, async () => {
  const busybox = await ok(['image', 'inspect', '--format', '{{.Id}}', 'busybox']);
  const since = now();
  await ok(['tag', 'busybox', 'ev/img:1']);
  await ok(['save', '-o', join(tmp, 'img.tar'), 'ev/img:1']);
  await ok(['rmi', 'ev/img:1']);
  await ok(['load', '-i', join(tmp, 'img.tar')]);
  const imported = await ok(['import', join(tmp, 'ev.tar'), 'ev/imp:1']);
  await ok(['rmi', 'ev/imp:1']);
  await ok(['run', '--name', 'noise', 'busybox', 'true']); // container events the type filter leaves out
  await ok(['rm', 'noise']);
  const evs = await eventsSince(since, { type: ['image'] });
  assert.deepEqual(
    evs.map((e) => [e.Action, e.Actor.ID, e.Actor.Attributes.name]),
    [
      ['tag', busybox, 'ev/img:1'],
      ['save', busybox, busybox],
      ['untag', busybox, busybox],
      ['load', busybox, busybox],
      ['tag', imported, 'ev/imp:1'],
      ['import', imported, imported],
      ['untag', imported, imported],
      ['delete', imported, imported],
    ],
  );
  assert.deepEqual(actions(await eventsSince(since, { image: ['ev/img:1'] })), ['tag']);
  assert.deepEqual(actions(await eventsSince(since, { image: [imported], event: ['delete'] })), ['delete']);
  await ok(['rmi', 'ev/img:1']);
});

test('docker build -t logs a tag event per tag, also when a cached rebuild changes nothing (moby TagImage)', {
  skip,
}, async () => {
  writeFileSync(join(tmp, 'Dockerfile.ev'), 'FROM busybox\nRUN echo built > /f\n');
  const since = now();
  const id = await ok(['build', '-q', '-f', join(tmp, 'Dockerfile.ev'), '-t', 'ev/b:1', '-t', 'ev/b:2', tmp]);
  await ok(['build', '-q', '-f', join(tmp, 'Dockerfile.ev'), '-t', 'ev/b:1', tmp]);
  const evs = await eventsSince(since, { type: ['image'], event: ['tag'] });
  assert.deepEqual(
    evs.map((e) => [e.Actor.ID, e.Actor.Attributes.name]),
    [
      [id, 'ev/b:1'],
      [id, 'ev/b:2'],
      [id, 'ev/b:1'],
    ],
  );
  await ok(['rmi', 'ev/b:1', 'ev/b:2']);
});

test('volume create and destroy come from the volume service: docker run -v /anon, rm -v, volume create/rm/prune', {
  skip,
}, async () => {
  const since = now();
  await ok(['run', '--name', 'vv', '-v', '/data', 'busybox', 'true']);
  const anon = JSON.parse(await ok(['inspect', '--format', '{{json .Mounts}}', 'vv']))[0].Name as string;
  await ok(['rm', '-v', 'vv']);
  await ok(['volume', 'create', 'evvol']);
  await ok(['volume', 'create', 'evvol']); // exists already: no second create
  await ok(['volume', 'rm', 'evvol']);
  await ok(['volume', 'create', 'evvol2']);
  await ok(['volume', 'prune', '-af']);
  const evs = await eventsSince(since, { type: ['volume'], event: ['create', 'destroy', 'prune'] });
  assert.deepEqual(
    evs.map((e) => [e.Action, e.Actor.ID]),
    [
      ['create', anon],
      ['destroy', anon],
      ['create', 'evvol'],
      ['destroy', 'evvol'],
      ['create', 'evvol2'],
      ['destroy', 'evvol2'],
      ['prune', ''],
    ],
  );
});

test('network events: create, connect, disconnect, destroy with name, type and container', { skip }, async () => {
  const cid = await ok(['run', '-d', '--name', 'netc', 'busybox', 'sleep', '60']);
  const since = now();
  const nid = await ok(['network', 'create', '--label', 'team=ev', 'evnet']);
  await ok(['network', 'connect', 'evnet', 'netc']);
  await ok(['network', 'disconnect', 'evnet', 'netc']);
  await ok(['network', 'rm', 'evnet']);
  const evs = await eventsSince(since, { network: ['evnet'] });
  assert.deepEqual(
    evs.map((e) => [e.Type, e.Action, e.Actor.ID, e.Actor.Attributes.name, e.Actor.Attributes.type]),
    ['create', 'connect', 'disconnect', 'destroy'].map((a) => ['network', a, nid, 'evnet', 'bridge']),
  );
  assert.equal(find(evs, 'connect').Actor.Attributes.container, cid);
  assert.equal(find(evs, 'disconnect').Actor.Attributes.container, cid);
  assert.deepEqual(actions(await eventsSince(since, { type: ['network'], event: ['connect'] })), ['connect']);
  await ok(['rm', '-f', 'netc']);
});

test('prune events (one per kind, with reclaimed=) as the docker CLI shows them', { skip }, async () => {
  const since = now();
  await ok(['run', '--name', 'pr', 'busybox', 'true']);
  await ok(['container', 'prune', '-f']);
  await ok(['image', 'prune', '-f']);
  await ok(['network', 'prune', '-f']);
  const out = await ok([
    'events',
    '--since',
    since,
    '--until',
    now(),
    '--filter',
    'event=prune',
    '--format',
    '{{.Type}} {{.Action}} {{.Actor.Attributes.reclaimed}}',
  ]);
  const lines = out.split('\n');
  assert.equal(lines.length, 3, out);
  assert.match(lines[0]!, /^container prune \d+$/);
  assert.deepEqual(lines.slice(1), ['image prune 0', 'network prune 0']);
});

test('push and pull: image events whose actor is the reference', {
  skip: skip || (existsSync(DOCKER_REGISTRY) ? false : 'docker-registry is not installed'),
}, async () => {
  let reg: TestRegistry | undefined;
  try {
    reg = await startDockerRegistry(tmp);
    const ref = `${reg.addr}/ev/pp`;
    await ok(['tag', 'busybox', `${ref}:1`]);
    const since = now();
    await ok(['push', `${ref}:1`]);
    await ok(['rmi', `${ref}:1`]);
    await ok(['pull', `${ref}:1`]);
    const evs = await eventsSince(since, { type: ['image'], event: ['push', 'pull'] });
    assert.deepEqual(
      evs.map((e) => [e.Action, e.Actor.ID, e.Actor.Attributes.name]),
      [
        ['push', `${ref}:1`, ref],
        ['pull', `${ref}:1`, ref],
      ],
    );
    await ok(['rmi', `${ref}:1`]);
  } finally {
    reg?.stop();
  }
});
