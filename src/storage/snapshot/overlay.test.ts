import { it } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, readFile, mkdir, access, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { snapshotterSuite } from './testsuite.js';
import { OverlaySnapshotter } from './overlay.js';
import { testDir } from '../../util/test-dirs.js';

snapshotterSuite('overlay', async (root) => new OverlaySnapshotter(root));

it('overlay: mounts use numeric ids and parents in lowerdir order', async () => {
  const root = await testDir('berth-ov-');
  const sn = new OverlaySnapshotter(root);
  const m0 = await sn.prepare('l1-x', null);
  assert.equal(m0[0].type, 'bind');
  await sn.commit('l1', 'l1-x');
  await sn.prepare('l2-x', 'l1');
  await sn.commit('l2', 'l2-x');
  const [m] = await sn.prepare('ctr', 'l2');
  assert.equal(m.type, 'overlay');
  const lower = m.options.find((o) => o.startsWith('lowerdir='));
  assert.equal(lower, `lowerdir=${join(root, 'snapshots/2/fs')}:${join(root, 'snapshots/1/fs')}`);
  assert.ok(m.options.includes(`upperdir=${join(root, 'snapshots/3/fs')}`));
  assert.deepEqual((await sn.list()).map((s) => s.key).sort(), ['ctr', 'l1', 'l2']);
});

it('overlay: a fresh instance reloads metadata and drops orphan dirs and temp files', async () => {
  const root = await testDir('berth-ov-');
  const a = new OverlaySnapshotter(root);
  await a.prepare('k', null);
  await mkdir(join(root, 'snapshots', '99', 'fs'), { recursive: true }); // crash leftover
  await writeFile(join(root, 'snapshots', '.metadata.json.123.abc.tmp'), '{"nextId'); // killed mid-write
  const b = new OverlaySnapshotter(root);
  assert.equal((await b.stat('k'))?.kind, 'active');
  assert.deepEqual((await readdir(join(root, 'snapshots'))).sort(), ['1', 'metadata.json']);
  await b.remove('k');
  await assert.rejects(access(join(root, 'snapshots', '1')));
});

it('overlay: commitOnto stacks a snapshot prepared without parent on a committed one', async () => {
  const root = await testDir('berth-ov-');
  const sn = new OverlaySnapshotter(root);
  await sn.prepare('base-x', null);
  await sn.commit('base', 'base-x');
  await sn.prepare('alone', null);
  await assert.rejects(sn.commitOnto('top', 'alone', 'missing'), /does not exist/);
  await sn.commitOnto('top', 'alone', 'base');
  assert.deepEqual(await sn.stat('top'), {
    key: 'top',
    kind: 'committed',
    parent: 'base',
    created: (await sn.stat('top'))!.created,
  });
  assert.equal(await sn.stat('alone'), null);
  const [m] = await sn.view('v', 'top');
  assert.ok(m.options.includes(`lowerdir=${join(root, 'snapshots/2/fs')}:${join(root, 'snapshots/1/fs')}`));
  await assert.rejects(sn.remove('base'), /depends on it/);
});

it('overlay: concurrent removals share metadata writes, and all of them are on disk after', async () => {
  const root = await testDir('berth-ov-');
  let writes = 0;
  const sn = new OverlaySnapshotter(root, async (file, value) => {
    writes++;
    await writeFile(file, JSON.stringify(value));
  });
  const keys = Array.from({ length: 50 }, (_, i) => `ctr${i}`);
  for (const k of keys) await sn.prepare(k, null);
  writes = 0;
  await Promise.all(keys.map((k) => sn.remove(k)));
  // one write per removal before the group commit; the first removal's own, then the rest's
  assert.ok(writes <= 2, `${writes} metadata writes for 50 removals`);
  const onDisk = JSON.parse(await readFile(join(root, 'snapshots', 'metadata.json'), 'utf8')) as {
    snapshots: object;
  };
  assert.deepEqual(Object.keys(onDisk.snapshots), []);
  assert.deepEqual(await readdir(join(root, 'snapshots')), ['metadata.json']);
});

it('overlay: a failed shared write fails every removal in it, which keep their entry and data', async () => {
  const root = await testDir('berth-ov-');
  let fail = false;
  const sn = new OverlaySnapshotter(root, async (file, value) => {
    if (fail) throw Object.assign(new Error('EIO: i/o error, write'), { code: 'EIO' });
    await writeFile(file, JSON.stringify(value));
  });
  await sn.prepare('a', null);
  await sn.prepare('b', null);
  fail = true;
  const rs = await Promise.allSettled([sn.remove('a'), sn.remove('b')]);
  assert.deepEqual(
    rs.map((r) => r.status),
    ['rejected', 'rejected'],
  );
  assert.equal((await sn.stat('a'))?.kind, 'active');
  assert.equal((await sn.stat('b'))?.kind, 'active');
  await access(join(root, 'snapshots', '1', 'fs'));
  fail = false;
  await sn.remove('a');
  assert.equal(await sn.stat('a'), null);
  await assert.rejects(access(join(root, 'snapshots', '1')));
});
