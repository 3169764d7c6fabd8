import { it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, readFile, rm, symlink, writeFile, chmod, access } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { extract } from 'tar-stream';
import { extractInto, packPath, statPath } from './archive.js';
import { makeTar } from './testtar.js';

let root: string;
before(async () => {
  const t = await mkdtemp(join(tmpdir(), 'berth-cp-'));
  root = join(t, 'rootfs');
  await mkdir(join(root, 'etc'), { recursive: true });
  await writeFile(join(root, 'etc/hostname'), 'abc\n');
  await chmod(join(root, 'etc/hostname'), 0o644);
  await symlink('/etc/hostname', join(root, 'link'));
  await symlink('/../../..', join(root, 'escape'));
  await mkdir(join(root, 'dst'));
});
after(async () => {
  await rm(join(root, '..'), { recursive: true, force: true });
});

async function names(r: Readable): Promise<string[]> {
  const ex = extract();
  const out: string[] = [];
  const feed = (async () => {
    for await (const c of r) ex.write(c as Buffer);
    ex.end(undefined as never);
  })();
  for await (const e of ex) {
    out.push(e.header.name);
    e.resume();
  }
  await feed;
  return out;
}

it('statPath: Go FileMode bits, name, size, linkTarget', async () => {
  const f = await statPath(root, '/etc/hostname');
  assert.equal(f.name, 'hostname');
  assert.equal(f.size, 4);
  assert.equal(f.mode, 0o644);
  assert.equal(f.linkTarget, '');
  const d = await statPath(root, '/etc');
  assert.equal(d.mode, 2 ** 31 + 0o755);
  const l = await statPath(root, 'link');
  assert.equal(l.mode & (2 ** 27), 2 ** 27);
  assert.equal(l.linkTarget, '/etc/hostname');
  await assert.rejects(statPath(root, '/nope', 'c1'), /Could not find the file \/nope in container c1/);
});

it('packPath: top entry is the basename; dirs recurse', async () => {
  assert.deepEqual(await names(await packPath(root, '/etc/hostname')), ['hostname']);
  assert.deepEqual(await names(await packPath(root, '/etc')), ['etc/', 'etc/hostname']);
  // symlink escapes resolve inside the root
  assert.deepEqual(await names(await packPath(root, '/escape/etc/hostname')), ['hostname']);
});

it('extractInto: writes into a directory, confined; refuses non-directories', async () => {
  await extractInto(
    root,
    '/dst',
    Readable.from([
      await makeTar([
        { name: 'x/y', body: 'hi' },
        { name: '/abs', body: 'a' },
      ]),
    ]),
  );
  assert.equal(await readFile(join(root, 'dst/x/y'), 'utf8'), 'hi');
  assert.equal(await readFile(join(root, 'dst/abs'), 'utf8'), 'a');
  await extractInto(root, '/escape/dst', Readable.from([await makeTar([{ name: 'z', body: 'z' }])]));
  await access(join(root, 'dst/z'));
  await assert.rejects(
    extractInto(root, '/etc/hostname', Readable.from([await makeTar([])])),
    /extraction point is not a directory/,
  );
});
