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

test('create takes a pooled namespace by a link; remove and drain leave nothing', { skip }, async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'netns-'));
  const ns = new Netns(dir, 2);
  try {
    await ns.create('a'); // an empty pool: made on the spot, and the pool starts filling
    assert.equal(fs.lstatSync(ns.pathOf('a')).isSymbolicLink(), false);
    assert.equal(await ns.filled(), 2);
    await ns.create('b');
    const link = fs.readlinkSync(ns.pathOf('b'));
    assert.match(link, /^\.pool-[0-9a-f]+$/);
    assert.ok(ns.exists('b'), 'the link leads to a mounted namespace');
    assert.deepEqual(ns.list().sort(), ['a', 'b'], 'pooled ones are not containers');
    await ns.remove('b');
    assert.equal(fs.existsSync(path.join(dir, link)), false);
    assert.equal(fs.existsSync(ns.pathOf('b')), false);
    await ns.remove('a');
    await ns.drain();
    assert.deepEqual(fs.readdirSync(dir), []);
    assert.equal(mounted(dir), 0);
  } finally {
    await ns.drain();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("a killed berthd's pooled namespaces go at the next start; the ones containers use stay", { skip }, async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'netns-'));
  const first = new Netns(dir, 2);
  const next = () => new Netns(dir, 0);
  try {
    await first.filled();
    await first.create('c'); // takes one; the pool refills behind it
    await first.filled();
    const used = fs.readlinkSync(first.pathOf('c'));
    assert.equal(fs.readdirSync(dir).filter((n) => n.startsWith('.pool-')).length, 3);
    // no drain: as after kill -9
    const again = next();
    await again.drain(); // waits for its sweep
    assert.deepEqual(fs.readdirSync(dir).sort(), [used, 'c'].sort());
    assert.ok(again.exists('c'));
    assert.equal(mounted(dir), 1);
    await again.remove('c');
    assert.deepEqual(fs.readdirSync(dir), []);
    assert.equal(mounted(dir), 0);
  } finally {
    for (const n of fs.readdirSync(dir)) spawnSync('umount', ['-l', path.join(dir, n)]);
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('removeLater: the namespace goes after `first`; a new one for the id waits for both', { skip }, async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'netns-'));
  const ns = new Netns(dir, 0);
  try {
    await ns.create('x');
    const old = fs.statSync(ns.pathOf('x')).ino;
    const order: string[] = [];
    let unplug!: () => void;
    const gate = new Promise<void>((res) => (unplug = res));
    ns.removeLater('x', () => gate.then(() => void order.push('unplugged')), true);
    assert.equal(ns.exists('x'), false, 'on its way out');
    const again = ns.create('x').then(() => order.push('created'));
    await new Promise((res) => setImmediate(res));
    assert.deepEqual(order, [], 'the new namespace waits');
    unplug();
    await again;
    assert.deepEqual(order, ['unplugged', 'created']);
    assert.ok(ns.exists('x'));
    assert.notEqual(fs.statSync(ns.pathOf('x')).ino, old, 'a new namespace');
    ns.removeLater('x', async () => {}, true);
    await ns.drain(); // waits for pending removals
    assert.deepEqual(fs.readdirSync(dir), []);
    assert.equal(mounted(dir), 0);
  } finally {
    await ns.drain();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
