// Debian's docker-registry (distribution 2.8) for integration tests: on a free loopback port of the
// test's own network namespace, with its storage under a directory the test owns.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';

export const DOCKER_REGISTRY = '/usr/bin/docker-registry';

export interface TestRegistry {
  /** host:port, e.g. 127.0.0.1:40123 */
  addr: string;
  proc: ChildProcess;
  stop(): void;
}

export async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const p = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return p;
}

const listening = (port: number) =>
  new Promise<boolean>((r) => {
    const c = net.connect(port, '127.0.0.1', () => (c.destroy(), r(true)));
    c.on('error', () => r(false));
  });

/** Starts docker-registry with its data in `dir/reg-<port>`; `htpasswd` lines turn on basic auth. */
export async function startDockerRegistry(dir: string, opts: { htpasswd?: string } = {}): Promise<TestRegistry> {
  const port = await freePort();
  const rd = join(dir, `reg-${port}`);
  mkdirSync(join(rd, 'data'), { recursive: true });
  let auth = '';
  if (opts.htpasswd) {
    writeFileSync(join(rd, 'htpasswd'), opts.htpasswd + '\n');
    auth = `auth:\n  htpasswd: {realm: test, path: ${join(rd, 'htpasswd')}}\n`;
  }
  writeFileSync(
    join(rd, 'config.yml'),
    `version: 0.1\nlog: {level: error}\nstorage:\n  filesystem: {rootdirectory: ${join(rd, 'data')}}\n${auth}http:\n  addr: 127.0.0.1:${port}\n`,
  );
  const proc = spawn(DOCKER_REGISTRY, ['serve', join(rd, 'config.yml')], { stdio: 'ignore' });
  const reg = { addr: `127.0.0.1:${port}`, proc, stop: () => void proc.kill() };
  for (let i = 0; i < 200; i++) {
    if (await listening(port)) return reg;
    if (proc.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  reg.stop();
  throw new Error('docker-registry did not start');
}
