import { test } from 'node:test';
import assert from 'node:assert/strict';
import { open, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { testDir } from '../util/test-dirs.js';
import { encodeJsonEntry, JsonFileReader } from './json-file/json-file.js';
import { K8sFileReader } from './common/k8s-file.js';
import { sinceOffset } from './common/since-offset.js';
import { parseRFC3339Bytes } from './common/timestamps.js';

const t0 = 1_700_000_000_000_000_000n;
const SEC = 1_000_000_000n;

test('sinceOffset lands on a line start close before the first line at or after since', async () => {
  const dir = await testDir('berth-since-');
  const p = join(dir, 'x-json.log');
  const lines = Array.from({ length: 20000 }, (_, i) =>
    encodeJsonEntry({
      stream: i % 3 ? 'stdout' : 'stderr',
      time: t0 + BigInt(i) * SEC,
      line: Buffer.from(`line ${i} ${'p'.repeat(i % 50)}\n`),
    }),
  );
  await writeFile(p, lines.join(''));
  const starts: number[] = [];
  let at = 0;
  for (const l of lines) starts.push(at), (at += Buffer.byteLength(l));
  const fh = await open(p, 'r');
  const size = (await fh.stat()).size;
  const time = (b: Buffer, s: number, e: number) => {
    const m = /"time":"([^"]+)"/.exec(b.toString('latin1', s, e));
    return m ? parseRFC3339Bytes(Buffer.from(m[1]!), 0, m[1]!.length) : -1n;
  };
  for (const want of [0, 1, 777, 15000, 19999]) {
    const off = await sinceOffset(fh, size, t0 + BigInt(want) * SEC, time);
    assert.ok(starts.includes(off), 'a line start');
    assert.ok(off <= starts[want]!, 'nothing at or after since is skipped');
    assert.ok(starts[want]! - off <= 2 * 64 * 1024, 'and not far before it');
  }
  assert.equal((await sinceOffset(fh, size, t0 + 10n ** 12n * SEC, time)) > size - 2 * 64 * 1024, true);
  await fh.close();
  // the readers give exactly the lines at or after since
  const read = async (r: JsonFileReader | K8sFileReader, since: bigint) => {
    const out: string[] = [];
    for await (const b of r.readBatches(
      { follow: false, stdout: true, stderr: true, since },
      new AbortController().signal,
    ))
      for (const m of b) out.push(m.line.toString().split(' ')[1]!);
    return out;
  };
  const got = await read(new JsonFileReader(p), t0 + 15000n * SEC);
  assert.equal(got.length, 5000);
  assert.equal(got[0], '15000');
  const k = join(dir, 'container.log');
  const iso = (i: number) =>
    new Date(Number((t0 + BigInt(i) * SEC) / 1_000_000n)).toISOString().replace('Z', '000000Z');
  await writeFile(
    k,
    Array.from({ length: 20000 }, (_, i) => `${iso(i)} stdout F line ${i} ${'q'.repeat(i % 40)}\n`).join(''),
  );
  const gk = await read(new K8sFileReader(k), t0 + 12345n * SEC);
  assert.equal(gk.length, 20000 - 12345);
  assert.equal(gk[0], '12345');
});
