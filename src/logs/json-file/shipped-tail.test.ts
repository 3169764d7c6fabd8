import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { testDir, testFile } from '../../util/test-dirs.js';
import type { K8sRecord } from '../common/k8s-follower.js';
import { dropShipped, jsonFileTail } from './shipped-tail.js';
import { formatRFC3339Nano } from '../common/timestamps.js';

const T0 = 1_780_000_000_000_000_000n;
const rec = (i: number, time: bigint, stream: 'stdout' | 'stderr' = 'stdout'): K8sRecord => ({
  stream,
  time,
  line: Buffer.from(`n${i}\n`),
  partial: false,
});
const entry = (r: K8sRecord) =>
  JSON.stringify({ log: r.line.toString(), stream: r.stream, time: formatRFC3339Nano(r.time) }) + '\n';

test('a resumed batch loses exactly what the json-file already holds, same-timestamp lines included', async () => {
  const file = await testFile('berth-tail-', 'c-json.log');
  // conmon stamped n2..n4 alike; the log got n0..n3 (the kill came before n4 was written)
  const all = [rec(0, T0), rec(1, T0 + 5n), rec(2, T0 + 9n), rec(3, T0 + 9n), rec(4, T0 + 9n), rec(5, T0 + 20n)];
  writeFileSync(file, all.slice(0, 4).map(entry).join('') + '{"log":"cut sh');
  const tail = await jsonFileTail(file);
  assert.ok(tail);
  assert.equal(tail.time, T0 + 9n);
  const first = dropShipped(all.slice(1, 3), tail); // a batch entirely shipped: keep checking
  assert.deepEqual(first, { rest: [], pending: true });
  const second = dropShipped(all.slice(3), tail);
  assert.deepEqual(
    second.rest.map((r) => r.line.toString().trim()),
    ['n4', 'n5'],
  );
  assert.equal(second.pending, false);
});

test('nothing is dropped when the log ends before the batch, is empty or is missing', async () => {
  const dir = await testDir('berth-tail-');
  const file = join(dir, 'c-json.log');
  writeFileSync(file, entry(rec(0, T0)));
  const tail = (await jsonFileTail(file))!;
  const batch = [rec(1, T0 + 1n), rec(2, T0 + 2n)];
  assert.deepEqual(dropShipped(batch, tail), { rest: batch, pending: false });
  writeFileSync(file, '');
  assert.equal(await jsonFileTail(file), null);
  assert.equal(await jsonFileTail(join(dir, 'missing.log')), null);
  // a same-time line the log does not hold (other stream) is written
  writeFileSync(file, entry(rec(7, T0)));
  const t2 = (await jsonFileTail(file))!;
  assert.deepEqual(dropShipped([rec(7, T0, 'stderr')], t2).rest.length, 1);
});
