// docker cp both ways: files, directories, "/." , stdout/stdin tar streams, stopped containers,
// paths inside volumes and binds, read-only mounts, and escape attempts (symlinks, ../ in tars).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import {
  chownSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  readlinkSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { runCommand, daemonPerFile } from '../../harness/daemon.js';

const berthd = daemonPerFile();
const skip = berthd.skip;
const tmp = mkdtempSync(join(tmpdir(), 'berth-cp-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

const ok = async (args: string[], input?: string | Buffer) => {
  const r = await berthd.d.docker(args, input !== undefined ? { input } : {});
  assert.equal(r.code, 0, `docker ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
};
const fails = async (args: string[], re: RegExp, input?: Buffer) => {
  const r = await berthd.d.docker(args, input ? { input } : {});
  assert.notEqual(r.code, 0, `expected failure: docker ${args.join(' ')}`);
  assert.match(r.stderr, re);
};

/** A tar with one regular file entry of the given name (512-byte ustar header + data). */
function oneFileTar(name: string, data: string): Buffer {
  const h = Buffer.alloc(512);
  h.write(name, 0);
  h.write('0000644\0', 100);
  h.write('0000000\0', 108);
  h.write('0000000\0', 116);
  h.write(data.length.toString(8).padStart(11, '0') + '\0', 124);
  h.write('00000000000\0', 136);
  h.write('        ', 148);
  h.write('0', 156);
  h.write('ustar\x0000', 257);
  let sum = 0;
  for (const b of h) sum += b;
  h.write(sum.toString(8).padStart(6, '0') + '\0 ', 148);
  const body = Buffer.alloc(Math.ceil(data.length / 512) * 512);
  body.write(data);
  return Buffer.concat([h, body, Buffer.alloc(1024)]);
}

test('cp in and out of a running and a stopped container', { skip: skip ?? false }, async () => {
  await ok(['run', '-d', '--name', 'cc', 'busybox', 'sleep', '300']);
  writeFileSync(join(tmp, 'hostfile'), 'host-data\n');
  mkdirSync(join(tmp, 'dir', 'sub'), { recursive: true });
  writeFileSync(join(tmp, 'dir', 'sub', 'f'), 'deep\n');
  await ok(['cp', join(tmp, 'hostfile'), 'cc:/tmp/copied']);
  assert.equal(await ok(['exec', 'cc', 'cat', '/tmp/copied']), 'host-data\n');
  await ok(['cp', join(tmp, 'dir'), 'cc:/tmp/']);
  assert.equal(await ok(['exec', 'cc', 'cat', '/tmp/dir/sub/f']), 'deep\n');
  await ok(['exec', 'cc', 'sh', '-c', 'mkdir /out && echo a > /out/a && echo b > /out/b']);
  await ok(['cp', 'cc:/out', join(tmp, 'outdir')]);
  assert.deepEqual(readdirSync(join(tmp, 'outdir')).sort(), ['a', 'b']);
  await ok(['cp', 'cc:/out/.', join(tmp, 'outdot')]);
  assert.equal(readFileSync(join(tmp, 'outdot', 'b'), 'utf8'), 'b\n');
  const list = await runCommand('sh', ['-c', `docker cp cc:/etc/hostname - | tar -t`], { env: berthd.d.env });
  assert.equal(list.stdout, 'hostname\n');
  await ok(['stop', '-t', '0', 'cc']);
  await ok(['cp', 'cc:/tmp/copied', join(tmp, 'back')]);
  assert.equal(readFileSync(join(tmp, 'back'), 'utf8'), 'host-data\n');
  await ok(['cp', join(tmp, 'hostfile'), 'cc:/tmp/while-stopped']);
  await ok(['start', 'cc']);
  assert.equal(await ok(['exec', 'cc', 'cat', '/tmp/while-stopped']), 'host-data\n');
  await fails(
    ['cp', 'cc:/does/not/exist', join(tmp, 'x')],
    /Could not find the file \/does\/not\/exist in container cc/,
  );
  await fails(['cp', 'nosuch:/tmp/x', join(tmp, 'x')], /No such container: nosuch/);
  await ok(['rm', '-f', 'cc']);
});

test('cp through volumes and binds; read-only mounts refuse writes', { skip: skip ?? false }, async () => {
  const b = join(tmp, 'bind');
  mkdirSync(b);
  writeFileSync(join(b, 'inbind'), 'bound\n');
  await ok([
    'create',
    '--name',
    'vv',
    '-v',
    'cpvol:/data',
    '-v',
    `${b}:/bind`,
    '-v',
    `${b}:/robind:ro`,
    'busybox',
    'sleep',
    '300',
  ]);
  // stopped (never started): volumes are bound into the rootfs for the copy
  await ok(['cp', join(tmp, 'hostfile'), 'vv:/data/']);
  assert.equal(readFileSync(join(berthd.d.dataRoot, 'volumes', 'cpvol', '_data', 'hostfile'), 'utf8'), 'host-data\n');
  await ok(['cp', 'vv:/bind/inbind', join(tmp, 'fromstopped')]);
  assert.equal(readFileSync(join(tmp, 'fromstopped'), 'utf8'), 'bound\n');
  await fails(['cp', join(tmp, 'hostfile'), 'vv:/robind/'], /mounted volume is marked read-only/);
  // running: the container's own view
  await ok(['start', 'vv']);
  await ok(['cp', join(tmp, 'hostfile'), 'vv:/bind/fromcp']);
  assert.equal(readFileSync(join(b, 'fromcp'), 'utf8'), 'host-data\n');
  assert.equal(await ok(['exec', 'vv', 'cat', '/data/hostfile']), 'host-data\n');
  await ok(['rm', '-fv', 'vv']);
  await ok(['volume', 'rm', 'cpvol']);
});

test('cp cannot escape the container: symlinks and ../ entries', { skip: skip ?? false }, async () => {
  await ok([
    'run',
    '-d',
    '--name',
    'ee',
    'busybox',
    'sh',
    '-c',
    'ln -s / /escape && ln -s ../../../../../ /rel && sleep 300',
  ]);
  await new Promise((r) => setTimeout(r, 300));
  const marker = `berth-escape-${process.pid}`;
  writeFileSync(join(tmp, marker), 'x');
  await ok(['cp', join(tmp, marker), `ee:/escape/tmp/`]);
  await ok(['cp', join(tmp, marker), `ee:/rel/tmp/${marker}2`]);
  assert.equal(existsSync(`/tmp/${marker}`), false);
  assert.equal(existsSync(`/tmp/${marker}2`), false);
  assert.equal(
    (await ok(['exec', 'ee', 'ls', '/tmp'])).split('\n').filter(Boolean).sort().join(' '),
    `${marker} ${marker}2`,
  );
  await fails(
    ['cp', '-', 'ee:/tmp'],
    /path is outside of the target directory/,
    oneFileTar(`../../../../tmp/${marker}3`, 'evil'),
  );
  assert.equal(existsSync(`/tmp/${marker}3`), false);
  await ok(['stop', '-t', '0', 'ee']);
  await ok(['cp', join(tmp, marker), `ee:/escape/tmp/${marker}4`]);
  assert.equal(existsSync(`/tmp/${marker}4`), false);
  await ok(['rm', '-f', 'ee']);
});

const tarOf = (dir: string, name: string) => execFileSync('tar', ['-C', dir, '-c', name]);

// Each rule checked against Docker 20.10 (messages and statuses copied from it).
test('cp rules: noOverwriteDirNonDir, ownership and -a, -L, trailing /., into a volume', {
  skip: skip ?? false,
}, async () => {
  const src = join(tmp, 'rules');
  mkdirSync(join(src, 'd', 'sub'), { recursive: true });
  writeFileSync(join(src, 'd', 'sub', 'x'), 'x\n');
  writeFileSync(join(src, 'f'), 'file\n');
  chownSync(join(src, 'f'), 1234, 2345);
  await ok([
    'run',
    '-d',
    '--name',
    'rr',
    '-v',
    'rulesvol:/vol',
    'busybox',
    'sh',
    '-c',
    'mkdir -p /tmp/t/f /tmp/ex && echo > /tmp/t/d && ln -s /etc/hostname /lnk && sleep 300',
  ]);
  await new Promise((r) => setTimeout(r, 300));
  // a file over a directory, a directory over a file: refused (500), nothing changed
  await fails(
    ['cp', '-', 'rr:/tmp/t'],
    /Error processing tar file\(exit status 1\): cannot overwrite directory "\/tmp\/t\/f" with non-directory "\/tmp\/t"/,
    tarOf(src, 'f'),
  );
  await fails(
    ['cp', '-', 'rr:/tmp/t'],
    /cannot overwrite non-directory "\/tmp\/t\/d" with directory "\/tmp\/t"/,
    tarOf(src, 'd'),
  );
  assert.equal(await ok(['exec', 'rr', 'sh', '-c', 'test -d /tmp/t/f && test -f /tmp/t/d && echo same']), 'same\n');
  // without -a the tar's uid/gid are kept (Docker does the same when the container has no User)
  await ok(['cp', join(src, 'f'), 'rr:/tmp/own']);
  assert.match(await ok(['exec', 'rr', 'ls', '-ln', '/tmp/own']), /^-rw-r--r--\s+1 1234\s+2345 /);
  // -L copies what a symlink points to; without it the link itself
  await ok(['cp', '-L', 'rr:/lnk', join(src, 'L1')]);
  assert.equal(lstatSync(join(src, 'L1')).isFile(), true);
  assert.equal(readFileSync(join(src, 'L1'), 'utf8'), await ok(['exec', 'rr', 'cat', '/etc/hostname']));
  await ok(['cp', 'rr:/lnk', join(src, 'L2')]);
  assert.equal(readlinkSync(join(src, 'L2')), '/etc/hostname');
  // trailing "/.": the contents; without it the directory itself (into an existing dir)
  await ok(['cp', join(src, 'd') + '/.', 'rr:/tmp/ex']);
  await ok(['cp', join(src, 'd'), 'rr:/tmp/ex']);
  await ok(['cp', join(src, 'd') + '/.', 'rr:/tmp/new']);
  assert.equal(await ok(['exec', 'rr', 'sh', '-c', 'cat /tmp/ex/sub/x /tmp/ex/d/sub/x /tmp/new/sub/x']), 'x\nx\nx\n');
  // a path inside a volume
  await ok(['cp', join(src, 'd') + '/.', 'rr:/vol/in/']);
  assert.equal(readFileSync(join(berthd.d.dataRoot, 'volumes', 'rulesvol', '_data', 'in', 'sub', 'x'), 'utf8'), 'x\n');
  await ok(['rm', '-f', 'rr']);
  // -a into a container with a User: entries owned by that user (looked up in the container)
  await ok(['create', '--name', 'ru', '--user', '777:778', 'busybox', 'sleep', '300']);
  await ok(['cp', '-a', join(src, 'f'), 'ru:/tmp/fa']);
  await ok(['start', 'ru']);
  assert.match(await ok(['exec', 'ru', 'ls', '-ln', '/tmp/fa']), /^-rw-r--r--\s+1 777\s+778 /);
  await ok(['rm', '-f', 'ru']);
  await ok(['volume', 'rm', 'rulesvol']);
});
