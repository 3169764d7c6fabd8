// The processes a daemon runs during one operation (mount, ip, iptables, conmon, runc …), from
// `strace -f -e trace=execve` attached to it: when each started and how long it lived. strace
// slows what it traces, so these figures explain the untraced medians; they do not replace them.
import { spawn } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export interface Child {
  /** e.g. "runc create", "ip", "iptables-restore" */
  cmd: string;
  /** ms after the first child started */
  at: number;
  ms: number;
}

/** A child's label: the program, and its first word-like argument (a subcommand), if any. */
function label(argv: string[]): string {
  const prog = path.basename(argv[0] ?? '?');
  const sub = argv.slice(1).find((a) => /^[a-z][a-z-]*$/.test(a));
  return sub ? `${prog} ${sub}` : prog;
}

/** Parse `strace -f -ttt` output: pid → first successful execve and exit. */
export function parseExecTrace(text: string): Child[] {
  const started = new Map<string, { t: number; cmd: string }>();
  const ended = new Map<string, number>();
  for (const line of text.split('\n')) {
    const m = /^(\d+)\s+(\d+\.\d+)\s+(.*)$/.exec(line);
    if (!m) continue;
    const [, pid, ts, rest] = m;
    const t = Number(ts) * 1000;
    if (rest.startsWith('execve(') && / = 0$/.test(rest) && !started.has(pid)) {
      const args = /\[(.*?)\](?:\.\.\.)?,/.exec(rest)?.[1] ?? '';
      const argv = [...args.matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((a) => a[1]);
      started.set(pid, { t, cmd: label(argv) });
    } else if (/^\+\+\+ (exited|killed)/.test(rest)) ended.set(pid, t);
  }
  const t0 = Math.min(...[...started.values()].map((s) => s.t));
  return [...started]
    .map(([pid, s]) => ({ cmd: s.cmd, at: s.t - t0, ms: (ended.get(pid) ?? Number.NaN) - s.t }))
    .sort((a, b) => a.at - b.at);
}

/** Runs `during` with strace attached to `pid`; null when strace is missing or cannot attach. */
export async function traceChildren(pid: number, during: () => Promise<unknown>): Promise<Child[] | null> {
  const out = path.join(tmpdir(), `berth-bench-strace-${process.pid}.txt`);
  const args = ['-f', '-q', '-e', 'trace=execve', '-e', 'signal=none', '-ttt', '-s', '48', '-o', out];
  const st = spawn('strace', [...args, '-p', String(pid)], { stdio: 'ignore' });
  const exited = new Promise<void>((r) => st.on('close', () => r()));
  const failed = await Promise.race([
    new Promise<boolean>((r) => st.on('error', () => r(true))),
    exited.then(() => true),
    (async () => {
      // attached once the daemon names a tracer
      for (let i = 0; i < 100; i++) {
        if (/^TracerPid:\s+[1-9]/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'))) return false;
        await new Promise((r) => setTimeout(r, 20));
      }
      return true;
    })(),
  ]);
  try {
    if (failed) return null;
    await during();
    await new Promise((r) => setTimeout(r, 200)); // the last children's exits
    st.kill('SIGINT');
    await exited;
    return parseExecTrace(readFileSync(out, 'utf8'));
  } finally {
    if (st.exitCode === null) st.kill('SIGKILL');
    rmSync(out, { force: true });
  }
}

/** Lines for the report: one per child, in start order. */
export function formatChildren(children: Child[]): string {
  const w = Math.max(...children.map((c) => c.cmd.length), 8);
  return children
    .map(
      (c) =>
        `  +${c.at.toFixed(1).padStart(7)} ms  ${c.cmd.padEnd(w)}  ${Number.isNaN(c.ms) ? '(still running)' : `${c.ms.toFixed(1)} ms`}`,
    )
    .join('\n');
}
