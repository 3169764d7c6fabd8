// The process spec of an exec, the way moby builds it (daemon/exec.go ContainerExecStart and
// exec_linux.go execSetPlatformOpt): start from the container's own process, so an exec keeps its
// capabilities, no-new-privileges, rlimits, AppArmor/SELinux labels and user, then put in the
// command, environment, cwd and terminal. `-u` replaces the user, `--privileged` the capabilities.
// The seccomp filter is not part of the process: runc applies the container's to every exec.
import { hostCaps } from '../spec/capabilities.js';
import type { OciProcess } from '../spec/types.js';
import type { OciProcessSpec } from '../runtime.js';

export function execProcess(
  container: Partial<OciProcess> | null | undefined,
  p: OciProcessSpec,
  allCaps: readonly string[] = hostCaps(),
): OciProcess {
  const base: Partial<OciProcess> = structuredClone(container ?? {});
  // The container's console size is the container's; an exec's is set by a resize.
  delete base.consoleSize;
  const out: OciProcess = {
    ...base,
    terminal: p.terminal,
    args: [...p.args],
    env: [...p.env],
    cwd: p.cwd || '/',
    user: p.user
      ? { ...p.user, additionalGids: [...(p.user.additionalGids ?? [])] }
      : (base.user ?? { uid: 0, gid: 0 }),
  };
  if (p.rlimits) out.rlimits = p.rlimits.map((r) => ({ ...r }));
  if (p.privileged) out.capabilities = { bounding: [...allCaps], effective: [...allCaps], permitted: [...allCaps] };
  return out;
}
