import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync, mkdirSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { paths, rootModes, setupRoots } from './paths.js';

test('modes like dockerd: data-root, containers and snapshots 0710; exec-root 0711 only around a socket', () => {
  const p = paths('/var/lib/berth', '/run/berth', '');
  const modes = new Map(rootModes(p, ['/run/berth/berth.sock']));
  assert.equal(modes.get('/var/lib/berth'), 0o710);
  assert.equal(modes.get('/var/lib/berth/containers'), 0o710);
  assert.equal(modes.get('/var/lib/berth/snapshots'), 0o710);
  assert.equal(modes.get('/run/berth'), 0o711);
  assert.equal(modes.get('/run/berth/c'), 0o700);
  assert.equal(modes.get('/run/berth/x'), 0o700);
  assert.equal(new Map(rootModes(p, ['/var/run/berth.sock'])).get('/run/berth'), 0o700);
  assert.equal(new Map(rootModes(p, ['/run/berthx/berth.sock'])).get('/run/berth'), 0o700);
});

test('setupRoots tightens the data-root and our dirs when they exist with looser modes', {
  skip: process.getuid?.() !== 0 && 'needs root (chown)',
}, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'berth-paths-'));
  try {
    const p = paths(join(dir, 'data'), join(dir, 'exec'), '');
    mkdirSync(p.containers, { recursive: true });
    chmodSync(p.dataRoot, 0o755);
    chmodSync(p.containers, 0o777);
    mkdirSync(p.execRoot);
    chmodSync(p.execRoot, 0o755);
    await setupRoots(p, []);
    assert.equal(statSync(p.execRoot).mode & 0o7777, 0o755, 'an existing exec-root is left alone (it may be shared)');
    for (const [d, mode] of rootModes(p, []).filter(([d]) => d !== p.execRoot)) {
      const st = statSync(d);
      assert.equal(st.mode & 0o7777, mode, d);
      assert.equal(st.uid, 0);
      assert.equal(st.gid, 0);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a new exec-root gets its mode despite the umask', {
  skip: process.getuid?.() !== 0 && 'needs root (chown)',
}, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'berth-paths-'));
  const old = process.umask(0o077);
  try {
    const p = paths(join(dir, 'data'), join(dir, 'exec'), '');
    await setupRoots(p, [join(dir, 'exec', 'berth.sock')]);
    assert.equal(statSync(p.execRoot).mode & 0o7777, 0o711);
    assert.equal(statSync(p.dataRoot).mode & 0o7777, 0o710);
  } finally {
    process.umask(old);
    rmSync(dir, { recursive: true, force: true });
  }
});
