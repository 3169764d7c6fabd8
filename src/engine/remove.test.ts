// Removal's directories (remove.ts deleteDirs): a removal alone deletes them before it answers;
// overlapping removals answer once their records are gone and leave the directories to a queue.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, test } from 'node:test';
import { removalsSettled } from './remove.js';
import { type FakeEngine, fakeEngine } from './testing.js';

let eng: FakeEngine | undefined;
afterEach(() => eng?.close());

test('a removal alone answers with its record directory deleted', async () => {
  eng = fakeEngine();
  const { id } = await eng.svc.create({ name: 'one', config: { Image: 'busybox' }, hostConfig: {} });
  assert.ok(fs.existsSync(eng.store.dir(id)));
  await eng.svc.remove('one');
  assert.equal(fs.existsSync(eng.store.dir(id)), false);
});

test('overlapping removals: records and names gone at each answer, every directory once the queue settles', async () => {
  const e = (eng = fakeEngine());
  const ids: string[] = [];
  for (let i = 0; i < 12; i++)
    ids.push((await e.svc.create({ name: `c${i}`, config: { Image: 'busybox' }, hostConfig: {} })).id);
  await Promise.all(
    ids.map(async (id, i) => {
      await e.svc.remove(`c${i}`);
      assert.equal(e.store.get(id), undefined);
      assert.equal(
        fs.existsSync(path.join(e.store.dir(id), 'config.v2.json')),
        false,
        'the record is gone at the answer',
      );
    }),
  );
  await e.svc.create({ name: 'c0', config: { Image: 'busybox' }, hostConfig: {} }); // the name is free
  await removalsSettled();
  for (const id of ids) assert.equal(fs.existsSync(e.store.dir(id)), false, `${id}'s directory is deleted`);
});
