// `docker export`: the container's merged root filesystem as one flat tar.
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { packStream, packTree } from '../../storage/layers/diff.js';

export function exportRootfs(root: string): Readable {
  return packStream(async (tar) => {
    const inodes = new Map<string, string>();
    for (const n of (await readdir(root)).sort()) await packTree(tar, join(root, n), n, {}, inodes);
  });
}
