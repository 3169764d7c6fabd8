// Writes that fail midway (a full disk) leave no temp file and no half entry. The failure is made
// without root: a child process under a file-size rlimit (`ulimit -f`, SIGXFSZ ignored) gets a short
// write and then EFBIG, the same path a write meeting ENOSPC takes.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { testDir } from './test-dirs.js';
import { withPath, writeFileAtomic, writeJsonAtomic } from './atomic.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const mod = (rel: string) => pathToFileURL(path.join(here, rel)).href;

/** Runs an ES module body in a child whose files may not grow past 2 blocks; returns its stdout as JSON. */
async function underFileLimit<T>(dir: string, body: string): Promise<T> {
  const script = path.join(dir, 'child.mjs');
  writeFileSync(script, body);
  const out = execFileSync('sh', ['-c', `ulimit -f 2; trap "" XFSZ; exec "${process.execPath}" "${script}"`], {
    encoding: 'utf8',
  });
  return JSON.parse(out) as T;
}

test('withPath gives Go\'s "write PATH: no space left on device" and keeps the code', () => {
  const e = Object.assign(new Error('ENOSPC: no space left on device, write'), {
    code: 'ENOSPC',
    errno: -28,
    syscall: 'write',
  });
  const w = withPath(e, 'write', '/data/x.json') as NodeJS.ErrnoException;
  assert.equal(w.message, 'write /data/x.json: no space left on device');
  assert.equal(w.code, 'ENOSPC');
  const withOwnPath = Object.assign(new Error('x'), { code: 'ENOENT', path: '/a' });
  assert.equal(withPath(withOwnPath, 'write', '/b'), withOwnPath, 'an error naming its file is kept');
});

test('writeFileAtomic: a write failing midway leaves the old file whole and no temp file', async () => {
  const dir = await testDir('berth-atomic-');
  const data = path.join(dir, 'data');
  execFileSync('mkdir', [data]);
  writeFileSync(path.join(data, 'rec.json'), '{"old":true}');
  const r = await underFileLimit<{ code: string; message: string }>(
    dir,
    `
    import { writeFileAtomic } from ${JSON.stringify(mod('atomic.js'))};
    try { await writeFileAtomic(${JSON.stringify(path.join(data, 'rec.json'))}, 'x'.repeat(64 * 1024)); console.log('{"code":"none"}'); }
    catch (e) { console.log(JSON.stringify({ code: e.code, message: e.message })); }
  `,
  );
  assert.equal(r.code, 'EFBIG');
  assert.match(r.message, /^write .*rec\.json: /);
  assert.deepEqual(readdirSync(data), ['rec.json'], 'no temp file left');
  assert.equal(readFileSync(path.join(data, 'rec.json'), 'utf8'), '{"old":true}');
});

test('json-file writer: an entry batch failing midway is cut off, the file keeps whole lines', async () => {
  const dir = await testDir('berth-atomic-');
  const log = path.join(dir, 'c-json.log');
  const r = await underFileLimit<{ code: string; sizeAfterFirst: number }>(
    dir,
    `
    import { statSync } from 'node:fs';
    import { JsonFileWriter } from ${JSON.stringify(mod('../logs/json-file/json-file.js'))};
    const w = new JsonFileWriter(${JSON.stringify(log)}, { maxSize: -1, maxFile: 1, compress: false });
    const e = (s) => ({ stream: 'stdout', time: 1700000000000000000n, line: Buffer.from(s + '\\n') });
    await w.write([e('first')]);
    const sizeAfterFirst = statSync(${JSON.stringify(log)}).size;
    let code = 'none';
    try { await w.write(Array.from({ length: 200 }, (_, i) => e('flood-' + i))); } catch (x) { code = x.code; }
    await w.close();
    console.log(JSON.stringify({ code, sizeAfterFirst }));
  `,
  );
  assert.equal(r.code, 'EFBIG');
  const text = readFileSync(log, 'utf8');
  assert.equal(text.length, r.sizeAfterFirst, 'the partial batch is gone');
  assert.deepEqual(
    text
      .trimEnd()
      .split('\n')
      .map((l) => (JSON.parse(l) as { log: string }).log),
    ['first\n'],
  );
});

test('writeFileAtomic replaces the file whole, with its mode; a missing directory is an error unless mkdir', async () => {
  const dir = await testDir('berth-atomic-');
  const f = path.join(dir, 'rec.json');
  await writeFileAtomic(f, 'one');
  await writeJsonAtomic(f, { two: 2 }, { mode: 0o640 });
  assert.equal(readFileSync(f, 'utf8'), '{"two":2}');
  assert.equal(statSync(f).mode & 0o777, 0o640);
  assert.deepEqual(readdirSync(dir), ['rec.json'], 'no temp file left');
  const deep = path.join(dir, 'gone', 'rec.json');
  await assert.rejects(writeFileAtomic(deep, 'x'), { code: 'ENOENT' });
  assert.equal(existsSync(path.join(dir, 'gone')), false, 'a removed record directory is not brought back');
  await writeFileAtomic(deep, 'x', { mkdir: true });
  assert.equal(readFileSync(deep, 'utf8'), 'x');
});
