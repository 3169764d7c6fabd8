import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { dropMountStubs, parseRunMount } from './run-mounts.js';

test('parseRunMount: BuildKit defaults and aliases', () => {
  const c = parseRunMount('type=cache,target=/root/.cache/');
  assert.deepEqual(c, {
    type: 'cache',
    target: '/root/.cache',
    source: '',
    from: undefined,
    readOnly: false,
    id: '/root/.cache',
    sharing: 'shared',
    mode: 0o755,
    uid: 0,
    gid: 0,
  });
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

test('dropMountStubs removes only empty stubs', async () => {
  const root = mkdtempSync(join(tmpdir(), 'runmounts-'));
  try {
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
