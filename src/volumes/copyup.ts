// Copy-up: an empty volume mounted over a directory of the image gets that directory's content,
// ownership and modes (Docker's CopyImagePathContent), unless the mount says `nocopy`.
import { execFile } from 'node:child_process';
import fsp from 'node:fs/promises';
import { promisify } from 'node:util';
import { internal } from '../errdefs.js';
import { secureJoin } from '../storage/fsutil/securejoin.js';

const run = promisify(execFile);

/** Returns whether anything was copied. */
export async function copyUp(rootfs: string, ctrPath: string, volumeDir: string): Promise<boolean> {
  const src = await secureJoin(rootfs, ctrPath);
  const st = await fsp.stat(src).catch(() => null);
  if (!st?.isDirectory()) return false;
  if ((await fsp.readdir(volumeDir)).length > 0) return false;
  try {
    // cp -a keeps owners, modes, times, xattrs and hard links; "src/." also copies the dir's own attributes
    await run('cp', ['-a', '--', src + '/.', volumeDir + '/']);
  } catch (e) {
    throw internal(
      `copying image content into volume for ${ctrPath}: ${((e as { stderr?: string }).stderr ?? String(e)).trim()}`,
      e,
    );
  }
  return true;
}
