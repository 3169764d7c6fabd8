// Whether a directory is a mount point: its device differs from its parent's. Enough for the
// mounts berthd makes itself (overlay rootfs, volume devices); a bind mount of a directory of the
// same filesystem onto itself is not seen, as with moby's mount.Mounted fallback.
import fs from 'node:fs';
import path from 'node:path';

export function isMountpoint(dir: string): boolean {
  try {
    return fs.statSync(dir).dev !== fs.statSync(path.dirname(dir)).dev;
  } catch {
    return false;
  }
}
