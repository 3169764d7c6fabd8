// Disk usage of a directory tree (like `du -s`), without spawning: hardlinks counted once.
import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';

export async function diskUsage(dir: string): Promise<{ size: number; inodes: number }> {
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
