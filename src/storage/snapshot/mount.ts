// Mounting snapshot mounts onto a target (spawns util-linux mount/umount; rare, not a hot path).
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { internal } from '../../errdefs.js';
import type { Mount } from './snapshotter.js';

const run = promisify(execFile);

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
  try {
    await run('umount', ['-l', target]);
  } catch (e) {
    const s = ((e as { stderr?: string }).stderr ?? '').toString();
    if (/not mounted|no mount point|No such file|not found/i.test(s)) return;
    throw internal(`umount ${target}: ${s.trim()}`, e);
  }
}
