// Mounting snapshot mounts onto a target (util-linux mount/umount, run by a helper shell). Unmount is
// on the path of every `docker rm`: it runs umount only for a target mountinfo lists.
import { execFile } from 'node:child_process';
import { readFile, realpath } from 'node:fs/promises';
import { promisify } from 'node:util';
import { internal } from '../../errdefs.js';
import { ShellGone, SmallSpawner } from './small-spawner.js';
import type { Mount } from './snapshotter.js';

const execRun = promisify(execFile);
const helper = new SmallSpawner();

/** mount/umount through the helper shell (see small-spawner.ts); by a spawn of our own without it. */
async function run(cmd: 'mount' | 'umount', args: string[]): Promise<void> {
  try {
    const r = await helper.run([cmd, ...args]);
    if (r.code === 0) return;
    throw Object.assign(new Error(`${cmd} exited with ${r.code}: ${r.output}`), { stderr: r.output });
  } catch (e) {
    if (!(e instanceof ShellGone)) throw e;
  }
  await execRun(cmd, args);
}

export async function mountAll(mounts: Mount[], target: string): Promise<void> {
  const done: string[] = [];
  try {
    for (const m of mounts) {
      const tgt = m.target ? target.replace(/\/$/, '') + '/' + m.target.replace(/^\//, '') : target;
      const isBind = m.type === 'bind' || m.options.includes('bind') || m.options.includes('rbind');
      const args: string[] = [];
      if (!isBind) args.push('-t', m.type);
      const opts = [...m.options];
      if (isBind && !opts.includes('bind') && !opts.includes('rbind')) opts.unshift('rbind');
      if (opts.length) args.push('-o', opts.join(','));
      args.push(m.source, tgt);
      try {
        await run('mount', args);
      } catch (e) {
        const err = e as { stderr?: string; message: string };
        throw internal(`mount ${m.type} on ${tgt}: ${(err.stderr || err.message).trim()}`, e);
      }
      done.push(tgt);
    }
  } catch (e) {
    for (const t of done.reverse()) await unmount(t).catch(() => {});
    throw e;
  }
}

/** Lazy unmount; a target that is not mounted (or missing) is fine. */
export async function unmount(target: string): Promise<void> {
  // spawning umount costs ~5 ms of berthd's CPU; a never-started or exited container has nothing mounted
  if (!(await mountedAt(target))) return;
  try {
    await run('umount', ['-l', target]);
  } catch (e) {
    const s = ((e as { stderr?: string }).stderr ?? '').toString();
    if (/not mounted|no mount point|No such file|not found/i.test(s)) return;
    throw internal(`umount ${target}: ${s.trim()}`, e);
  }
}

/**
 * Whether mountinfo lists a mount at target (exactly, not below it; symlinks resolved as the kernel
 * records them). A missing target is not mounted; any other doubt answers true (then umount decides).
 */
export async function mountedAt(target: string, mountinfo = '/proc/self/mountinfo'): Promise<boolean> {
  let want: string;
  try {
    want = await realpath(target);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return code !== 'ENOENT' && code !== 'ENOTDIR';
  }
  let text: string;
  try {
    text = await readFile(mountinfo, 'utf8');
  } catch {
    return true;
  }
  for (const line of text.split('\n')) {
    // fields: id parent major:minor root mountpoint …; the mount point escapes space, tab, newline and \ in octal
    const mp = line.split(' ', 5)[4];
    if (mp !== undefined && unescapeOctal(mp) === want) return true;
  }
  return false;
}

function unescapeOctal(s: string): string {
  return s.includes('\\')
    ? s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(Number.parseInt(o, 8)))
    : s;
}
