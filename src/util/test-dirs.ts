import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// Unit tests make scratch directories; they go when the test process exits, pass or fail.
const made: string[] = [];
let hooked = false;

/** A fresh directory under the system temp dir, removed at process exit. */
export async function testDir(prefix: string): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.push(dir);
  if (!hooked) {
    hooked = true;
    process.once('exit', () => {
      for (const d of made) rmSync(d, { recursive: true, force: true });
    });
  }
  return dir;
}

/** A path named `name` in a fresh testDir (the file itself is not made). */
export async function testFile(prefix: string, name: string): Promise<string> {
  return join(await testDir(prefix), name);
}
