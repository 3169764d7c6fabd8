// The one place network/ spawns ip, iptables, nsenter and unshare.
import { spawn } from 'node:child_process';
import { internal } from '../errdefs.js';

export interface RunOptions {
  input?: string;
  /** Run inside this network namespace (a bind-mounted nsfs path). */
  netns?: string;
  /** Do not throw on a non-zero exit. */
  allowFail?: boolean;
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function run(cmd: string, args: string[], o: RunOptions = {}): Promise<RunResult> {
  const [bin, argv] = o.netns ? ['nsenter', [`--net=${o.netns}`, cmd, ...args]] : [cmd, args];
  return new Promise((resolve, reject) => {
    const p = spawn(bin, argv, { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d: Buffer) => (stdout += d));
    p.stderr.on('data', (d: Buffer) => (stderr += d));
    p.on('error', (e) => reject(internal(`${cmd}: ${e.message}`, e)));
    p.on('close', (code) => {
      const r = { code: code ?? -1, stdout, stderr };
      if (r.code !== 0 && !o.allowFail)
        reject(internal(`${cmd} ${args.join(' ')}: ${stderr.trim() || `exit ${r.code}`}`));
      else resolve(r);
    });
    p.stdin.on('error', () => {});
    p.stdin.end(o.input ?? '');
  });
}

/** `ip -batch -` with one command per line: one spawn for many changes. */
export function ipBatch(lines: string[], netns?: string, allowFail = false): Promise<RunResult> {
  return run('ip', ['-batch', '-'], { input: lines.join('\n') + '\n', netns, allowFail });
}
