import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { access, mkdtemp, mkdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { OverlaySnapshotter } from '../storage/snapshot/overlay.js';
import { mountAll, unmount } from '../storage/snapshot/mount.js';
import { makeTar } from '../storage/layers/testtar.js';
import { chainIds, ImageService } from './store.js';

const root0 = process.getuid?.() === 0;
const none = () => [] as { id: string; running: boolean }[];

let tmp: string;
let svc: ImageService;
let bbTar: string;
let bb: string;

async function importsWithChanges(): Promise<void> {
  const r = await svc.import(createReadStream(bbTar), { repo: 'busybox', changes: ['CMD ["sh"]', 'ENV PATH=/bin'] });
  bb = r.id;
  assert.match(bb, /^sha256:[a-f0-9]{64}$/);
  const cfgBytes = await svc.content.readAll(bb);
  const { createHash } = await import('node:crypto');
  assert.equal('sha256:' + createHash('sha256').update(cfgBytes).digest('hex'), bb);
  const cfg = JSON.parse(cfgBytes.toString());
  assert.equal(cfg.os, 'linux');
  assert.equal(cfg.rootfs.type, 'layers');
  assert.equal(cfg.history[0].comment, 'Imported from -');
  assert.deepEqual(cfg.config.Cmd, ['sh']);
  // the uncompressed layer tar is kept in the content store under its diffId
  assert.ok(await svc.content.has(cfg.rootfs.diff_ids[0]));
}

async function resolvesReferences(): Promise<void> {
  for (const ref of [
    'busybox',
    'busybox:latest',
    'docker.io/library/busybox:latest',
    bb,
    bb.slice(7),
    bb.slice(7, 19),
    bb.slice(0, 15),
  ]) {
    assert.equal((await svc.resolve(ref)).id, bb, ref);
  }
  await assert.rejects(svc.resolve('nope'), { message: 'No such image: nope' });
  await assert.rejects(svc.resolve('busybox:other'), { message: 'No such image: busybox:other' });
}

async function viewShape(): Promise<void> {
  const v = await svc.view('busybox');
  assert.equal(v.record.id, bb);
  assert.deepEqual(v.tags, ['busybox:latest']);
  assert.deepEqual(v.digests, []);
  assert.ok(v.graphData && 'UpperDir' in v.graphData, JSON.stringify(v.graphData));
  assert.equal(v.config.rootfs.diff_ids.length, 1);
  assert.ok(v.record.size > 500_000);
  assert.ok(v.record.lastTagTime);
  assert.deepEqual(v.config.config.Env, ['PATH=/bin']);
  assert.equal(v.config.history?.length, 1);
  assert.equal(v.config.history?.[0].comment, 'Imported from -');
  assert.equal(await svc.count(), 1);
}

async function tagsAndFilters(): Promise<void> {
  await svc.tag('busybox', 'localhost:5000/me/bb', '1');
  const gz = gzipSync(await makeTar([{ name: 'hello', body: 'hi' }]));
  const other = (await svc.import(Readable.from([gz]), { changes: ['LABEL a=b'], message: 'msg' })).id;
  const all = await svc.list({ filters: new Map() });
  assert.equal(all.length, 2);
  const top = all.find((s) => s.Id === bb)!;
  assert.deepEqual(top.RepoTags, ['busybox:latest', 'localhost:5000/me/bb:1']);
  assert.deepEqual((await svc.views({ filters: new Map() })).map((v) => v.record.id).sort(), [bb, other].sort());
  const dang = await svc.list({ filters: new Map([['dangling', ['true']]]) });
  assert.deepEqual(
    dang.map((s) => s.Id),
    [other],
  );
  const lab = await svc.list({ filters: new Map([['label', ['a=b']]]) });
  assert.deepEqual(
    lab.map((s) => s.Id),
    [other],
  );
  const refd = await svc.list({ filters: new Map([['reference', ['busy*']]]) });
  assert.deepEqual(
    refd.map((s) => s.RepoTags),
    [['busybox:latest']],
  );
  await assert.rejects(svc.list({ filters: new Map([['bogus', ['x']]]) }), { message: "invalid filter 'bogus'" });
  assert.equal((await svc.view(other)).config.comment, 'msg');
}

async function removeRules(): Promise<void> {
  await assert.rejects(svc.remove(bb.slice(7, 19), {}, none), {
    message: `conflict: unable to delete ${bb.slice(7, 19)} (must be forced) - image is referenced in multiple repositories`,
  });
  assert.deepEqual(await svc.remove('localhost:5000/me/bb:1', {}, none), [{ untagged: 'localhost:5000/me/bb:1' }]);
  const ctr = () => [{ id: 'c'.repeat(64), running: false }];
  await assert.rejects(svc.remove('busybox', {}, ctr), {
    message: `conflict: unable to remove repository reference "busybox" (must force) - container cccccccccccc is using its referenced image ${bb.slice(7, 19)}`,
  });
  const running = () => [{ id: 'd'.repeat(64), running: true }];
  await assert.rejects(svc.remove(bb, { force: true }, running), {
    message: `conflict: unable to delete ${bb.slice(7, 19)} (cannot be forced) - image is being used by running container dddddddddddd`,
  });
  await assert.rejects(svc.remove(bb, {}, ctr), {
    message: `conflict: unable to delete ${bb.slice(7, 19)} (must be forced) - image is being used by stopped container cccccccccccc`,
  });
  assert.deepEqual((await svc.view(bb)).tags, ['busybox:latest']);
}

async function containerRootfs(): Promise<void> {
  const mounts = await svc.createRootfs('ctr1', 'busybox');
  assert.equal(mounts[0].type, 'overlay');
  const mnt = join(tmp, 'mnt');
  await mkdir(mnt);
  await mountAll(mounts, mnt);
  try {
    await access(join(mnt, 'bin/busybox'));
    assert.match(await readFile(join(mnt, 'etc/passwd'), 'utf8'), /^root:x:0:0/);
    const out = execFileSync('chroot', [mnt, '/bin/sh', '-c', 'echo hi > /tmp/x; cat /tmp/x']).toString();
    assert.equal(out, 'hi\n');
  } finally {
    await unmount(mnt);
  }
  assert.deepEqual(await svc.rootfsMounts('ctr1'), mounts);
  assert.ok((await svc.rootfsUsage('ctr1')).inodes >= 2);
  // the layer is in use by the container: deleting the image keeps the snapshot
  await svc.removeRootfs('ctr1');
  await svc.removeRootfs('ctr1'); // idempotent
}

async function restartRebuilds(): Promise<void> {
  const sn = new OverlaySnapshotter(join(tmp, 'data'));
  await sn.prepare('extract-deadbeef', null); // a crash mid-import
  const ghost = chainIds(['sha256:' + 'e'.repeat(64)])[0];
  await sn.prepare('x', null);
  await sn.commit(ghost, 'x'); // a committed layer no image refers to
  const again = new ImageService(join(tmp, 'data'), sn);
  await again.init();
  assert.equal((await again.resolve('busybox')).id, bb);
  assert.equal(await sn.stat('extract-deadbeef'), null);
  assert.equal(await sn.stat(ghost), null);
  const items = await again.remove('busybox', {}, none);
  assert.deepEqual(items.slice(0, 2), [{ untagged: 'busybox:latest' }, { deleted: bb }]);
  assert.equal(items.length, 3); // + the layer
  const pr = await again.prune({ filters: new Map() }, none);
  assert.equal(pr.deleted.filter((i) => 'deleted' in i).length, 2);
  assert.deepEqual(await again.list({ filters: new Map() }), []);
}

describe('ImageService', { skip: root0 ? false : 'needs root (chown, mounts)' }, () => {
  before(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'berth-img-'));
    bbTar = join(tmp, 'bb.tar');
    execFileSync(join(process.cwd(), 'scripts/busybox-rootfs.sh'), [bbTar]);
    svc = new ImageService(join(tmp, 'data'), new OverlaySnapshotter(join(tmp, 'data')));
    await svc.init();
  });
  after(async () => {
    await rm(tmp, { recursive: true, force: true });
  });

  it('imports a tar with changes; id is sha256 of the config', importsWithChanges);
  it('resolves by name, full name, id, short id and sha256: prefix', resolvesReferences);
  it('view: record, config, tags and the snapshot data inspect and history are made of', viewShape);
  it('tags, lists with filters, and rejects unknown filters', tagsAndFilters);
  it('remove: untag when other tags exist, Docker conflict texts, delete', removeRules);
  it('container rootfs: a writable overlay over the image', containerRootfs);
  it('a restarted service rebuilds its indexes and reclaims crash leftovers', restartRebuilds);
});
