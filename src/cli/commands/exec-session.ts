// One `exec` session, as both `docker exec` and `compose exec` run it: create, start detached or
// attached, pump stdio, and the exec's exit code.
import type { Client } from '../../client/client.js';
import type { Io } from '../command.js';
import { consoleSize, pump } from '../streams.js';

export interface ExecOptions {
  cmd: string[];
  detach: boolean;
  tty: boolean;
  /** Attach stdin (already false when detached). */
  stdin: boolean;
  user: string;
  privileged: boolean;
  env: string[];
  workdir: string;
  /** `--detach-keys`; unset, the sequence is still docker's default ctrl-p,ctrl-q. */
  detachKeys?: string;
}

/** Runs `o.cmd` in `container`: 0 when detached (at start or by the detach keys), else its exit code. */
export async function execSession(c: Client, io: Io, container: string, o: ExecOptions): Promise<number> {
  const body = {
    User: o.user,
    Privileged: o.privileged,
    Tty: o.tty,
    AttachStdin: o.stdin,
    AttachStdout: !o.detach,
    AttachStderr: !o.detach,
    ...(o.detachKeys !== undefined ? { DetachKeys: o.detachKeys || undefined } : {}),
    Env: o.env,
    WorkingDir: o.workdir,
    Cmd: o.cmd,
    ConsoleSize: o.tty ? (consoleSize(io) ?? null) : null,
  };
  const { Id } = await c.execCreate(container, body);
  if (o.detach) {
    await c.execStartDetached(Id, o.tty);
    return 0;
  }
  const h = await c.execStartAttached(Id, o.tty, body.ConsoleSize ?? undefined);
  const { detached } = await pump(io, h, {
    tty: o.tty,
    stdin: o.stdin,
    detachKeys: o.detachKeys,
    resize: (rows, cols) => c.execResize(Id, rows, cols),
  });
  if (detached) return 0;
  return (await c.execInspect(Id)).ExitCode ?? 0;
}
