// main() with its output captured, against the daemon on `sock`: how the CLI's tests run a command
// over a fake daemon.
import { PassThrough } from 'node:stream';
import { main } from './main.js';

export interface Captured {
  code: number;
  out: string;
  err: string;
}

export async function mainCaptured(sock: string, argv: string[]): Promise<Captured> {
  let out = '';
  let err = '';
  const stdout = new PassThrough().on('data', (b) => (out += b));
  const stderr = new PassThrough().on('data', (b) => (err += b));
  const code = await main(argv, {
    io: { stdin: new PassThrough(), stdout, stderr },
    env: { DOCKER_HOST: `unix://${sock}` },
  });
  return { code, out, err };
}
