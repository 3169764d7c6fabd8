// `docker diff`: what a container changed, read from its overlay upper dir against the lower
// layers. Overlay whiteouts (0/0 char devices) are deletions; a directory that exists below is
// reported as changed only when something inside it changed, and the mount points the runtime
// creates (Docker keeps them in its init layer) are not reported.
import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Mount } from '../../storage/snapshot/snapshotter.js';

export interface Change {
  Path: string;
  /** 0 modified, 1 added, 2 deleted (Docker's ChangeType). */
  Kind: 0 | 1 | 2;
}

/** Paths Docker's init layer holds; creating them as empty mount points is not a change. */
const INIT_PATHS = new Set([
  '/dev',
  '/dev/pts',
  '/dev/shm',
  '/dev/console',
  '/proc',
  '/sys',
  '/etc/hosts',
  '/etc/hostname',
  '/etc/resolv.conf',
  '/etc/mtab',
  '/.dockerenv',
]);

export function overlayDirs(mounts: Mount[]): { upper: string | null; lowers: string[]; full?: string } {
  const m = mounts[0];
  if (!m) return { upper: null, lowers: [] };
  if (m.type === 'bind') return { upper: null, lowers: [], full: m.source };
  const opt = (k: string) => m.options.find((o) => o.startsWith(k + '='))?.slice(k.length + 1);
  return { upper: opt('upperdir') ?? null, lowers: (opt('lowerdir') ?? '').split(':').filter(Boolean) };
}

const isWhiteout = (st: { isCharacterDevice(): boolean; rdev: number }) => st.isCharacterDevice() && st.rdev === 0;

async function existsBelow(lowers: string[], rel: string): Promise<boolean> {
  for (const l of lowers) {
    try {
      const st = await lstat(join(l, rel));
      return !isWhiteout(st);
    } catch {
      /* not in this layer */
    }
  }
  return false;
}

export async function containerChanges(mounts: Mount[]): Promise<Change[]> {
  const { upper, lowers, full } = overlayDirs(mounts);
  const root = upper ?? full;
  if (!root) return [];
  const below = upper ? lowers : [];
  const out: Change[] = [];
  const walk = async (dir: string, rel: string, parentAdded: boolean): Promise<boolean> => {
    let any = false;
    let names: string[];
    try {
      names = await readdir(dir);
    } catch {
      return false;
    }
    for (const n of names) {
      const abs = join(dir, n);
      const p = `${rel}/${n}`;
      const st = await lstat(abs);
      if (isWhiteout(st)) {
        if (upper) {
          out.push({ Path: p, Kind: 2 });
          any = true;
        }
        continue;
      }
      const existed = !parentAdded && (await existsBelow(below, p));
      if (st.isDirectory()) {
        const inner = await walk(abs, p, !existed);
        if (!existed) {
          if (!(INIT_PATHS.has(p) && !inner)) {
            out.push({ Path: p, Kind: 1 });
            any = true;
          }
        } else if (inner) {
          out.push({ Path: p, Kind: 0 });
          any = true;
        }
        any ||= inner;
      } else {
        if (INIT_PATHS.has(p) && (st.size === 0 || st.isSymbolicLink())) continue;
        out.push({ Path: p, Kind: existed ? 0 : 1 });
        any = true;
      }
    }
    return any;
  };
  await walk(root, '', !upper);
  return out.sort((a, b) => (a.Path < b.Path ? -1 : a.Path > b.Path ? 1 : 0));
}
