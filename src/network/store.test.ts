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
