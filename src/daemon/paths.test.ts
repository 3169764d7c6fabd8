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

test('setupRoots tightens roots that already exist with looser modes', { skip: process.getuid?.() !== 0 && 'needs root (chown)' }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'berth-paths-'));
  try {
    const p = paths(join(dir, 'data'), join(dir, 'exec'), '');
    mkdirSync(p.containers, { recursive: true });
    chmodSync(p.dataRoot, 0o755);
    chmodSync(p.containers, 0o777);
    await setupRoots(p, []);
    for (const [d, mode] of rootModes(p, [])) {
      const st = statSync(d);
      assert.equal(st.mode & 0o7777, mode, d);
      assert.equal(st.uid, 0);
      assert.equal(st.gid, 0);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
