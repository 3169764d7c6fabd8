// Contract suite every Snapshotter implementation must pass (needs root: it mounts).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, readFile, rm, writeFile, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mountAll, unmount } from '../snapshot/mount.js';
import type { Snapshotter } from './snapshotter.js';

export function snapshotterSuite(name: string, make: (root: string) => Promise<Snapshotter>): void {
  const skip = process.getuid?.() !== 0 ? 'snapshotter contract needs root (mounts)' : false;
  describe(`Snapshotter contract: ${name}`, { skip }, () => {
    let root: string;
    let sn: Snapshotter;
    let mnt: string;
    before(async () => {
      root = await mkdtemp(join(tmpdir(), 'berth-snap-'));
      mnt = join(root, 'mnt');
      await mkdir(mnt);
      sn = await make(join(root, 'data'));
    });
    after(async () => {
      await unmount(mnt);
      await rm(root, { recursive: true, force: true });
    });

    const withMount = async <T>(mounts: Awaited<ReturnType<Snapshotter['mounts']>>, fn: () => Promise<T>) => {
      await mountAll(mounts, mnt);
      try {
        return await fn();
      } finally {
        await unmount(mnt);
      }
    };

    it('prepares, writes, commits and stacks layers', async () => {
      await withMount(await sn.prepare('a-active', null), async () => {
        await writeFile(join(mnt, 'base'), 'base');
        await writeFile(join(mnt, 'gone'), 'x');
      });
      await sn.commit('a', 'a-active');
      await assert.rejects(sn.mounts('a-active'), /does not exist/);

      await withMount(await sn.prepare('b-active', 'a'), async () => {
        assert.equal(await readFile(join(mnt, 'base'), 'utf8'), 'base');
        await writeFile(join(mnt, 'top'), 'top');
        await rm(join(mnt, 'gone'));
      });
      await sn.commit('b', 'b-active');

      await withMount(await sn.view('b-view', 'b'), async () => {
        assert.deepEqual((await readdir(mnt)).sort(), ['base', 'top']);
        await assert.rejects(writeFile(join(mnt, 'nope'), 'x'), /EROFS|read-only/);
      });
      await sn.remove('b-view');
    });

    it('mounts() returns the same mounts again', async () => {
      const m1 = await sn.prepare('c-active', 'b');
      assert.deepEqual(await sn.mounts('c-active'), m1);
      await withMount(m1, async () => {
        await writeFile(join(mnt, 'c'), 'c');
      });
      const u = await sn.usage('c-active');
      assert.ok(u.inodes >= 2 && u.size > 0, JSON.stringify(u));
      await sn.remove('c-active');
    });

    it('refuses duplicate keys, uncommitted parents and removing parents', async () => {
      await assert.rejects(sn.prepare('a', null), /already exists/);
      await sn.prepare('d-active', null);
      await assert.rejects(sn.prepare('e', 'd-active'), /not committed/);
      await assert.rejects(sn.prepare('e', 'missing'), /does not exist/);
      await assert.rejects(sn.remove('a'), /depends on it/);
      await sn.remove('d-active');
      await assert.rejects(sn.remove('d-active'), /does not exist/);
    });

    it('removes a chain top-down', async () => {
      await sn.remove('b');
      await sn.remove('a');
      await assert.rejects(sn.usage('a'), /does not exist/);
    });
  });
}
