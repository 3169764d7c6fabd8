import assert from 'node:assert/strict';
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { testDir } from '../../util/test-dirs.js';
import { diffLayer } from './diff.js';
import { initArtifacts } from './init-artifacts.js';
import tarStream from 'tar-stream';

async function names(upper: string, skip?: ReadonlySet<string>): Promise<string[]> {
  const out: string[] = [];
  const ex = tarStream.extract();
  ex.on('entry', (h, s, next) => {
    out.push(h.name);
    s.resume();
    s.on('end', next);
  });
  const done = new Promise<void>((r) => ex.on('finish', () => r()));
  diffLayer(upper, skip).pipe(ex);
  await done;
  return out;
}

test('init artifacts: empty mount targets, /.dockerenv and the mtab link are left out of a commit; /etc goes when it held only them', async () => {
  const upper = await testDir('berth-init-art-');
  await mkdir(join(upper, 'etc'));
  for (const f of ['.dockerenv', 'etc/hosts', 'etc/hostname', 'etc/resolv.conf']) await writeFile(join(upper, f), '');
  await symlink('/proc/mounts', join(upper, 'etc/mtab'));
  await writeFile(join(upper, 'x'), 'data');
  const skip = await initArtifacts(upper);
  assert.deepEqual([...skip].sort(), ['.dockerenv', 'etc', 'etc/hostname', 'etc/hosts', 'etc/mtab', 'etc/resolv.conf']);
  assert.deepEqual(await names(upper, skip), ['x']);
  // without the skip set everything is there (what commits carried before)
  assert.ok((await names(upper)).includes('etc/mtab'));
});

test('init artifacts: content written by the container is a change, and so is an /etc with other files', async () => {
  const upper = await testDir('berth-init-art-');
  await mkdir(join(upper, 'etc'));
  await writeFile(join(upper, 'etc/hosts'), '10.0.0.1 db\n'); // written by the process: kept
  await writeFile(join(upper, 'etc/resolv.conf'), '');
  await writeFile(join(upper, 'etc/app.conf'), 'a=1');
  await symlink('/elsewhere', join(upper, 'etc/mtab')); // not the link berth writes
  const skip = await initArtifacts(upper);
  assert.deepEqual([...skip], ['etc/resolv.conf']);
  assert.deepEqual((await names(upper, skip)).sort(), ['etc/', 'etc/app.conf', 'etc/hosts', 'etc/mtab']);
});
