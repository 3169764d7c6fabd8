// The image store's sizes for `system df` and `ps -s`, over a fake snapshotter and a temp root:
// SharedSize and LayersSize as moby computes them, intermediate build images left out, and a
// container's SizeRw in content bytes without the init artifacts; prune's SpaceReclaimed.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Mount } from '../storage/snapshot/snapshotter.js';
import { parseReference } from './reference/reference.js';
import { ImageService, type LayerRecord } from './store.js';

let root: string;
let upper: string;
let images: ImageService;
const fakeSnapshots = {
  list: async () => [],
  stat: async () => null,
  mounts: async (key: string): Promise<Mount[]> => {
    if (key === 'container-c1') return [{ type: 'overlay', source: 'overlay', options: [`upperdir=${upper}`] }];
    if (key === 'container-c2') return [{ type: 'bind', source: upper, options: ['rbind', 'rw'] }];
    throw new Error(`snapshot ${key} does not exist`);
  },
  usage: async () => ({ size: -7, inodes: 0 }),
  remove: async () => {},
};

const layer = (n: number, size: number): LayerRecord => ({
  diffId: `sha256:${String(n).repeat(64)}`,
  chainId: `sha256:${String(n).repeat(64)}`,
  size,
});
const L1 = layer(1, 100);
const L2 = layer(2, 20);
const L3 = layer(3, 5);
const L4 = layer(4, 7);
const L5 = layer(5, 50);
const L6 = layer(6, 9);

async function image(name: string | null, layers: LayerRecord[], parent?: string): Promise<string> {
  const cfg = { architecture: 'amd64', os: 'linux', created: `2024-05-0${layers.length}T00:00:00Z`, name };
  const id = await images.registerImage(Buffer.from(JSON.stringify(cfg)), layers, parent);
  if (name) await images.setReference(parseReference(name), id);
  return id;
}

before(async () => {
  root = await mkdtemp(join(tmpdir(), 'berth-imgdu-'));
  upper = join(root, 'upper');
  await mkdir(join(upper, 'etc'), { recursive: true });
  images = new ImageService(root, fakeSnapshots as unknown as ConstructorParameters<typeof ImageService>[1]);
  await images.init();
});
after(async () => {
  await rm(root, { recursive: true, force: true });
});

test('system df: shared size counts layers another image uses, intermediate ones too; those are not listed', async () => {
  const a = await image('a:1', [L1, L2]);
  const mid = await image(null, [L1, L2, L3], a); // a build step's image: untagged, with a child
  const b = await image('b:1', [L1, L2, L3, L4], mid);
  const c = await image('c:1', [L5]);
  const { layersSize, images: list } = await images.diskUsage();
  const byId = new Map(list.map((v) => [v.record.id, v]));
  assert.deepEqual([...byId.keys()].sort(), [a, b, c].sort(), 'the intermediate image is left out');
  assert.equal(byId.get(a)?.sharedSize, 120);
  assert.equal(byId.get(b)?.sharedSize, 125, 'L3 is shared with the intermediate image');
  assert.equal(byId.get(c)?.sharedSize, 0);
  assert.deepEqual(
    [a, b, c].map((id) => byId.get(id)?.record.size),
    [120, 132, 50],
    'Size: the layers of the image, parents included',
  );
  assert.equal(layersSize, 100 + 20 + 5 + 7 + 50, 'each distinct layer once');
});

test('prune reclaims the bytes of the layers it deleted, not of layers another image keeps', async () => {
  const e = await image(null, [L1, L6]); // dangling: untagged, no child; L1 is a:1's too
  const r = await images.prune({ filters: new Map() }, () => []);
  assert.ok(r.deleted.some((i) => 'deleted' in i && i.deleted === e));
  assert.equal(r.spaceReclaimed, 9);
});

test('rootfsUsage: the bytes the container wrote, its init artifacts not counted (overlay or bind)', async () => {
  for (const f of ['etc/hosts', 'etc/hostname', 'etc/resolv.conf', '.dockerenv']) await writeFile(join(upper, f), '');
  await symlink('/proc/mounts', join(upper, 'etc/mtab'));
  await writeFile(join(upper, 'f'), 'abc');
  assert.equal((await images.rootfsUsage('c1')).size, 3);
  assert.equal((await images.rootfsUsage('c2')).size, 3);
  await writeFile(join(upper, 'etc/motd'), 'hi\n');
  assert.equal((await images.rootfsUsage('c1')).size, 3 + 3, 'a real file in /etc counts, the artifacts beside it not');
  await assert.rejects(images.rootfsUsage('gone'), /does not exist/);
});
