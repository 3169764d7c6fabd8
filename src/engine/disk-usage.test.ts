import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ImageView } from '../images/store.js';
import type { VolumeInfo } from '../volumes/driver.js';
import { DiskUsage, type DiskUsageDeps } from './disk-usage.js';
import type { ContainerRecord } from './types.js';

const rec = (id: string, image: string) => ({ id, image, config: { Image: 'busybox' } }) as unknown as ContainerRecord;

function fakes(over: Partial<DiskUsageDeps> = {}) {
  const calls: string[] = [];
  const d: DiskUsageDeps = {
    containers: () => [rec('c1', 'sha256:i1'), rec('c2', 'sha256:gone'), rec('c3', 'sha256:i1')],
    rwSize: async (id) => {
      calls.push(`rw ${id}`);
      if (id === 'c3') throw new Error('no snapshot');
      return id === 'c1' ? 100 : 7;
    },
    imageSize: async (id) => {
      calls.push(`img ${id}`);
      if (id === 'sha256:gone') throw new Error('No such image');
      return 1000;
    },
    images: async () => (
      calls.push('images'), { layersSize: 1234, images: [{ record: { id: 'sha256:i1' } } as ImageView] }
    ),
    volumes: async () => (calls.push('volumes'), [{ Name: 'v' } as VolumeInfo]),
    buildCache: async () => (calls.push('build-cache'), []),
    ...over,
  };
  return { df: new DiskUsage(d), calls };
}

test('containerSize: rw layer plus the image; a missing layer or image counts 0', async () => {
  const { df } = fakes();
  assert.deepEqual(await df.containerSize(rec('c1', 'sha256:i1')), { rw: 100, rootFs: 1100 });
  assert.deepEqual(await df.containerSize(rec('c2', 'sha256:gone')), { rw: 7, rootFs: 7 });
  assert.deepEqual(await df.containerSize(rec('c3', 'sha256:i1')), { rw: 0, rootFs: 1000 });
});

test('usage with no types: every kind, the image store asked once (it was asked twice before)', async () => {
  const { df, calls } = fakes();
  const u = await df.usage();
  assert.equal(u.layersSize, 1234);
  assert.equal(u.images?.length, 1);
  assert.deepEqual(
    u.containers?.map((c) => [c.rec.id, c.size]),
    [
      ['c1', { rw: 100, rootFs: 1100 }],
      ['c2', { rw: 7, rootFs: 7 }],
      ['c3', { rw: 0, rootFs: 1000 }],
    ],
  );
  assert.deepEqual(u.volumes, [{ Name: 'v' }]);
  assert.deepEqual(u.buildCache, []);
  assert.equal(calls.filter((c) => c === 'images').length, 1);
});

test('usage with types: only those kinds are computed', async () => {
  const { df, calls } = fakes();
  const u = await df.usage(['volume', 'build-cache']);
  assert.deepEqual(Object.keys(u).sort(), ['buildCache', 'volumes']);
  assert.deepEqual(calls, ['volumes', 'build-cache']);
});

test('without a build cache source the build cache is empty', async () => {
  const { df } = fakes({ buildCache: undefined });
  assert.deepEqual((await df.usage(['build-cache'])).buildCache, []);
});

test('each image carries the number of containers made from it, whatever their state; 0 when none', async () => {
  const view = (id: string, sharedSize: number) =>
    ({ record: { id }, sharedSize }) as ImageView & { sharedSize: number };
  const { df } = fakes({
    images: async () => ({ layersSize: 150, images: [view('sha256:i1', 40), view('sha256:b', 0)] }),
  });
  const u = await df.usage(['image']);
  assert.deepEqual(
    u.images?.map((i) => [i.record.id, i.containers, i.sharedSize]),
    [
      ['sha256:i1', 2, 40],
      ['sha256:b', 0, 0],
    ],
  );
});
