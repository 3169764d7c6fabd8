// dockerd's default-ipc-mode and default-cgroupns-mode (moby daemon/config/config_linux.go): the
// namespace modes a container gets when its HostConfig names none, validated as dockerd does.
// Empty means moby's own default (ipc private; cgroupns private on cgroup v2, host on v1).
import { invalid } from '../errdefs.js';

export interface DefaultModes {
  defaultIpcMode: string;
  defaultCgroupnsMode: string;
}

/** container.IpcMode.Valid(): the modes a container may name at all. */
const validIpc = (m: string) => ['', 'none', 'private', 'host', 'shareable'].includes(m) || m.startsWith('container:');

/** verifyDefaultIpcMode: valid, and one a daemon-wide default can be. */
export function verifyDefaultIpcMode(mode: string): void {
  const hint = 'use "shareable" or "private"';
  if (!validIpc(mode)) throw invalid(`default IPC mode setting (${mode}) is invalid; ${hint}`);
  if (mode !== '' && mode !== 'private' && mode !== 'shareable')
    throw invalid(`IPC mode "${mode}" is not supported as default value; ${hint}`);
}

/** verifyDefaultCgroupNsMode. */
export function verifyDefaultCgroupnsMode(mode: string): void {
  if (!['', 'private', 'host'].includes(mode))
    throw invalid(`invalid default cgroup namespace (${mode}): use "host" or "private"`);
}

/** validatePlatformConfig's two mode checks, in its order (ipc first). */
export function validateDefaultModes(o: DefaultModes): void {
  verifyDefaultIpcMode(o.defaultIpcMode);
  verifyDefaultCgroupnsMode(o.defaultCgroupnsMode);
}
