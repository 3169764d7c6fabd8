// The namespace pool over real namespaces (root): a start takes a namespace made ahead of time, removal
// takes both the link and the namespace, and the pooled ones a killed berthd left are swept at the next start.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { Netns } from './netns.js';

const skip = process.getuid?.() !== 0 ? 'needs root (unshare, mount)' : false;
const mounted = (dir: string) => fs.readFileSync('/proc/self/mountinfo', 'utf8').split(dir + '/').length - 1;

/** An exec-root's netns dir and a pool dir of its own, both temporary. */
function dirs(): { dir: string; pool: string; done: () => void } {
  const top = fs.mkdtempSync(path.join(os.tmpdir(), 'netns-'));
  const [dir, pool] = [path.join(top, 'netns'), path.join(top, 'pool')];
  fs.mkdirSync(dir);
  const done = () => {
    for (const d of [dir, pool])
      for (const n of fs.existsSync(d) ? fs.readdirSync(d) : []) spawnSync('umount', ['-l', path.join(d, n)]);
    fs.rmSync(top, { recursive: true, force: true });
  };
  return { dir, pool, done };
}
const pooled = (pool: string) => (fs.existsSync(pool) ? fs.readdirSync(pool) : []);

test('create takes a pooled namespace by a link; remove and drain leave nothing', { skip }, async () => {
  const { dir, pool, done } = dirs();
  const ns = new Netns(dir, 2, pool);
  try {
    await ns.create('a'); // an empty pool: made on the spot, and the pool starts filling
    assert.equal(fs.lstatSync(ns.pathOf('a')).isSymbolicLink(), false);
    assert.equal(await ns.filled(), 2);
    await ns.create('b');
    const link = fs.readlinkSync(ns.pathOf('b'));
    assert.equal(path.dirname(link), pool);
    assert.match(path.basename(link), /^\.pool-[0-9a-f]+$/);
    assert.ok(ns.exists('b'), 'the link leads to a mounted namespace');
    assert.deepEqual(ns.list().sort(), ['a', 'b']);
    await ns.remove('b');
    assert.equal(fs.existsSync(link), false);
    assert.equal(fs.existsSync(ns.pathOf('b')), false);
    await ns.remove('a');
    await ns.drain();
    assert.deepEqual(fs.readdirSync(dir), []);
    assert.equal(fs.existsSync(pool), false, 'the drained pool directory goes');
    assert.equal(mounted(dir) + mounted(pool), 0);
  } finally {
    await ns.drain();
    done();
  }
});

test("a killed berthd's pooled namespaces go at the next start; the ones containers use stay", { skip }, async () => {
  const { dir, pool, done } = dirs();
  const first = new Netns(dir, 2, pool);
  try {
    await first.filled();
    await first.create('c'); // takes one; the pool refills behind it
    await first.filled();
    const used = fs.readlinkSync(first.pathOf('c'));
    assert.equal(pooled(pool).length, 3);
    // no drain: as after kill -9
    const again = new Netns(dir, 0, pool);
    await again.drain(); // waits for its sweep
    assert.deepEqual(pooled(pool), [path.basename(used)]);
    assert.ok(again.exists('c'));
    assert.equal(mounted(pool), 1);
    await again.remove('c');
    assert.deepEqual(fs.readdirSync(dir), []);
    assert.deepEqual(pooled(pool), []);
    assert.equal(mounted(pool), 0);
  } finally {
    done();
  }
});
