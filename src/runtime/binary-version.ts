// The version a runtime binary reports (runc, conmon), for /version's Components.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The first x.y.z[-suffix] in `bin args`' output, else its first line; 'unknown' when it fails. */
export async function binaryVersion(bin: string, args: string[] = ['--version']): Promise<string> {
  try {
    const { stdout } = await run(bin, args);
    return versionIn(stdout);
  } catch {
    return 'unknown';
  }
}

export function versionIn(output: string): string {
  return /(\d+\.\d+\.\d+[^\s]*)/.exec(output)?.[1] ?? output.split('\n')[0]!.trim();
}
