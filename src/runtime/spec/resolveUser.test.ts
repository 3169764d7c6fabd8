import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, writeFile, symlink, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { resolveUser } from './resolveUser.js';
import { secureJoin } from '../../storage/fsutil/securejoin.js';

let root: string;
let outside: string;
before(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'berth-user-'));
  outside = await mkdtemp(path.join(tmpdir(), 'berth-out-'));
  await mkdir(path.join(root, 'etc'));
  await writeFile(
    path.join(root, 'etc/passwd'),
    'root:x:0:0:root:/root:/bin/sh\n# comment\nnobody:x:65534:65534:nobody:/:/bin/false\nalice:x:1000:1001:Alice:/home/alice:/bin/sh\n',
  );
  await writeFile(
    path.join(root, 'etc/group'),
    'root:x:0:\nwheel:x:10:alice,bob\nstaff:x:50:alice\nalice:x:1001:\ndocker:x:999:\n',
  );
  await writeFile(path.join(outside, 'passwd'), 'evil:x:0:0::/:/bin/sh\n');
});
after(async () => {
  await rm(root, { recursive: true, force: true });
  await rm(outside, { recursive: true, force: true });
});

test('empty user is root; the primary group leads the supplementary groups, as moby getUser', async () => {
  assert.deepEqual(await resolveUser(root, ''), { uid: 0, gid: 0, additionalGids: [0] });
});

test('name resolves uid, primary gid and supplementary groups', async () => {
  assert.deepEqual(await resolveUser(root, 'alice'), { uid: 1000, gid: 1001, additionalGids: [1001, 10, 50] });
});

test('numeric uid: matches passwd or stands alone', async () => {
  assert.deepEqual(await resolveUser(root, '1000'), { uid: 1000, gid: 1001, additionalGids: [1001, 10, 50] });
  assert.deepEqual(await resolveUser(root, '4242'), { uid: 4242, gid: 0, additionalGids: [0] });
});

test('user:group forms', async () => {
  assert.deepEqual(await resolveUser(root, 'alice:wheel'), { uid: 1000, gid: 10, additionalGids: [10] });
  assert.deepEqual(await resolveUser(root, '1000:4000'), { uid: 1000, gid: 4000, additionalGids: [4000] });
  assert.deepEqual(await resolveUser(root, 'nobody:50'), { uid: 65534, gid: 50, additionalGids: [50] });
  await assert.rejects(resolveUser(root, 'alice:nogroup'), {
    message: 'unable to find group nogroup: no matching entries in group file',
  });
});

test('unknown name: Docker text', async () => {
  await assert.rejects(resolveUser(root, 'xyz'), {
    message: 'unable to find user xyz: no matching entries in passwd file',
  });
});

test('group-add by name or id', async () => {
  assert.deepEqual(await resolveUser(root, 'nobody', ['docker', '77']), {
    uid: 65534,
    gid: 65534,
    additionalGids: [65534, 999, 77],
  });
  await assert.rejects(resolveUser(root, '', ['nope']), /Unable to find group nope/);
});

test('missing passwd file: numeric ok, names fail', async () => {
  const empty = await mkdtemp(path.join(tmpdir(), 'berth-empty-'));
  try {
    assert.deepEqual(await resolveUser(empty, '33:44'), { uid: 33, gid: 44, additionalGids: [44] });
    await assert.rejects(resolveUser(empty, 'www'), /unable to find user www/);
  } finally {
    await rm(empty, { recursive: true });
  }
});

test('symlinked /etc/passwd cannot escape the rootfs', async () => {
  const r2 = await mkdtemp(path.join(tmpdir(), 'berth-link-'));
  try {
    await mkdir(path.join(r2, 'etc'));
    await symlink(path.join(outside, 'passwd'), path.join(r2, 'etc/passwd'));
    await assert.rejects(resolveUser(r2, 'evil'), /unable to find user evil/);
    await symlink('../../../../..' + outside, path.join(r2, 'etc/group'));
    assert.equal(await secureJoin(r2, '/etc/group/x'), path.join(r2, outside, 'x'));
    assert.equal(await secureJoin(r2, '/../../etc/passwd'), path.join(r2, outside, 'passwd'));
  } finally {
    await rm(r2, { recursive: true });
  }
});
