// What a container's own layer holds only because it runs: runc's empty bind-mount targets
// (/etc/hosts, /etc/hostname, /etc/resolv.conf), the empty /.dockerenv and the /etc/mtab link
// berth's rootfs setup writes when the image has none. Docker keeps these in a separate init layer,
// so `docker commit` and a build's RUN layers never carry them; berth leaves them out by name.
import { lstat, readdir, readlink } from 'node:fs/promises';
import { join } from 'node:path';

const EMPTY_FILES = ['.dockerenv', 'etc/hostname', 'etc/hosts', 'etc/resolv.conf'];
const MTAB = 'etc/mtab';

/**
 * The paths (relative to `upper`, no leading slash) that are such artifacts, plus `etc` when the
 * directory holds nothing else (it was created for them). Anything with content is a real change.
 */
export async function initArtifacts(upper: string): Promise<Set<string>> {
  const out = new Set<string>();
  for (const rel of EMPTY_FILES) {
    const st = await lstat(join(upper, rel)).catch(() => null);
    if (st?.isFile() && st.size === 0) out.add(rel);
  }
  const mtab = join(upper, MTAB);
  if ((await lstat(mtab).catch(() => null))?.isSymbolicLink() && (await readlink(mtab)) === '/proc/mounts')
    out.add(MTAB);
  const etc = await readdir(join(upper, 'etc')).catch(() => null);
  if (etc && etc.length > 0 && etc.every((n) => out.has(`etc/${n}`))) out.add('etc');
  return out;
}
