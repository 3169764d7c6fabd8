import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { lstat, mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { sha256Digest } from '../storage/content/store.js';
import { tarOf } from '../storage/layers/testtar.js';
import { mountAll, unmount } from '../storage/snapshot/mount.js';
import { OverlaySnapshotter } from '../storage/snapshot/overlay.js';
import { ImageService } from './store.js';

const skip = process.getuid?.() === 0 ? false : 'needs root (mknod, mounts)';

interface Fixture {
  tmp: string;
  snaps: OverlaySnapshotter;
  svc: ImageService;
}

/** A fresh image service on overlay snapshots in a temp dir, for the describe block calling it. */
function useService(): Fixture {
  const fx = {} as Fixture;
  before(async () => {
    fx.tmp = await mkdtemp(join(tmpdir(), 'berth-prep-'));
    fx.snaps = new OverlaySnapshotter(join(fx.tmp, 'data'));
    fx.svc = new ImageService(join(fx.tmp, 'data'), fx.snaps);
    await fx.svc.init();
  });
  after(async () => {
    await rm(fx.tmp, { recursive: true, force: true });
  });
  return fx;
}

const keys = async (fx: Fixture) => (await fx.snaps.list()).map((s) => s.key);

/** The merged view of committed chain `top`, read by `fn`. */
async function merged(fx: Fixture, top: string, fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = join(fx.tmp, 'mnt');
  await mkdir(dir, { recursive: true });
  await mountAll(await fx.snaps.view('view', top), dir);
  try {
    await fn(dir);
  } finally {
    await unmount(dir);
    await fx.snaps.remove('view');
  }
}

describe('layers extracted while they are stored', { skip }, () => {
  const fx = useService();

  it('two layers ingested in parallel, whiteouts included, stack into the right filesystem', async () => {
    const l1 = await tarOf('a=A', 'd/', 'd/b=B', 'd/c=C');
    const l2 = await tarOf('.wh.a', 'd/.wh.b', 'e=E');
    const [d1, d2] = [sha256Digest(l1), sha256Digest(l2)];
    // the second layer finishes first, as a parallel pull may have it
    const r = await Promise.all([
      fx.svc.ingestLayer(Readable.from([l2]), d2),
      fx.svc.ingestLayer(Readable.from([l1]), d1),
    ]);
    assert.deepEqual(
      r.map((x) => x.digest),
      [d2, d1],
    );
    assert.ok(fx.svc.prepared.has(d1) && fx.svc.prepared.has(d2));
    assert.equal((await keys(fx)).filter((k) => k.startsWith('extract-')).length, 2);
    assert.deepEqual(await fx.svc.content.readAll(d2), l2); // the tar itself is kept for save/push
    const a = await fx.svc.ensureLayer(null, d1);
    const b = await fx.svc.ensureLayer(a.chainId, d2);
    assert.equal(a.size, 3);
    assert.equal(b.size, 1);
    assert.deepEqual((await keys(fx)).sort(), [a.chainId, b.chainId].sort()); // no extract-* left
    assert.equal((await fx.snaps.stat(b.chainId))?.parent, a.chainId);
    await merged(fx, b.chainId, async (dir) => {
      assert.deepEqual((await readdir(dir)).sort(), ['d', 'e']);
      assert.deepEqual(await readdir(join(dir, 'd')), ['c']);
      assert.equal(await readFile(join(dir, 'e'), 'utf8'), 'E');
    });
  });

  it('an opaque directory falls back to extraction over the mounted parent', async () => {
    const base = await tarOf('o/', 'o/old=x');
    const top = await tarOf('o/', 'o/.wh..wh..opq', 'o/new=n');
    await fx.svc.ingestLayer(Readable.from([base]), sha256Digest(base));
    await fx.svc.ingestLayer(Readable.from([top]), sha256Digest(top));
    assert.equal(fx.svc.prepared.has(sha256Digest(top)), false); // extraction gave up, the blob is stored
    assert.ok(await fx.svc.content.has(sha256Digest(top)));
    const a = await fx.svc.ensureLayer(null, sha256Digest(base));
    const b = await fx.svc.ensureLayer(a.chainId, sha256Digest(top));
    await merged(fx, b.chainId, async (dir) => assert.deepEqual(await readdir(join(dir, 'o')), ['new']));
  });
});

describe('layers extracted while they are stored: whiteouts and bad digests', { skip }, () => {
  const fx = useService();

  it('a base layer with whiteouts is re-applied without them', async () => {
    const t = await tarOf('.wh.nothing', 'f=F');
    await fx.svc.ingestLayer(Readable.from([t]), sha256Digest(t));
    assert.ok(fx.svc.prepared.has(sha256Digest(t)));
    const l = await fx.svc.ensureLayer(null, sha256Digest(t));
    await merged(fx, l.chainId, async (dir) => {
      assert.deepEqual(await readdir(dir), ['f']);
    });
    assert.equal(
      (await keys(fx)).some((k) => k.startsWith('extract-')),
      false,
    );
  });

  it('a wrong diffID stores nothing and leaves no snapshot; release drops unused extractions', async () => {
    const t = await tarOf('x=X');
    const before = await keys(fx);
    await assert.rejects(fx.svc.ingestLayer(Readable.from([t]), 'sha256:' + '1'.repeat(64)), /digest mismatch/);
    assert.deepEqual(await keys(fx), before);
    assert.equal(await fx.svc.content.has(sha256Digest(t)), false);
    await fx.svc.ingestLayer(Readable.from([t]), sha256Digest(t));
    assert.ok(fx.svc.prepared.has(sha256Digest(t)));
    await fx.svc.prepared.release([sha256Digest(t)]);
    assert.deepEqual(await keys(fx), before);
    assert.equal((await lstat(join(fx.tmp, 'data/content/blobs/sha256', sha256Digest(t).slice(7)))).size, t.length);
  });
});
