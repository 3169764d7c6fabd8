// Non-TTY exec without conmon (one `runc exec` with pipes), and Docker's wording of runtime errors.
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Runc } from '../runc.js';
import type { ExecIo, Proc } from '../runtime.js';
import type { OciProcess } from '../spec/types.js';
import { drainedOrClosed } from '../../util/drained.js';
import { ExecStderr } from './exec-stderr.js';

/**
 * The exit code of an exec that could not start, whatever the cause (a missing command too):
 * moby up to 27 (API 1.47, the newest berth serves) sets 126 on every failed exec start
 * (daemon/exec.go); only 28 (API 1.48) keeps the runtime's 127 for a missing command.
 */
export const EXEC_START_FAILED = 126;

/** Docker's wording for runtime failures: `OCI runtime create failed: <runc's message>: unknown`. */
export function ociMessage(op: 'create' | 'exec', text: string): string {
  const lines = text
    .split('\n')
    .map((l) => {
      const m = /msg="((?:[^"\\]|\\.)*)"/.exec(l);
      return (m ? m[1]!.replace(/\\"/g, '"') : l).replace(/^\[conmon:\w\]:\s*/, '').trim();
    })
    .filter((l) => l && !/oom_score_adj/.test(l));
  const body = lines.join(': ') || 'unknown error';
  return `OCI runtime ${op} failed: ${body}: unknown`;
}

/** Non-TTY exec without conmon: one `runc exec` with pipes (the fast path). */
/** Stdin bytes held for a process before its client is paused. */
const STDIN_BACKLOG = 1 << 20;

export async function runcExec(
  runc: Runc,
  cid: string,
  execId: string,
  p: OciProcess,
  io: ExecIo,
  execRoot: string,
): Promise<Proc> {
  const dir = path.join(execRoot, 'x');
  await fsp.mkdir(dir, { recursive: true });
  const specFile = path.join(dir, `${execId.slice(0, 24)}.json`);
  const pidFile = path.join(dir, `${execId.slice(0, 24)}.pid`);
  await fsp.writeFile(specFile, JSON.stringify(p));
  const logFile = runc.flavour() === 'crun' ? path.join(dir, `${execId.slice(0, 24)}.log`) : null;
  const child = runc.exec(
    cid,
    ['--process', specFile, '--pid-file', pidFile],
    [io.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'],
    logFile ? [`--log=${logFile}`, '--log-format=json'] : [],
  );
  let resolvePid!: (n: number) => void;
  const pid = new Promise<number>((r) => (resolvePid = r));
  let dataCb: ((s: 'stdout' | 'stderr', c: Buffer) => void) | null = null;
  const pending: Array<['stdout' | 'stderr', Buffer]> = [];
  const emit = (s: 'stdout' | 'stderr', c: Buffer) => (dataCb ? dataCb(s, c) : pending.push([s, c]));
  // the process may exit or close its stdin while the client still sends: EPIPE only ends that input
  child.stdin?.on('error', () => {});
  child.stdout!.on('data', (c: Buffer) => emit('stdout', c));
  // the runtime's own failure text arrives on stderr too; reshaped like Docker's message at the end
  const stderr = new ExecStderr((c) => emit('stderr', c), logFile);
  child.stderr!.on('data', (c: Buffer) => stderr.data(c));
  // The pid counts once the process runs the command: runc writes the pid file while `runc init` is still
  // setting up, and `exec -d` must not return before the command shows up in `top`.
  const runcExe = fs.realpathSync(runc.o.binary);
  const pidPoll = setInterval(() => {
    fs.readFile(pidFile, 'utf8', (err, t) => {
      if (err || !t.trim()) return;
      const n = Number(t.trim());
      fs.readlink(`/proc/${n}/exe`, (e2, exe) => {
        if (!e2 && exe === runcExe) return; // still runc init
        clearInterval(pidPoll);
        stderr.started();
        resolvePid(n);
      });
    });
  }, 5);
  const exited = new Promise<number>((resolve) => {
    child.on('close', async (code, signal) => {
      clearInterval(pidPoll);
      resolvePid(0);
      let rc = code ?? (signal ? 128 + (signalNumber(signal) ?? 9) : 1);
      const errText = await stderr.finish().catch(() => '');
      if (errText) {
        emit('stdout', Buffer.from(ociMessage('exec', errText) + '\r\n'));
        rc = EXEC_START_FAILED;
      }
      void fsp.rm(specFile, { force: true });
      void fsp.rm(pidFile, { force: true });
      resolve(rc);
    });
    child.on('error', () => resolve(EXEC_START_FAILED));
  });
  return {
    pid,
    exited,
    onData(cb) {
      dataCb = cb;
      for (const [s, c] of pending.splice(0)) cb(s, c);
    },
    write(chunk) {
      if (child.stdin && !child.stdin.destroyed && !child.stdin.writableEnded) child.stdin.write(chunk);
    },
    // a process that does not read its stdin must not make berthd buffer what the client sends
    stdinReady() {
      const w = child.stdin;
      if (!w || w.destroyed || w.writableEnded || w.writableLength < STDIN_BACKLOG) return null;
      return drainedOrClosed(w);
    },
    closeStdin() {
      child.stdin?.end();
    },
    resize() {
      /* no tty */
    },
    kill(sig) {
      void pid.then((n) => {
        if (n > 0)
          try {
            process.kill(n, sig);
          } catch {
            /* gone */
          }
      });
    },
  };
}

function signalNumber(name: string): number | undefined {
  return os.constants.signals[name as keyof typeof os.constants.signals];
}
