import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { testDir } from '../util/test-dirs.js';
import { ContainerStore } from './store.js';
import type { ContainerRecord } from './types.js';

const rec = (id: string, name: string) => ({ id, name, state: { status: 'created' } }) as unknown as ContainerRecord;

test('a new record that cannot be written is not listed (a failed create leaves nothing)', async () => {
  const root = await testDir('berth-store-');
  const s = new ContainerStore(root);
  await s.load();
  // the record's directory cannot be made: a plain file stands where it goes (any write failure, ENOSPC included)
  writeFileSync(path.join(root, 'bad'), '');
  await assert.rejects(s.save(rec('bad', 'x')));
  assert.equal(s.get('bad'), undefined);
  assert.deepEqual(s.all(), []);
  await s.save(rec('good', 'y'));
  assert.deepEqual(
    s.all().map((r) => r.id),
    ['good'],
  );
  assert.equal(s.nameOwner('y'), 'good');
  const again = new ContainerStore(root);
  assert.deepEqual(
    (await again.load()).map((r) => r.id),
    ['good'],
    'what is listed is what is on disk',
  );
});
