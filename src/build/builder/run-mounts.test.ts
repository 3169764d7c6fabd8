import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { cacheDir, CacheLocks, dropMountStubs, parseRunMount } from './run-mounts.js';

test('parseRunMount: BuildKit defaults and aliases', () => {
  const c = parseRunMount('type=cache,target=/root/.cache/');
  assert.deepEqual(c, { type: 'cache', target: '/root/.cache', source: '', from: undefined, readOnly: false, id: '/root/.cache', sharing: 'shared', mode: 0o755, uid: 0, gid: 0 });
  const c2 = parseRunMount('type=cache,dst=/c,id=go,sharing=locked,mode=0700,uid=1000,gid=100,ro');
  assert.equal(c2.readOnly, true);
  assert.equal(c2.id, 'go');
  assert.equal(c2.sharing, 'locked');
  assert.equal(c2.mode, 0o700);
  assert.deepEqual([c2.uid, c2.gid], [1000, 100]);
  const b = parseRunMount('target=/src,source=app,from=build');
  assert.equal(b.type, 'bind', 'bind is the default type');
  assert.equal(b.readOnly, true, 'binds are read-only by default');
  assert.equal(b.from, 'build');
  assert.equal(parseRunMount('type=bind,target=/src,rw').readOnly, false);
  assert.equal(parseRunMount('type=bind,target=/src,readwrite=true').readOnly, false);
});

test('parseRunMount: errors', () => {
  assert.throws(() => parseRunMount('type=cache'), /mount target must be specified/);
  assert.throws(() => parseRunMount('type=secret,target=/s'), /unsupported mount type "secret"/);
  assert.throws(() => parseRunMount('type=cache,target=/c,sharing=weird'), /unsupported sharing value "weird"/);
  assert.throws(() => parseRunMount('type=cache,target=/c,uid=x'), /invalid value for uid: x/);
  assert.throws(() => parseRunMount('type=cache,target=/c,bogus=1'), /unexpected key 'bogus'/);
});

test('cacheDir persists per id with mode/uid/gid; dropMountStubs removes only empty stubs', async () => {
  const root = mkdtempSync(join(tmpdir(), 'runmounts-'));
  try {
    const m = parseRunMount('type=cache,target=/c,id=x,mode=0711,uid=12,gid=34');
    const a = await cacheDir(root, m);
    assert.equal(a.created, true);
    const st = statSync(a.dir);
    assert.equal(st.mode & 0o777, 0o711);
    assert.deepEqual([st.uid, st.gid], [12, 34]);
    writeFileSync(join(a.dir, 'f'), 'kept');
    const again = await cacheDir(root, m);
    assert.deepEqual(again, { dir: a.dir, created: false });
    assert.notEqual((await cacheDir(root, parseRunMount('type=cache,target=/c'))).dir, a.dir, 'another id, another dir');

    const up = join(root, 'upper');
    mkdirSync(join(up, 'stub'), { recursive: true });
    mkdirSync(join(up, 'full'), { recursive: true });
    writeFileSync(join(up, 'full', 'x'), 'y');
    writeFileSync(join(up, 'filestub'), '');
    await dropMountStubs(up, ['/stub', '/full', '/filestub', '/missing']);
    assert.equal(existsSync(join(up, 'stub')), false);
    assert.equal(existsSync(join(up, 'filestub')), false);
    assert.equal(existsSync(join(up, 'full', 'x')), true);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('CacheLocks serialise holders of one id', async () => {
  const l = new CacheLocks();
  const order: string[] = [];
  const r1 = await l.acquire('a');
  const p2 = l.acquire('a').then((r) => (order.push('second'), r));
  const r3 = await l.acquire('b');
  order.push('other id');
  await new Promise((r) => setTimeout(r, 10));
  order.push('first releases');
  r1();
  (await p2)();
  r3();
  assert.deepEqual(order, ['other id', 'first releases', 'second']);
});
