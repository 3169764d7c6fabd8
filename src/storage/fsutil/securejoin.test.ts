// secureJoin is the one symlink-safe join (archive extraction, docker cp, volumes copy-up, the
// builder's COPY, /etc/passwd lookups): whatever the rootfs holds, the result stays under root.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { EngineError } from '../../errdefs.js';
import { testDir } from '../../util/test-dirs.js';
import { secureJoin } from './securejoin.js';

test('secureJoin: plain paths are joined; "..", "." and repeated slashes stop at root', async () => {
  const root = await testDir('berth-sj-');
  assert.equal(await secureJoin(root, '/a/b'), path.join(root, 'a/b'));
  assert.equal(await secureJoin(root, 'a//./b/'), path.join(root, 'a/b'));
  assert.equal(await secureJoin(root, '../../../etc/passwd'), path.join(root, 'etc/passwd'));
  assert.equal(await secureJoin(root, '/a/../../b'), path.join(root, 'b'));
  assert.equal(await secureJoin(root, ''), root);
  assert.equal(await secureJoin(root, ['a', '..', '..', 'c']), path.join(root, 'c'));
});

test('secureJoin: absolute and relative symlinks are followed inside root, never out of it', async () => {
  const root = await testDir('berth-sj-');
  const outside = await testDir('berth-sj-out-');
  await mkdir(path.join(root, 'etc'));
  await writeFile(path.join(outside, 'passwd'), 'evil');
  await symlink(path.join(outside, 'passwd'), path.join(root, 'etc/passwd')); // absolute: re-rooted
  await symlink('../../../../..' + outside, path.join(root, 'etc/group')); // relative, climbing out
  await symlink('/', path.join(root, 'rootlink'));
  await symlink('../etc', path.join(root, 'etc/up'));
  assert.equal(await secureJoin(root, '/etc/passwd'), path.join(root, outside, 'passwd'));
  assert.equal(await secureJoin(root, '/etc/group/x'), path.join(root, outside, 'x'));
  assert.equal(await secureJoin(root, '/../../etc/passwd'), path.join(root, outside, 'passwd'));
  assert.equal(await secureJoin(root, '/rootlink/../../x'), path.join(root, 'x'));
  assert.equal(await secureJoin(root, '/etc/up/up/up/passwd'), path.join(root, outside, 'passwd'));
});

test('secureJoin: ".." after a symlink applies to where the link led, not to the link', async () => {
  const root = await testDir('berth-sj-');
  await mkdir(path.join(root, 'real/deep'), { recursive: true });
  await symlink('real/deep', path.join(root, 'l'));
  assert.equal(await secureJoin(root, '/l/../x'), path.join(root, 'real/x'));
});

test('secureJoin: a missing component ends link resolution; a link loop is refused', async () => {
  const root = await testDir('berth-sj-');
  assert.equal(await secureJoin(root, '/no/such/dir'), path.join(root, 'no/such/dir'));
  await symlink('b', path.join(root, 'a'));
  await symlink('a', path.join(root, 'b'));
  await assert.rejects(
    secureJoin(root, '/a/x'),
    (e) => e instanceof EngineError && e.kind === 'invalid' && /too many levels of symbolic links/.test(e.message),
  );
});
