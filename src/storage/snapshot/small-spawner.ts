// Runs short commands (mount, umount) through one long-lived /bin/sh instead of spawning each
// from berthd. Node forks the whole daemon for every child, on its main thread: the copy of its
// page tables grows with its RSS (~25 ms at 48 MiB, ~45 at 127 MiB on the loaded bench machine,
// ms each idle), twice per container run for the rootfs alone. sh is ~1 MiB: its forks are cheap.
// One command at a time, in order; a helper that fails or dies makes the caller run the command
// itself (ShellGone), so nothing depends on the helper being there.
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import type { Socket } from 'node:net';

export class ShellGone extends Error {}

/** A child's pipe is a socket: it can be ref'd and unref'd. */
const pipe = (s: unknown): Socket => s as Socket;

interface Pending {
  resolve: (r: { code: number; output: string }) => void;
  reject: (e: Error) => void;
}

/** A word for sh, single-quoted. */
export function shQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** An idle helper ends after this long: a quiet daemon holds no extra process or fds (as the build worker). */
const IDLE_MS = 5_000;

export class SmallSpawner {
  private sh: ChildProcessWithoutNullStreams | null = null;
  private readonly pending: Pending[] = [];
  private buf = '';
  private idle: NodeJS.Timeout | undefined;

  constructor(private readonly idleMs = IDLE_MS) {}

  /** Runs argv (stdin /dev/null); resolves with its exit code and stdout+stderr. */
  run(argv: string[]): Promise<{ code: number; output: string }> {
    clearTimeout(this.idle);
    const sh = this.shell();
    if (!sh) return Promise.reject(new ShellGone('no helper shell'));
    return new Promise((resolve, reject) => {
      // held while a command runs (a caller awaits it), let go when idle
      if (this.pending.length === 0) pipe(sh.stdout).ref();
      this.pending.push({ resolve, reject });
      // the status of `r=$(…)` is the command's; the record ends with a NUL no output contains
      sh.stdin.write(`r=$(${argv.map(shQuote).join(' ')} </dev/null 2>&1); printf '%d\\n%s\\0' "$?" "$r"\n`);
    });
  }

  private shell(): ChildProcessWithoutNullStreams | null {
    if (this.sh) return this.sh;
    let sh: ChildProcessWithoutNullStreams;
    try {
      sh = spawn('/bin/sh', [], { stdio: ['pipe', 'pipe', 'pipe'] });
    } catch {
      return null;
    }
    this.sh = sh;
    sh.stdout.setEncoding('utf8');
    sh.stdout.on('data', (c: string) => this.data(c));
    sh.stderr.resume();
    const gone = () => this.gone(sh);
    // its stdout's end comes first (the exit of an unref'd child may come after the loop emptied)
    sh.stdout.on('close', gone);
    sh.on('exit', gone);
    sh.on('error', gone);
    sh.stdin.on('error', gone);
    // an idle helper must not keep berthd (or a test) alive
    sh.unref();
    for (const s of [sh.stdin, sh.stdout, sh.stderr]) pipe(s).unref();
    return sh;
  }

  private data(chunk: string): void {
    this.buf += chunk;
    for (let i = this.buf.indexOf('\0'); i >= 0; i = this.buf.indexOf('\0')) {
      const rec = this.buf.slice(0, i);
      this.buf = this.buf.slice(i + 1);
      const nl = rec.indexOf('\n');
      this.pending.shift()?.resolve({ code: Number(rec.slice(0, nl)), output: rec.slice(nl + 1) });
    }
    if (this.pending.length === 0 && this.sh) {
      pipe(this.sh.stdout).unref();
      this.idle = setTimeout(() => this.close(), this.idleMs).unref();
    }
  }

  private gone(sh: ChildProcessWithoutNullStreams): void {
    if (this.sh !== sh) return;
    this.sh = null;
    this.buf = '';
    for (const p of this.pending.splice(0)) p.reject(new ShellGone('helper shell exited'));
  }

  /** Ends the helper (tests; berthd's exit ends it anyway: its stdin closes). */
  close(): void {
    clearTimeout(this.idle);
    this.sh?.stdin.end();
    this.sh = null;
  }
}
