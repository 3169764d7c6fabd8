import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { testDir } from '../util/test-dirs.js';
import { NetworkStore, newNetworkRecord } from './store.js';

test('records persist one file each and load back; an unreadable file is reported and skipped', async () => {
  const dir = await testDir('berth-netstore-');
  const a = new NetworkStore(dir);
  await a.persist(a.put(newNetworkRecord('one', 'bridge', {}, 'a'.repeat(64))));
  fs.writeFileSync(path.join(dir, 'broken.json'), '{');
  const b = new NetworkStore(dir);
  const warned: string[] = [];
  await b.load((m) => warned.push(m));
  assert.deepEqual(
    b.list().map((n) => n.name),
    ['one'],
  );
  assert.equal(warned.length, 1);
  assert.match(warned[0]!, /^network state broken\.json: /);
  await b.delete('a'.repeat(64));
  assert.equal(fs.existsSync(path.join(dir, `${'a'.repeat(64)}.json`)), false);
});

test("lookup: id, then name, then a unique id prefix; an ambiguous prefix is refused with Docker's text", async () => {
  const s = new NetworkStore(await testDir('berth-netstore-'));
  s.put(newNetworkRecord('x', 'bridge', {}, `ab1${'0'.repeat(61)}`));
  s.put(newNetworkRecord('ab1', 'bridge', {}, `ab2${'0'.repeat(61)}`));
  assert.equal(s.find('ab1').name, 'ab1', 'a name beats an id prefix');
  assert.equal(s.find('ab2').name, 'ab1');
  assert.throws(() => s.find('ab'), /^EngineError: network ab is ambiguous \(2 matches found based on ID prefix\)$/);
  assert.throws(() => s.find('zz'), /^EngineError: network zz not found$/);
  assert.equal(s.tryFind(''), undefined);
});

test('persist: changes made while a write is queued share it, and each caller finds its change on disk', async () => {
  const dir = await testDir('berth-netstore-');
  const s = new NetworkStore(dir);
  const n = s.put(newNetworkRecord('one', 'bridge', {}, 'c'.repeat(64)));
  const file = path.join(dir, `${n.id}.json`);
  const onDisk = () => Object.keys((JSON.parse(fs.readFileSync(file, 'utf8')) as typeof n).options);
  const writes = Array.from({ length: 20 }, (_, i) => {
    n.options[`k${i}`] = 'v';
    return s.persist(n).then(() => assert.ok(onDisk().includes(`k${i}`), `k${i} written when its persist resolved`));
  });
  assert.equal(new Set([s.persist(n), s.persist(n)]).size, 1, 'callers meanwhile share the queued write');
  await Promise.all(writes);
  assert.equal(onDisk().length, 20);
});

test('delete: a write in flight or queued does not bring the file back', async () => {
  const dir = await testDir('berth-netstore-');
  const s = new NetworkStore(dir);
  const n = s.put(newNetworkRecord('gone', 'bridge', {}, 'd'.repeat(64)));
  const first = s.persist(n);
  n.options.x = '1';
  const second = s.persist(n);
  await s.delete(n.id);
  await Promise.all([first, second]);
  assert.equal(fs.existsSync(path.join(dir, `${n.id}.json`)), false);
});
