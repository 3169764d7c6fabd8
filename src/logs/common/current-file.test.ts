import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFile, rename, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { testDir, testFile } from '../../util/test-dirs.js';
import { type CurrentFileOptions, readCurrentFile } from './current-file.js';
import { FollowWake } from './log-reader.js';
import { latch } from '../../util/latch.js';

async function collect(
  path: string,
  opts: { follow: boolean; truncation?: boolean },
  step: (text: string) => Promise<boolean>,
) {
  const ac = new AbortController();
  const { promise: done, open: finish } = latch();
  const wake = new FollowWake(path, 10, opts.follow, ac.signal, done);
  let text = '';
  try {
    for await (const c of readCurrentFile({
      path,
      follow: opts.follow,
      signal: ac.signal,
      wake,
      chunkSize: 4,
      truncation: opts.truncation,
    })) {
      text += c.toString();
      if (await step(text)) finish();
    }
  } finally {
    wake.close();
  }
  return text;
}

/** Reads `path` once (no follow) in 4-byte chunks; `each` sees every chunk as it comes. */
async function readOnce(
  path: string,
  extra: Pick<CurrentFileOptions, 'start' | 'carry'>,
  each?: (c: Buffer) => void,
): Promise<string[]> {
  const ac = new AbortController();
  const wake = new FollowWake(path, 10, false, ac.signal);
  const chunks: string[] = [];
  try {
    for await (const c of readCurrentFile({ path, follow: false, signal: ac.signal, wake, chunkSize: 4, ...extra })) {
      chunks.push(c.toString());
      each?.(c);
    }
  } finally {
    wake.close();
  }
  return chunks;
}

/** Follows `path`; once the text read is `at`, runs `change`; stops when the text ends with `end`. */
async function followAcross(
  path: string,
  opts: { follow: boolean; truncation?: boolean },
  at: string,
  end: string,
  change: () => Promise<void>,
): Promise<string> {
  let changed = false;
  return collect(path, opts, async (t) => {
    if (t === at && !changed) {
      changed = true;
      await change();
    }
    return t.endsWith(end);
  });
}

test('readCurrentFile: without follow, the whole file in chunks from the start offset', async () => {
  const p = join(await testDir('berth-cur-'), 'x.log');
  await writeFile(p, 'abcdefghij');
  assert.deepEqual(await readOnce(p, { start: () => 2 }), ['cdef', 'ghij']);
});

test('readCurrentFile: following across a rotation reads the old file to its end, then the new one', async () => {
  const p = await testFile('berth-cur-', 'x.log');
  await writeFile(p, 'one\n');
  const text = await followAcross(p, { follow: true }, 'one\n', 'two\n', async () => {
    await appendFile(p, 'tail\n'); // written just before the rename: still read
    await rename(p, p + '.1');
    await writeFile(p, 'two\n');
  });
  assert.equal(text, 'one\ntail\ntwo\n');
});

test('readCurrentFile: with truncation, a file cut under the reader is read again from the start', async () => {
  const p = join(await testDir('berth-cur-'), 'x.log');
  await writeFile(p, 'abcdefgh');
  const text = await followAcross(p, { follow: true, truncation: true }, 'abcdefgh', 'xy', async () => {
    await truncate(p, 0);
    await appendFile(p, 'xy');
  });
  assert.equal(text, 'abcdefghxy');
});

test('readCurrentFile: the carry is put before the next read', async () => {
  const p = join(await testDir('berth-cur-'), 'x.log');
  await writeFile(p, 'abcdefgh');
  let carry: Buffer | null = null;
  const chunks = await readOnce(p, { carry: () => carry }, (c) => {
    carry = c.subarray(c.length - 1); // the last byte was not parsed yet
  });
  assert.deepEqual(chunks, ['abcd', 'defgh'], 'a read with nothing new yields nothing, carry or not');
});
