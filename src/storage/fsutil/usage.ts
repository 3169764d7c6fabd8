// Sizes of directory trees, without spawning. Two meanings, kept apart:
// - contentUsage: bytes of content, as Docker reports every size (moby's directory.Size: the
//   st_size of each non-directory entry, hard links once). A 3-byte file is 3, not a 4 KiB block.
// - diskUsage: blocks allocated (`du -s`), for when the question is what the disk holds.
import type { Dirent, Stats } from 'node:fs';
import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';

export interface TreeUsage {
  /** Bytes (content or allocated blocks, per function). */
  size: number;
  /** Distinct inodes seen, the root included. */
  inodes: number;
}

export interface ContentUsageOptions {
  /** Paths relative to the root (no leading slash) left out, with what is below them. */
  skip?: ReadonlySet<string>;
}

/** lstats in flight per directory: a directory of 100k files must not queue 100k at once. */
const BATCH = 64;

/**
 * Bytes of content under `dir`: regular files, symlinks (their target's length, as st_size says)
 * and the like, each inode once; directories count nothing, and neither do overlay whiteouts
 * (0/0 character devices, size 0). Entries vanishing during the walk are skipped; a missing
 * `dir` gives 0.
 */
export async function contentUsage(dir: string, o: ContentUsageOptions = {}): Promise<TreeUsage> {
  const seen = new Set<string>();
  const skip = o.skip ?? new Set<string>();
  let size = 0;
  let inodes = 0;
  const count = (st: Stats): void => {
    const k = `${st.dev}:${st.ino}`;
    if (seen.has(k)) return;
    seen.add(k);
    inodes++;
    if (!st.isDirectory()) size += st.size;
  };
  const walk = async (abs: string, rel: string): Promise<void> => {
    let ents: Dirent[];
    try {
      ents = await readdir(abs, { withFileTypes: true });
    } catch {
      return; // gone, or not a directory any more
    }
    const subdirs: Array<[string, string]> = [];
    const files: Array<[string, string]> = [];
    for (const e of ents) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (skip.has(r)) continue;
      (e.isDirectory() ? subdirs : files).push([join(abs, e.name), r]);
    }
    for (let i = 0; i < files.length; i += BATCH) {
      const sts = await Promise.all(files.slice(i, i + BATCH).map(([p]) => lstat(p).catch(() => null)));
      for (const st of sts) if (st) count(st);
    }
    for (const [p, r] of subdirs) {
      const st = await lstat(p).catch(() => null);
      if (!st?.isDirectory()) continue;
      count(st);
      await walk(p, r);
    }
  };
  const root = await lstat(dir).catch(() => null);
  if (!root) return { size: 0, inodes: 0 };
  count(root);
  if (root.isDirectory()) await walk(dir, '');
  return { size, inodes };
}

/** Blocks allocated under `dir` (`du -s`), hard links once. Docker's sizes are contentUsage's. */
export async function diskUsage(dir: string): Promise<TreeUsage> {
  const seen = new Set<string>();
  let size = 0;
  let inodes = 0;
  const walk = async (p: string): Promise<void> => {
    let st;
    try {
      st = await lstat(p, { bigint: false });
    } catch {
      return;
    }
    const k = `${st.dev}:${st.ino}`;
    if (seen.has(k)) return;
    seen.add(k);
    inodes++;
    size += st.blocks * 512;
    if (st.isDirectory()) {
      let names: string[];
      try {
        names = await readdir(p);
      } catch {
        return;
      }
      for (const n of names) await walk(join(p, n));
    }
  };
  await walk(dir);
  return { size, inodes };
}
