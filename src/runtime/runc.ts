// Typed wrapper around the runc CLI (crun takes the same commands). Only runtime/ spawns runtimes.
import { execFile, spawn, type ChildProcess, type StdioOptions } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { EngineError } from '../errdefs.js';
import { startByExecFifo } from './exec-fifo.js';
import { deleteStopped } from './stopped-delete.js';

export interface RuncOptions {
  binary: string; // path to runc (or another runc-compatible runtime: crun)
  root: string; // runc --root (state dir)
  /** The runtime's name (HostConfig.Runtime); runc when absent. */
  name?: string;
  /** daemon.json runtimeArgs: global options put before every command. */
  args?: string[];
}

export interface RuncState {
  id: string;
  pid: number;
  status: 'created' | 'running' | 'paused' | 'stopped' | 'creating';
  bundle: string;
}

export class Runc {
  constructor(readonly o: RuncOptions) {}

  /** Args that every runc invocation shares (conmon gets them as --runtime-arg). */
  globalArgs(): string[] {
    return [`--root=${this.o.root}`, ...(this.o.args ?? [])];
  }

  run(args: string[], o: { timeoutMs?: number } = {}): Promise<{ stdout: string; stderr: string }> {
    return new Promise((resolve, reject) => {
      execFile(
        this.o.binary,
        [...this.globalArgs(), ...args],
        { timeout: o.timeoutMs ?? 60_000, maxBuffer: 16 << 20 },
        (err, stdout, stderr) => {
          if (err) {
            const text = (stderr || err.message).trim();
            reject(new EngineError('internal', runcMessage(text), { cause: err }));
          } else resolve({ stdout, stderr });
        },
      );
    });
  }

  start(id: string) {
    return this.run(['start', id]);
  }
  /** Starts a created container whose init is `initPid`: through its exec fifo when this is plain runc. */
  async startCreated(id: string, initPid: number): Promise<void> {
    if (this.plainRunc() && (await startByExecFifo(this.o.root, id, initPid)) === 'started') return;
    await this.start(id);
  }
  private plainCache: boolean | null = null;
  /** runc itself (not crun, not a wrapper such as nvidia-container-runtime), with no global options. */
  private plainRunc(): boolean {
    if (this.plainCache === null) {
      let real = this.o.binary;
      try {
        real = fs.realpathSync(this.o.binary);
      } catch {
        /* not there: the spawn says so */
      }
      this.plainCache = path.basename(real) === 'runc' && !this.o.args?.length;
    }
    return this.plainCache;
  }
  kill(id: string, signal: number, all = false) {
    return this.run(['kill', ...(all ? ['--all'] : []), id, String(signal)]);
  }
  pause(id: string) {
    return this.run(['pause', id]);
  }
  resume(id: string) {
    return this.run(['resume', id]);
  }
  async delete(id: string, force = false): Promise<void> {
    try {
      await this.run(['delete', ...(force ? ['--force'] : []), id]);
    } catch (e) {
      if (/does not exist|not exist|no such file/i.test((e as Error).message)) return;
      throw e;
    }
  }
  /** Deletes a container whose init exited: without runc when this is plain runc and nothing is unusual. */
  async deleteStopped(id: string): Promise<void> {
    if (this.plainRunc() && (await deleteStopped(this.o.root, id)) === 'deleted') return;
    await this.delete(id, true);
  }
  async state(id: string): Promise<RuncState | null> {
    try {
      const { stdout } = await this.run(['state', id]);
      return JSON.parse(stdout) as RuncState;
    } catch (e) {
      if (/does not exist|not exist|no such file/i.test((e as Error).message)) return null;
      throw e;
    }
  }
  async ps(id: string): Promise<number[]> {
    const { stdout } = await this.run(['ps', '--format', 'json', id]);
    return (JSON.parse(stdout) as number[] | null) ?? [];
  }

  /** `runc exec` with the given stdio; used for non-TTY exec (fast path, no conmon). */
  exec(id: string, args: string[], stdio: StdioOptions, globals: string[] = []): ChildProcess {
    return spawn(this.o.binary, [...this.globalArgs(), ...globals, 'exec', ...args, id], { stdio });
  }

  private flavourCache: 'runc' | 'crun' | null = null;
  /** runc prints logrus lines on stderr; crun plain text (and JSON to --log): found by the binary's name. */
  flavour(): 'runc' | 'crun' {
    if (!this.flavourCache) {
      let real = this.o.binary;
      try {
        real = fs.realpathSync(this.o.binary);
      } catch {
        /* not there: the spawn says so */
      }
      this.flavourCache = path.basename(real).startsWith('crun') ? 'crun' : 'runc';
    }
    return this.flavourCache;
  }
}

/** runc prints logrus lines (`time=… level=error msg="…"`); keep the message. */
export function runcMessage(text: string): string {
  const lines = text.split('\n').filter(Boolean);
  const msgs = lines.map((l) => {
    const m = /msg="((?:[^"\\]|\\.)*)"/.exec(l);
    return m ? m[1]!.replace(/\\"/g, '"').replace(/\\\\/g, '\\') : l;
  });
  return msgs.join('; ');
}
