// Docker's exec inspect JSON (moby api/types ContainerExecInspect) from the engine's exec record.
import type { ExecRecord } from '../../engine/exec.js';
import type { ExecInspect } from './containers.js';

export function execInspectJson(e: ExecRecord): ExecInspect {
  const c = e.config;
  // moby's ProcessConfig also has privileged and user (wire ExecInspect types a subset of it)
  const processConfig = {
    tty: !!c.Tty,
    entrypoint: c.Cmd?.[0] ?? '',
    arguments: c.Cmd?.slice(1) ?? [],
    privileged: !!c.Privileged,
    user: c.User ?? '',
  };
  return {
    ID: e.id,
    Running: e.running,
    ExitCode: e.exitCode,
    ProcessConfig: processConfig,
    OpenStdin: !!c.AttachStdin,
    OpenStderr: !!c.AttachStderr,
    OpenStdout: !!c.AttachStdout,
    CanRemove: false,
    ContainerID: e.containerId,
    DetachKeys: c.DetachKeys ?? '',
    Pid: e.pid,
  };
}
