// Exec sessions: create → start (attached or detached) → inspect for the exit code.
import { randomBytes } from 'node:crypto';
import { EngineError, conflict, invalid, msg } from '../errdefs.js';
import type { Proc } from '../runtime/runtime.js';
import { pipeStdin } from './attach.js';
import { mergeEnv } from './create-config.js';
import type { AttachClient, ContainerService, DetachMatcher } from './service.js';

export interface ExecConfig {
  AttachStdin?: boolean;
  AttachStdout?: boolean;
  AttachStderr?: boolean;
  DetachKeys?: string;
  Tty?: boolean;
  Env?: string[] | null;
  Cmd?: string[] | null;
  Privileged?: boolean;
  User?: string;
  WorkingDir?: string;
  ConsoleSize?: [number, number] | null;
}

export interface ExecRecord {
  id: string;
  containerId: string;
  config: ExecConfig;
  running: boolean;
  exitCode: number | null;
  pid: number;
  proc: Proc | null;
  started: boolean;
}

export class ExecService {
  private readonly execs = new Map<string, ExecRecord>();
  constructor(private readonly containers: ContainerService) {
    containers.onRemoved = (rec) => {
      for (const [id, e] of this.execs) if (e.containerId === rec.id) this.execs.delete(id);
    };
  }

  create(ref: string, cfg: ExecConfig): { id: string } {
    const rec = this.containers.find(ref);
    if (!cfg.Cmd || cfg.Cmd.length === 0) throw invalid('No exec command specified');
    if (rec.state.status === 'paused') throw conflict(msg.isPaused(rec.id));
    if (rec.state.status !== 'running' || !this.containers.task(rec.id)) throw conflict(msg.notRunning(rec.id));
    const id = randomBytes(32).toString('hex');
    this.execs.set(id, {
      id,
      containerId: rec.id,
      config: cfg,
      running: false,
      exitCode: null,
      pid: 0,
      proc: null,
      started: false,
    });
    rec.execIds.push(id);
    // with the container's name, image and labels, as moby's LogContainerEventWithAttributes
    this.containers.emit(rec, `exec_create: ${cfg.Cmd.join(' ')}`, { execID: id });
    return { id };
  }

  /** Forgets an exec (health probes: Docker unregisters them once they ran). */
  remove(id: string): void {
    const e = this.execs.get(id);
    if (!e) return;
    this.execs.delete(id);
    const rec = this.containers.d.store.get(e.containerId);
    const i = rec ? rec.execIds.indexOf(id) : -1;
    if (rec && i >= 0) rec.execIds.splice(i, 1);
  }

  /** How many exec records are kept (user execs live until their container is removed). */
  get size(): number {
    return this.execs.size;
  }

  get(id: string): ExecRecord {
    const e = this.execs.get(id);
    if (!e) throw new EngineError('not-found', msg.noSuchExec(id));
    return e;
  }

  /**
   * Starts the process. Detached: returns once it runs. Attached: streams until the process exits
   * (or the client detaches) and resolves then.
   */
  async start(
    id: string,
    o: { detach: boolean; tty?: boolean; detachKeys?: Buffer | null; probe?: boolean },
    client: AttachClient | null,
    detachMatcher: ((k: Buffer | null | undefined) => DetachMatcher) | null,
  ): Promise<void> {
    const e = this.get(id);
    if (e.started) throw conflict(`Error: Exec command ${id} has already run`);
    const rec = this.containers.find(e.containerId);
    if (rec.state.status === 'paused') throw conflict(msg.isPaused(rec.id));
    const task = this.containers.task(rec.id);
    if (!task || rec.state.status !== 'running') throw conflict(msg.notRunning(rec.id));
    e.started = true;
    const c = e.config;
    const tty = o.tty ?? !!c.Tty;
    const rootfs = this.containers.rootfsDir(rec.id);
    // Without -u the runtime keeps the container's user (its group-add included), as Docker does.
    const user = c.User
      ? await this.containers.d.spec.resolveUser(rootfs, c.User, rec.hostConfig.GroupAdd ?? [])
      : undefined;
    const env = mergeEnv(
      [...(this.containers.d.network?.linkEnv?.(rec.id) ?? []), ...(rec.config.Env ?? [])],
      c.Env ?? [],
    );
    if (!env.some((x) => x.startsWith('PATH=')))
      env.unshift('PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin');
    if (tty && !env.some((x) => x.startsWith('TERM='))) env.push('TERM=xterm');
    // a health probe logs exec_create and exec_die only, as moby's (it is not started through ExecStart)
    if (!o.probe) this.containers.emit(rec, `exec_start: ${c.Cmd!.join(' ')}`, { execID: id });
    const proc = await task.exec(
      id,
      {
        args: c.Cmd!,
        env,
        cwd: c.WorkingDir || rec.config.WorkingDir || '/',
        user,
        terminal: tty,
        privileged: !!c.Privileged,
      },
      { tty, stdin: !o.detach && !!c.AttachStdin },
    );
    e.proc = proc;
    e.running = true;
    void proc.pid.then((p) => (e.pid = p));
    const exited = proc.exited.then((code) => {
      e.running = false;
      e.exitCode = code;
      e.proc = null;
      this.containers.emit(rec, 'exec_die', { execID: id, exitCode: String(code) });
    });
    if (c.ConsoleSize?.[0] && c.ConsoleSize[1]) proc.resize(c.ConsoleSize[0], c.ConsoleSize[1]);
    if (o.detach || !client) {
      proc.onData(() => {});
      // like Docker, a detached exec returns once the command runs (it shows in `top` right after)
      await proc.pid;
      return;
    }
    await new Promise<void>((resolve) => {
      let done = false;
      const finish = () => {
        if (!done) {
          done = true;
          resolve();
        }
      };
      proc.onData((stream, chunk) => {
        if ((stream === 'stdout' && c.AttachStdout) || (stream === 'stderr' && c.AttachStderr))
          client.write(stream, chunk);
      });
      void exited.then(finish);
      const gone = () => {
        // like moby (CloseStdin for exec): a client that left closes a non-TTY process's stdin, so
        // a command waiting for input ends instead of holding its pipes for ever
        if (c.AttachStdin && !tty) proc.closeStdin();
        finish();
      };
      // the client may have left while the process was being set up: an aborted signal fires no more
      if (client.signal.aborted) return gone();
      client.signal.addEventListener('abort', gone);
      if (c.AttachStdin && client.input) {
        const matcher = tty && detachMatcher ? detachMatcher(o.detachKeys) : null;
        const detached = () => {
          this.containers.emit(rec, 'exec_detach', { execID: id });
          finish();
        };
        pipeStdin(proc, client.input, matcher, { detached, end: () => proc.closeStdin() });
      }
    });
  }

  resize(id: string, h: number, w: number): void {
    const e = this.get(id);
    if (!e.proc) throw conflict(`Exec ${id} is not running`);
    e.proc.resize(h, w);
  }
}
