import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { LocalDriver, mountArgs, validateLocalOptions } from './local.js';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'localvol-'));

test('create, reload, list, remove; metadata is the commit point', async () => {
  const root = tmp();
  const d = new LocalDriver(root);
  await d.init();
  const v = await d.create('data1', null, { tier: 'db' });
  assert.equal(v.Mountpoint, path.join(root, 'data1', '_data'));
  assert.deepEqual([v.Driver, v.Scope, v.Options, v.Labels], ['local', 'local', null, { tier: 'db' }]);
  assert.match(v.CreatedAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  assert.ok(fs.statSync(v.Mountpoint).isDirectory());
  assert.deepEqual(await d.create('data1', null, null), v, 'creating an existing volume returns it');
  fs.writeFileSync(path.join(v.Mountpoint, 'f'), 'x');
  // a crashed create (no metadata) is cleaned up at the next start, real volumes are kept
  fs.mkdirSync(path.join(root, 'half', '_data'), { recursive: true });
  const d2 = new LocalDriver(root);
  await d2.init();
  assert.deepEqual(
    d2.list().map((x) => x.Name),
    ['data1'],
  );
  assert.equal(fs.existsSync(path.join(root, 'half')), false);
  assert.ok((await d2.size('data1')) > 0);
  await d2.remove('data1');
  assert.equal(fs.existsSync(path.join(root, 'data1')), false);
  await assert.rejects(d2.remove('data1'), { message: 'get data1: no such volume' });
  fs.rmSync(root, { recursive: true });
});

test('names and options are validated like the local driver', async () => {
  const d = new LocalDriver(tmp());
  await d.init();
  await assert.rejects(d.create('a', null, null), /"a" includes invalid characters for a local volume name/);
  await assert.rejects(d.create('a/b', null, null), /^EngineError: create a\/b: "a\/b" includes invalid characters/);
  await assert.rejects(d.create('okname', { foo: 'bar' }, null), { message: 'invalid option key: "foo"' });
  assert.doesNotThrow(() => validateLocalOptions({ type: 'tmpfs', device: 'tmpfs', o: 'size=10m' }));
  assert.throws(() => validateLocalOptions({ type: 'tmpfs' }), /missing required option/);
  assert.throws(() => validateLocalOptions({ type: 'none', device: '/srv' }), /o=bind/);
  fs.rmSync(d.root, { recursive: true });
});

test('mountArgs for tmpfs, bind and block devices', () => {
  assert.deepEqual(mountArgs({ type: 'tmpfs', device: 'tmpfs', o: 'size=10m' }, '/t'), [
    '-t',
    'tmpfs',
    '-o',
    'size=10m',
    'tmpfs',
    '/t',
  ]);
  assert.deepEqual(mountArgs({ type: 'none', device: '/srv/x', o: 'bind' }, '/t'), ['-o', 'bind', '/srv/x', '/t']);
  assert.deepEqual(mountArgs({ type: 'ext4', device: '/dev/sdb1' }, '/t'), ['-t', 'ext4', '/dev/sdb1', '/t']);
});
