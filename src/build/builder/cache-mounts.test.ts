import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { CacheMounts, parseGoDuration, pruneOptions } from './cache-mounts.js';
import { parseRunMount } from './run-mounts.js';

const tmp = mkdtempSync(join(tmpdir(), 'berth-cachemounts-'));
after(() => rmSync(tmp, { recursive: true, force: true }));
const isRoot = process.getuid?.() === 0;
const tick = () => new Promise((r) => setTimeout(r, 5));

test('one directory per id, kept across uses, created with mode/uid/gid, seeded once', async () => {
  const c = new CacheMounts(join(tmp, 'a'));
  const m = parseRunMount(`type=cache,target=/c,id=x,mode=0711${isRoot ? ',uid=12,gid=34' : ''}`);
  let seeded = 0;
  const a = await c.acquire(
    m,
    'cached mount /c from exec make',
    async (d) => (seeded++, writeFileSync(join(d, 'seed'), 's')),
  );
  assert.equal(statSync(a.dir).mode & 0o777, 0o711);
  if (isRoot) assert.deepEqual([statSync(a.dir).uid, statSync(a.dir).gid], [12, 34]);
  writeFileSync(join(a.dir, 'f'), 'kept');
  a.release();
  const b = await c.acquire(m, 'other', async () => void seeded++);
  assert.equal(b.dir, a.dir);
  assert.equal(seeded, 1);
  b.release();
  const other = await c.acquire(parseRunMount('type=cache,target=/c'), 'd');
  assert.notEqual(other.dir, a.dir, 'another id, another dir');
  other.release();
  const [r] = (await c.list()).filter((x) => x.cacheId === 'x');
  assert.equal(r.usageCount, 2);
  assert.equal(r.description, 'cached mount /c from exec make');
  assert.equal(r.inUse, false);
  assert.ok(r.size >= 2, 'its files count');
});

test('sharing: shared = same dir at once, private = a dir of its own while busy, locked = one at a time', async () => {
  const c = new CacheMounts(join(tmp, 's'));
  const s1 = await c.acquire(parseRunMount('type=cache,target=/c,id=s'), 'd');
  const s2 = await c.acquire(parseRunMount('type=cache,target=/c,id=s'), 'd');
  assert.equal(s1.dir, s2.dir);
  const p1 = await c.acquire(parseRunMount('type=cache,target=/c,id=s,sharing=private'), 'd');
  const p2 = await c.acquire(parseRunMount('type=cache,target=/c,id=s,sharing=private'), 'd');
  assert.equal(new Set([s1.dir, p1.dir, p2.dir]).size, 3, 'each private user gets its own directory');
  s1.release();
  s2.release();
  p1.release();
  const p3 = await c.acquire(parseRunMount('type=cache,target=/c,id=s,sharing=private'), 'd');
  assert.equal(p3.dir, s1.dir, 'an idle instance is reused');
  p2.release();
  p3.release();
  const order: string[] = [];
  const l = parseRunMount('type=cache,target=/c,id=l,sharing=locked');
  const l1 = await c.acquire(l, 'd');
  const l2 = c.acquire(l, 'd').then((h) => (order.push('second'), h));
  await tick();
  order.push('first releases');
  l1.release();
  (await l2).release();
  assert.deepEqual(order, ['first releases', 'second']);
});

test('prune: unused only, until keeps recent ones, keep-storage keeps the most recently used, filters', async () => {
  const c = new CacheMounts(join(tmp, 'p'));
  const mk = async (id: string, bytes: number) => {
    const h = await c.acquire(parseRunMount(`type=cache,target=/c,id=${id}`), `cached mount /c ${id}`);
    writeFileSync(join(h.dir, 'data'), Buffer.alloc(bytes, 1));
    h.release();
    await tick();
    return h.dir.split('/').pop()!;
  };
  const old = await mk('old', 8192);
  const mid = await mk('mid', 8192);
  const busy = await c.acquire(parseRunMount('type=cache,target=/c,id=busy'), 'd');
  // "old" was last used two days ago
  const meta = join(tmp, 'p', old + '.json');
  const m = JSON.parse(await import('node:fs').then((f) => f.readFileSync(meta, 'utf8')));
  writeFileSync(meta, JSON.stringify({ ...m, lastUsedAt: new Date(Date.now() - 48 * 3600e3).toISOString() }));
  let r = await c.prune(pruneOptions(new Map([['until', ['24h']]]), false, null));
  assert.deepEqual(r.deleted, [old]);
  assert.ok(r.reclaimed >= 8192);
  assert.ok(!existsSync(join(tmp, 'p', old)) && !existsSync(meta));
  const newer = await mk('newer', 8192);
  r = await c.prune(pruneOptions(new Map(), true, String(20_000))); // 12 KiB each (file + dir blocks), 4 KiB busy
  assert.deepEqual(r.deleted, [mid], 'the least recently used goes first, until the rest fits');
  r = await c.prune(pruneOptions(new Map([['id', [newer.slice(0, 6)]]]), false, null));
  assert.deepEqual(r.deleted, [newer]);
  r = await c.prune(pruneOptions(new Map(), true, null));
  assert.deepEqual(r, { deleted: [], reclaimed: 0 }, 'a cache in use is never pruned');
  busy.release();
  r = await c.prune(pruneOptions(new Map([['type', ['regular']]]), true, null));
  assert.deepEqual(r.deleted, []);
  r = await c.prune(pruneOptions(new Map(), false, null));
  assert.equal(r.deleted.length, 1);
  assert.deepEqual(readdirSync(join(tmp, 'p')), []);
});

test('a directory without its metadata (crash) is still listed and pruned', async () => {
  const c = new CacheMounts(join(tmp, 'crash'));
  const h = await c.acquire(parseRunMount('type=cache,target=/c,id=z'), 'd');
  h.release();
  const name = h.dir.split('/').pop()!;
  rmSync(join(tmp, 'crash', name + '.json'));
  utimesSync(h.dir, 1000, 1000);
  const [r] = await c.list();
  assert.equal(r.id, name);
  assert.equal(r.lastUsedAt, new Date(1000 * 1000).toISOString());
  assert.deepEqual((await c.prune(pruneOptions(new Map([['until', ['1h']]]), false, null))).deleted, [name]);
});

test("prune options: Go durations and moby's errors", () => {
  assert.equal(parseGoDuration('24h'), 86_400_000);
  assert.equal(parseGoDuration('1h30m'), 5_400_000);
  assert.equal(parseGoDuration('1.5s'), 1500);
  assert.equal(parseGoDuration('0'), 0);
  assert.throws(() => parseGoDuration('10'), { message: 'time: missing unit in duration "10"' });
  assert.throws(() => parseGoDuration('1d'), { message: 'time: unknown unit "d" in duration "1d"' });
  assert.throws(() => pruneOptions(new Map([['until', ['x']]]), false, null), {
    message: `"until" filter expects a duration (e.g., '24h'): time: invalid duration "x"`,
  });
  assert.throws(
    () =>
      pruneOptions(
        new Map([
          ['until', ['1h']],
          ['unused-for', ['2h']],
        ]),
        false,
        null,
      ),
    { message: 'conflicting filters: "until" and "unused-for"' },
  );
  assert.throws(() => pruneOptions(new Map([['until', ['1h', '2h']]]), false, null), {
    message: 'filters expect only one value',
  });
  assert.equal(pruneOptions(new Map([['unused-for', ['2h']]]), true, '1024').keepDuration, 7_200_000);
  assert.equal(pruneOptions(new Map(), true, '1024').keepStorage, 1024);
});

test('regression: the `until` filter reads durations as Go does (".5h" was refused; overflow is invalid)', () => {
  assert.equal(pruneOptions(new Map([['until', ['.5h']]]), false, null).keepDuration, 1_800_000);
  assert.throws(() => pruneOptions(new Map([['until', ['2562048h']]]), false, null), {
    message: `"until" filter expects a duration (e.g., '24h'): time: invalid duration "2562048h"`,
  });
});
