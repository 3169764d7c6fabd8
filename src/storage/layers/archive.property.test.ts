// Property tests for `docker cp` (archive PUT/GET/HEAD): any container path, through a rootfs that
// holds symlinks pointing out, and any tar, is answered inside the rootfs or refused with an
// EngineError (404/400) or the system's error, never a crash-class error; nothing outside changes.
import assert from 'node:assert/strict';
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import fc from 'fast-check';
import { EngineError } from '../../errdefs.js';
import { onlyRejects, params } from '../../util/prop-check.js';
import { testDir } from '../../util/test-dirs.js';
import { extractInto, packPath, statPath } from './archive.js';
import { genEntries, packEntries, snapshot } from './tar-arbitraries.js';

async function rootfs(): Promise<{ base: string; root: string; outside: string }> {
  const base = await testDir('berth-prop-cp-');
  const root = join(base, 'rootfs');
  const outside = join(base, 'outside');
  await mkdir(join(root, 'etc'), { recursive: true });
  await mkdir(join(root, 'dst'));
  await mkdir(outside);
  await writeFile(join(root, 'etc/hostname'), 'abc\n');
  await writeFile(join(outside, 'secret'), 'do not touch');
  await symlink('/../../..', join(root, 'escape'));
  await symlink(outside, join(root, 'abs-out'));
  await symlink('../outside', join(root, 'rel-out'));
  await symlink('/etc/hostname', join(root, 'link'));
  return { base, root, outside };
}

const ctrPath = fc.oneof(
  fc.constantFrom(
    '/',
    '/dst',
    '/etc',
    '/etc/hostname',
    '/escape',
    '/abs-out',
    '/rel-out',
    '/link',
    '/escape/secret',
    '/abs-out/secret',
    '/rel-out/',
    '/nope',
    '',
    '.',
    '..',
    '/../..',
    '/dst/../../outside',
  ),
  fc
    .array(fc.constantFrom('dst', 'etc', 'escape', 'abs-out', 'rel-out', 'link', '..', '.', 'x'), { maxLength: 4 })
    .map((a) => '/' + a.join('/')),
);

test('cp into a container: any path and any tar stay inside the rootfs or are refused', async () => {
  const s = await rootfs();
  await fc.assert(
    fc.asyncProperty(ctrPath, genEntries(s.outside), fc.boolean(), async (p, entries, noOverwrite) => {
      const tar = await packEntries(entries);
      const before = await snapshot(s.base, s.root);
      await onlyRejects(
        () => extractInto(s.root, p, Readable.from([tar]), 'c1', { noOverwriteDirNonDir: noOverwrite }),
        EngineError,
        Error,
      );
      assert.deepEqual(await snapshot(s.base, s.root), before, 'nothing outside the rootfs changed');
    }),
    params(200),
  );
});

test('cp out of a container: stat and pack of any path resolve inside the rootfs or are 404', async () => {
  const s = await rootfs();
  await fc.assert(
    fc.asyncProperty(ctrPath, async (p) => {
      const st = await onlyRejects(() => statPath(s.root, p, 'c1'), EngineError);
      if (st?.linkTarget) assert.ok(st.linkTarget.startsWith('/'), st.linkTarget);
      const r = await onlyRejects(() => packPath(s.root, p, 'c1'), EngineError);
      if (r) {
        const chunks: Buffer[] = [];
        for await (const c of r) chunks.push(c as Buffer);
        assert.ok(!Buffer.concat(chunks).includes('do not touch'), 'no file from outside the rootfs is packed');
      }
    }),
    params(200),
  );
});
