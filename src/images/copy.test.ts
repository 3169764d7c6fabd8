import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import {
  copy,
  limiter,
  Transfers,
  type Descriptor,
  type ImageDestination,
  type ImageSource,
  type LayerRef,
  type ProgressMessage,
} from './copy.js';

const sha = (b: Buffer) => 'sha256:' + createHash('sha256').update(b).digest('hex');

function fixture(blobs: Buffer[], corrupt = -1) {
  const layers: LayerRef[] = blobs.map((b) => ({
    desc: { mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: sha(b), size: b.length },
    diffId: sha(b),
  }));
  const config = Buffer.from('{}');
  let fetches = 0;
  const src: ImageSource = {
    image: async () => ({ config, configDigest: sha(config), layers }),
    blob: async (d: Descriptor) => {
      fetches++;
      const i = layers.findIndex((l) => l.desc.digest === d.digest);
      const b = i === corrupt ? Buffer.from('tampered') : blobs[i];
      return Readable.from([b.subarray(0, 3), b.subarray(3)]);
    },
  };
  const stored = new Map<string, Buffer>();
  let active = 0;
  let peak = 0;
  const dst: ImageDestination = {
    hasLayer: async (l) => (stored.has(l.diffId) ? { desc: l.desc } : null),
    putLayer: async (l, s) => {
      active++;
      peak = Math.max(peak, active);
      const parts: Buffer[] = [];
      try {
        for await (const c of s) parts.push(c as Buffer);
      } finally {
        active--;
      }
      stored.set(l.diffId, Buffer.concat(parts));
      return l.desc;
    },
    commit: async (img, descs) => ({ id: img.configDigest, size: descs.length }),
  };
  return { src, dst, stored, layers, fetches: () => fetches, peak: () => peak };
}

test('copy moves every layer, limits concurrency and reports Docker progress', async () => {
  const blobs = [1, 2, 3, 4, 5].map((i) => Buffer.alloc(1000 * i, i));
  const f = fixture(blobs);
  const msgs: ProgressMessage[] = [];
  const res = await copy(f.src, f.dst, { mode: 'pull', concurrency: 2, progress: (m) => msgs.push(m) });
  assert.equal(res.size, 5);
  assert.equal(f.stored.size, 5);
  assert.ok(f.peak() <= 2, `peak ${f.peak()}`);
  const id = f.layers[0].desc.digest.slice(7, 19);
  const mine = msgs.filter((m) => m.id === id).map((m) => m.status);
  assert.deepEqual(
    mine.filter((s) => s !== 'Downloading'),
    ['Pulling fs layer', 'Verifying Checksum', 'Download complete'],
  );
  assert.ok(
    msgs.some((m) => m.status === 'Waiting'),
    'layers beyond the limit wait',
  );
  // second copy: everything exists
  const again: ProgressMessage[] = [];
  await copy(f.src, f.dst, { mode: 'pull', concurrency: 2, progress: (m) => again.push(m) });
  assert.ok(again.every((m) => m.status === 'Already exists'));
});

test('a blob whose digest does not match fails the copy and stores nothing for it', async () => {
  const f = fixture([Buffer.from('good layer'), Buffer.from('bad layer')], 1);
  await assert.rejects(
    copy(f.src, f.dst, { mode: 'pull', concurrency: 3, progress: () => {} }),
    /filesystem layer verification failed for digest/,
  );
  assert.equal(f.stored.has(f.layers[1].diffId), false);
});

test('Transfers shares one in-flight transfer per key', async () => {
  const t = new Transfers();
  let runs = 0;
  const fn = () => new Promise<number>((r) => setTimeout(() => r(++runs), 10));
  const a = t.run('k', fn);
  const b = t.run('k', fn);
  assert.equal(b.shared, true);
  assert.deepEqual(await Promise.all([a.promise, b.promise]), [1, 1]);
  assert.equal(t.run('k', fn).shared, false);
});

test('limiter never runs more than n at once', async () => {
  const lim = limiter(3);
  let active = 0;
  let peak = 0;
  await Promise.all(
    Array.from({ length: 10 }, () =>
      lim(async () => {
        peak = Math.max(peak, ++active);
        await new Promise((r) => setTimeout(r, 5));
        active--;
      }),
    ),
  );
  assert.equal(peak, 3);
});

test('a pull that shares a download with a cancelled one still completes (it runs the download again)', async () => {
  const blob = Buffer.alloc(4096, 7);
  const f = fixture([blob]);
  const slowSrc: ImageSource = {
    image: f.src.image,
    blob: async () =>
      Readable.from(
        (async function* () {
          for (let i = 0; i < 8; i++) {
            await new Promise((r) => setTimeout(r, 10));
            yield blob.subarray(i * 512, (i + 1) * 512);
          }
        })(),
      ),
  };
  const transfers = new Transfers();
  const ac = new AbortController();
  const first = copy(slowSrc, f.dst, {
    mode: 'pull',
    concurrency: 1,
    progress: () => {},
    transfers,
    signal: ac.signal,
  });
  await new Promise((r) => setTimeout(r, 15));
  const second = copy(slowSrc, f.dst, { mode: 'pull', concurrency: 1, progress: () => {}, transfers });
  await new Promise((r) => setTimeout(r, 10));
  ac.abort(); // the first client left
  await assert.rejects(first, /context canceled|aborted/i);
  const res = await second;
  assert.equal(res.size, 1);
  assert.deepEqual(f.stored.get(f.layers[0]!.diffId), blob);
});
