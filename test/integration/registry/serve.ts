// Run `berth registry serve` as a real process for tests; the bound address comes from its
// "listening" log line (so --addr 127.0.0.1:0 works).
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from '../../harness/daemon.js';

export const berthBin = join(repoRoot, 'bin/berth');

export interface RegistryProcess {
  proc: ChildProcess;
  addr: string;
  log(): string;
  stop(signal?: NodeJS.Signals): Promise<void>;
}

export function startRegistryProcess(args: string[], o: { prefix?: string[] } = {}): Promise<RegistryProcess> {
  const argv = [...(o.prefix ?? []), process.execPath, berthBin, 'registry', 'serve', ...args];
  const proc = spawn(argv[0], argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout!.on('data', (d) => (out += d));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error(`registry did not start:\n${out}`));
    }, 15_000);
    proc.stderr!.on('data', (d) => {
      out += d;
      const m = /"msg":"listening","addr":"([^"]+)"/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({
          proc,
          addr: m[1],
          log: () => out,
          stop: (signal = 'SIGTERM') =>
            new Promise<void>((res) => {
              if (proc.exitCode !== null || proc.signalCode !== null) return res();
              proc.once('exit', () => res());
              proc.kill(signal);
            }),
        });
      }
    });
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`registry exited with ${code}:\n${out}`));
    });
  });
}
