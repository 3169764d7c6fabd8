import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { addRuntimeFlag, resolveRuntimes, runtimeFromJson, runtimeNamed, runtimesForHost } from './oci-runtimes.js';

const found = (bins: string[]) => (b: string) => (bins.includes(b) ? `/usr/bin/${b}` : null);

test('resolveRuntimes: runc and crun where found, configured ones win, the default must exist', () => {
  const t = resolveRuntimes({ defaultRuntime: 'runc', runtimes: {} }, found(['runc', 'crun']));
  assert.deepEqual(t, {
    default: 'runc',
    runtimes: {
      runc: { path: '/usr/bin/runc', runtimeArgs: [] },
      crun: { path: '/usr/bin/crun', runtimeArgs: [] },
    },
  });
  assert.deepEqual(resolveRuntimes({ defaultRuntime: 'runc', runtimes: {} }, found(['runc'])).runtimes, {
    runc: { path: '/usr/bin/runc', runtimeArgs: [] },
  });
  const mine = resolveRuntimes(
    { defaultRuntime: 'crun', runtimes: { crun: '/opt/crun', oci: 'runc' }, runtimeArgs: { crun: ['--debug'] } },
    found(['runc', 'crun']),
  );
  assert.equal(mine.default, 'crun');
  assert.deepEqual(mine.runtimes.crun, { path: '/opt/crun', runtimeArgs: ['--debug'] });
  assert.deepEqual(mine.runtimes.oci, { path: '/usr/bin/runc', runtimeArgs: [] }, 'a bare name found in PATH');
  assert.throws(() => resolveRuntimes({ defaultRuntime: 'crun', runtimes: {} }, found(['runc'])), {
    kind: 'invalid',
    message: "specified default runtime 'crun' does not exist",
  });
  assert.throws(() => resolveRuntimes({ defaultRuntime: 'runc', runtimes: { runc: '/x' } }, found([])), {
    message: "runtime name 'runc' is reserved",
  });
  assert.throws(() => resolveRuntimes({ defaultRuntime: 'runc', runtimes: { '../x': '/x' } }, found([])), {
    message: 'invalid runtime name: ../x',
  });
  // runc is stock: a host without it gets findBinaries' "install runc", not "does not exist"
  assert.equal(resolveRuntimes({ defaultRuntime: '', runtimes: {} }, found([])).default, 'runc');
});

test('runtimeNamed: the default for an empty name, moby 400 text for an unknown one', () => {
  const t = resolveRuntimes({ defaultRuntime: 'crun', runtimes: {} }, found(['runc', 'crun']));
  assert.equal(runtimeNamed(t, '').path, '/usr/bin/crun');
  assert.equal(runtimeNamed(t, 'runc').path, '/usr/bin/runc');
  assert.throws(() => runtimeNamed(t, 'kata'), { kind: 'invalid', message: 'unknown or invalid runtime name: kata' });
});

test('addRuntimeFlag: moby RuntimeOpt.Set errors', () => {
  const into: Record<string, string> = {};
  addRuntimeFlag(into, ' Fast = /usr/bin/crun ');
  assert.deepEqual(into, { fast: '/usr/bin/crun' }, 'trimmed, name lower-cased as dockerd');
  for (const bad of ['crun', '=/x', 'x=', 'x= '])
    assert.throws(() => addRuntimeFlag({}, bad), { kind: 'invalid', message: `invalid runtime argument: ${bad}` });
  assert.throws(() => addRuntimeFlag({}, 'runc=/opt/runc'), { message: "runtime name 'runc' is reserved" });
  assert.throws(() => addRuntimeFlag(into, 'fast=/x'), { message: "runtime 'fast' was already defined" });
});

test('runtimeFromJson: a path with runtimeArgs; shims, options and empty entries refused', () => {
  assert.deepEqual(runtimeFromJson('crun', { path: '/usr/bin/crun', runtimeArgs: ['--debug'] }), {
    path: '/usr/bin/crun',
    runtimeArgs: ['--debug'],
  });
  assert.deepEqual(runtimeFromJson('x', { path: 'x' }), { path: 'x', runtimeArgs: [] });
  assert.throws(() => runtimeFromJson('x', {}), {
    message: 'runtime x: either a runtimeType or a path must be configured',
  });
  assert.throws(() => runtimeFromJson('x', { path: '/x', runtimeType: 'io.containerd.runc.v2' }), {
    message: 'runtime x: cannot configure both path and runtimeType for the same runtime',
  });
  assert.throws(() => runtimeFromJson('x', { runtimeType: 'io.containerd.kata.v2' }), /runtimeType .* not supported/);
  assert.throws(() => runtimeFromJson('x', { path: '/x', options: {} }), {
    message: 'runtime x: options cannot be used with a path runtime',
  });
  assert.throws(() => runtimeFromJson('runc', { path: '/x' }), { message: "runtime name 'runc' is reserved" });
});

test('runtimesForHost: each crun through its wrapper on a hybrid host whose cgroup2 holds controllers; nothing otherwise', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'berth-rt-host-'));
  const file = join(dir, 'cgroup.controllers');
  const wrappers = join(dir, 'wrappers');
  const t = resolveRuntimes({ defaultRuntime: 'runc', runtimes: { fast: '/opt/crun' } }, found(['runc', 'crun']));
  const o = { controllersFile: file, mountinfo: '', has: () => true };
  writeFileSync(file, 'hugetlb\n');
  const h = await runtimesForHost(t, wrappers, o);
  assert.equal(h.table.runtimes.runc!.path, '/usr/bin/runc', 'runc as it is');
  assert.equal(h.table.runtimes.crun!.path, join(wrappers, 'crun', 'crun'), 'named crun: its flavour stays crun');
  assert.equal(h.table.runtimes.fast!.path, join(wrappers, 'fast', 'crun'));
  assert.match(
    readFileSync(h.table.runtimes.fast!.path, 'utf8'),
    /exec '\/opt\/crun' "\$@"/,
    'each wraps its own binary',
  );
  assert.ok(statSync(h.table.runtimes.crun!.path).mode & 0o100, 'executable');
  assert.deepEqual(h.warnings, []);
  assert.match(h.notes[0]!, /runtime crun, fast: cgroup2 holds controllers \(hugetlb\)/);
  assert.deepEqual(t.runtimes.crun!.path, '/usr/bin/crun', 'the table given (docker info) is left alone');
  const bare = await runtimesForHost(t, wrappers, { ...o, has: (b) => b !== 'unshare' });
  assert.equal(bare.table, t, 'no unshare: no wrapper');
  assert.deepEqual(
    bare.warnings.map((w) => w.split(':')[0]),
    ['runtime crun', 'runtime fast'],
    'and each crun said by its name',
  );
  writeFileSync(file, '');
  assert.equal((await runtimesForHost(t, wrappers, o)).table, t, 'an empty cgroup2 is fine for crun');
  assert.equal(
    (await runtimesForHost(t, wrappers, { ...o, controllersFile: join(dir, 'absent') })).table,
    t,
    'v1 or v2 host',
  );
  const runcOnly = resolveRuntimes({ defaultRuntime: 'runc', runtimes: {} }, found(['runc']));
  writeFileSync(file, 'hugetlb\n');
  assert.deepEqual(await runtimesForHost(runcOnly, wrappers, o), { table: runcOnly, warnings: [], notes: [] });
  rmSync(dir, { recursive: true, force: true });
});
