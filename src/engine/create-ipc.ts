// moby's setupIPCDirs and getIPCContainer, at start: `--ipc shareable` mounts a /dev/shm tmpfs on
// the host; `--ipc container:<id>` joins a running donor's IPC namespace and binds its /dev/shm,
// refused with moby's texts when the donor is missing, stopped or not shareable.
import { conflict, invalid, msg } from '../errdefs.js';
import type { Core } from './core.js';
import type { ContainerRecord } from './types.js';

export interface IpcSetup {
  /** Host directory bound at /dev/shm (shareable, host, container:). */
  shmPath?: string;
  /** The donor's IPC namespace (container:). */
  nsPath?: string;
}

const PREFIX = 'failed to join IPC namespace';

export async function ipcSetup(core: Core, rec: ContainerRecord): Promise<IpcSetup> {
  const mode = rec.hostConfig.IpcMode;
  if (mode === 'shareable' && !hasOwnShm(rec))
    return { shmPath: await core.rootfs.mountShm(rec.id, rec.hostConfig.ShmSize) };
  if (!mode.startsWith('container:')) return {};
  const ref = mode.slice('container:'.length);
  const donor = core.d.store.tryFind(ref);
  if (!donor) throw invalid(`${PREFIX}: ${msg.noSuchContainer(ref)}`);
  if (donor.state.status === 'restarting')
    throw conflict(`${PREFIX}: Container ${ref} is restarting, wait until the container is running`);
  if (donor.state.status !== 'running' && donor.state.status !== 'paused')
    throw conflict(`${PREFIX}: container ${ref} is not running`);
  const shmPath = donorShm(core, donor);
  if (!shmPath)
    throw invalid(
      `${PREFIX}: container ${ref}: non-shareable IPC (hint: use IpcMode:shareable for the donor container)`,
    );
  return { shmPath, nsPath: `/proc/${donor.state.pid}/ns/ipc` };
}

/** A /dev/shm mount of the user's own wins over the shared one (moby's HasMountFor). */
function hasOwnShm(rec: ContainerRecord): boolean {
  return rec.mounts.some((m) => m.Destination === '/dev/shm') || Object.hasOwn(rec.hostConfig.Tmpfs ?? {}, '/dev/shm');
}

/** The donor's ShmPath as moby keeps it: its tmpfs if shareable, the host's, or its own donor's. */
function donorShm(core: Core, donor: ContainerRecord, depth = 0): string | undefined {
  const mode = donor.hostConfig.IpcMode;
  if (mode === 'host') return '/dev/shm';
  if (mode === 'shareable' || mode === '')
    return core.rootfs.hasShm(donor.id) ? core.rootfs.shmDir(donor.id) : undefined;
  if (mode.startsWith('container:') && depth < 8) {
    const next = core.d.store.tryFind(mode.slice('container:'.length));
    return next && next.state.status === 'running' ? donorShm(core, next, depth + 1) : undefined;
  }
  return undefined;
}
