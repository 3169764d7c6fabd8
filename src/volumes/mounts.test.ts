import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import {
  ociMounts,
  parseBind,
  parseMode,
  parseMountSpec,
  parseVolumesFrom,
  resolveMounts,
  tmpfsOptions,
  wantsCopy,
  type MountPoint,
} from './mounts.js';

test('parseBind: bind, named, anonymous and modes as Docker shows them', () => {
  assert.deepEqual(parseBind('/srv/data:/data'), {
    type: 'bind',
    source: '/srv/data',
    destination: '/data',
    mode: '',
    rw: true,
    propagation: 'rprivate',
    nocopy: false,
    createHostDir: true,
  });
  const ro = parseBind('/srv/app.conf:/etc/app.conf:ro');
  assert.equal(ro.rw, false);
  assert.equal(ro.mode, 'ro');
  const named = parseBind('myvol:/var/lib/x/');
  assert.equal(named.type, 'volume');
  assert.equal(named.destination, '/var/lib/x');
  assert.equal(named.mode, 'z');
  assert.equal(parseBind('v1:/a:nocopy').nocopy, true);
  assert.equal(parseBind('/h:/c:rslave').propagation, 'rslave');
  assert.equal(parseBind('/h:/c:z,ro').mode, 'z,ro');
  const anon = parseBind('/data');
  assert.equal(anon.type, 'volume');
  assert.equal(anon.source, '');
  assert.equal(anon.mode, '');
});

test('parseBind: Docker error texts', () => {
  assert.throws(() => parseBind('/tmp:/x:foo'), /^EngineError: invalid mode: foo$/);
  assert.throws(() => parseBind('/tmp:x'), {
    message: `invalid volume specification: '/tmp:x': invalid mount config for type "bind": invalid mount path: 'x' mount path must be absolute`,
  });
  assert.throws(() => parseBind('/tmp:/'), {
    message: `invalid volume specification: '/tmp:/': invalid mount config for type "bind": invalid specification: destination can't be '/'`,
  });
  assert.throws(() => parseBind('relative/path:/x'), {
    message: /^create relative\/path: "relative\/path" includes invalid characters for a local volume name/,
  });
  assert.throws(() => parseBind('a:b:c:d'), { message: `invalid volume specification: 'a:b:c:d'` });
  assert.throws(() => parseBind('/data:rw'), { message: `invalid volume specification: '/data:rw'` });
  assert.throws(() => parseBind('/h:/c:ro,rw'), { message: 'invalid mode: ro,rw' });
  assert.throws(() => parseBind('/h:/c:nocopy'), { message: 'invalid mode: nocopy' });
});

test('parseMode accepts every Docker mode group once', () => {
  assert.deepEqual(parseMode('ro,Z,rshared,cached,nocopy'), { rw: false, propagation: 'rshared', nocopy: true });
  assert.throws(() => parseMode('z,Z'), /invalid mode/);
});

test('parseMountSpec: bind, volume, tmpfs and misplaced options', () => {
  const b = parseMountSpec({
    Type: 'bind',
    Source: '/x/',
    Target: '/y',
    ReadOnly: true,
    BindOptions: { Propagation: 'rslave' },
  });
  assert.deepEqual(
    [b.source, b.destination, b.rw, b.propagation, b.createHostDir],
    ['/x', '/y', false, 'rslave', false],
  );
  const v = parseMountSpec({
    Type: 'volume',
    Target: '/d',
    VolumeOptions: { NoCopy: true, DriverConfig: { Name: 'local', Options: { type: 'tmpfs' } } },
  });
  assert.deepEqual([v.source, v.nocopy, v.driver, v.driverOpts], ['', true, 'local', { type: 'tmpfs' }]);
  assert.equal(parseMountSpec({ Type: 'tmpfs', Target: '/t' }).type, 'tmpfs');
  assert.throws(() => parseMountSpec({ Type: 'bind', Target: '/y' }), {
    message: 'invalid mount config for type "bind": field Source must not be empty',
  });
  assert.throws(() => parseMountSpec({ Type: 'tmpfs', Source: 'x', Target: '/t' }), {
    message: 'invalid mount config for type "tmpfs": field Source must not be specified',
  });
  assert.throws(() => parseMountSpec({ Type: 'volume', Target: '/t', BindOptions: {} }), {
    message: 'invalid mount config for type "volume": field BindOptions must not be specified',
  });
  assert.throws(() => parseMountSpec({ Type: 'nfs', Target: '/t' }), { message: 'mount type unknown: "nfs"' });
  assert.throws(() => parseMountSpec({ Type: 'volume', Target: '' }), {
    message: 'invalid mount config for type "volume": field Target must not be empty',
  });
});

test('tmpfs options: Docker defaults, user options, bad options refused', () => {
  assert.deepEqual(tmpfsOptions('rw,size=64m'), ['noexec', 'nosuid', 'nodev', 'rw', 'size=64m']);
  assert.deepEqual(tmpfsOptions('exec'), ['nosuid', 'nodev']);
  assert.throws(() => tmpfsOptions('bogus'), { message: 'invalid tmpfs option ["bogus"]' });
});

test('parseVolumesFrom', () => {
  assert.deepEqual(parseVolumesFrom('c1'), { ref: 'c1', mode: '' });
  assert.deepEqual(parseVolumesFrom('c1:ro'), { ref: 'c1', mode: 'ro' });
  assert.deepEqual(parseVolumesFrom('c1:rw'), { ref: 'c1', mode: 'rw' });
  assert.throws(() => parseVolumesFrom('c1:bad'), { message: 'invalid mode: bad' });
});

function fakeDeps(other: MountPoint[] = []) {
  const created: string[] = [];
  const removed: string[] = [];
  let n = 0;
  return {
    created,
    removed,
    deps: {
      containerMounts: (ref: string) => {
        if (ref !== 'src') throw new Error(`No such container: ${ref}`);
        return other;
      },
      createVolume: async (o: { name: string }) => {
        const name = o.name || `anon${n++}`;
        if (name === 'boom') throw new Error('boom');
        created.push(name);
        return { Name: name, Driver: 'local', Mountpoint: `/v/${name}/_data` };
      },
      removeVolume: async (name: string) => {
        removed.push(name);
      },
    },
  };
}

test('resolveMounts: order, shadowing, duplicates, image VOLUMEs and host dir creation', async () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mounts-'));
  const hostDir = path.join(tmp, 'auto');
  const from: MountPoint[] = [
    {
      Type: 'volume',
      Name: 'shared',
      Source: '/v/shared/_data',
      Destination: '/named',
      Driver: 'local',
      Mode: 'z',
      RW: true,
      Propagation: '',
    },
    { Type: 'bind', Source: '/srv', Destination: '/over', Mode: '', RW: true, Propagation: 'rprivate' },
    { Type: 'tmpfs', Source: '', Destination: '/theirtmp', Mode: '', RW: true, Propagation: '' },
  ];
  const f = fakeDeps(from);
  const mps = await resolveMounts(
    {
      binds: [`${hostDir}:/over`, 'named1:/n1'],
      mounts: [{ Type: 'tmpfs', Target: '/t' }],
      tmpfs: { '/run': 'size=1m' },
      volumesFrom: ['src:ro'],
      volumes: ['/n1', '/img', '/run'],
    },
    f.deps,
  );
  const by = Object.fromEntries(mps.map((m) => [m.Destination, m]));
  assert.deepEqual(Object.keys(by).sort(), ['/img', '/n1', '/named', '/over', '/t']);
  assert.equal(by['/named']!.RW, false, ':ro applies to --volumes-from mounts');
  assert.equal(by['/over']!.Source, hostDir, '-v shadows --volumes-from at the same destination');
  assert.ok(fs.statSync(hostDir).isDirectory(), '-v creates the missing host directory');
  assert.equal(by['/img']!.Name, 'anon0');
  assert.equal(by['/img']!.Mode, '');
  assert.equal(by['/t']!.Type, 'tmpfs');
  assert.deepEqual(f.created.sort(), ['anon0', 'named1']);
  fs.rmSync(tmp, { recursive: true });
});

test('resolveMounts: refuses duplicates and missing --mount sources before creating anything', async () => {
  const f = fakeDeps();
  await assert.rejects(
    resolveMounts({ binds: ['/a:/x', '/b:/x'], mounts: [], tmpfs: {}, volumesFrom: [], volumes: ['/y'] }, f.deps),
    { message: 'Duplicate mount point: /x' },
  );
  await assert.rejects(
    resolveMounts(
      { binds: ['/a:/x'], mounts: [{ Type: 'volume', Target: '/x' }], tmpfs: {}, volumesFrom: [], volumes: [] },
      f.deps,
    ),
    { message: 'Duplicate mount point: /x' },
  );
  await assert.rejects(
    resolveMounts({ binds: ['/a:/x'], mounts: [], tmpfs: { '/x': '' }, volumesFrom: [], volumes: [] }, f.deps),
    { message: 'Duplicate mount point: /x' },
  );
  await assert.rejects(
    resolveMounts(
      {
        binds: [],
        mounts: [{ Type: 'bind', Source: '/does/not/exist', Target: '/x' }],
        tmpfs: {},
        volumesFrom: [],
        volumes: ['/y'],
      },
      f.deps,
    ),
    { message: 'invalid mount config for type "bind": bind source path does not exist: /does/not/exist' },
  );
  assert.deepEqual(f.created, []);
  // the same -v twice is accepted
  const ok = await resolveMounts(
    { binds: ['/tmp:/x', '/tmp:/x'], mounts: [], tmpfs: {}, volumesFrom: [], volumes: [] },
    f.deps,
  );
  assert.equal(ok.length, 1);
});

test('resolveMounts: a failure drops the anonymous volumes it created', async () => {
  const f = fakeDeps();
  await assert.rejects(
    resolveMounts({ binds: ['boom:/b'], mounts: [], tmpfs: {}, volumesFrom: [], volumes: ['/a'] }, f.deps),
    /boom/,
  );
  assert.deepEqual(f.removed, f.created);
});

test('ociMounts and wantsCopy', () => {
  const mps: MountPoint[] = [
    { Type: 'bind', Source: '/h', Destination: '/c', Mode: 'ro', RW: false, Propagation: 'rprivate' },
    {
      Type: 'volume',
      Name: 'v',
      Source: '/v/v/_data',
      Destination: '/d',
      Driver: 'local',
      Mode: 'z',
      RW: true,
      Propagation: '',
    },
    {
      Type: 'volume',
      Name: 'w',
      Source: '/v/w/_data',
      Destination: '/e',
      Driver: 'local',
      Mode: 'nocopy',
      RW: true,
      Propagation: '',
    },
    { Type: 'tmpfs', Source: '', Destination: '/t', Mode: '', RW: true, Propagation: '' },
  ];
  const specs = [{ Type: 'tmpfs', Target: '/t', TmpfsOptions: { SizeBytes: 1024, Mode: 0o700 } }];
  const oci = ociMounts(mps, specs, { '/run': 'size=1m' }, (mp) => `/mounted/${mp.Name}`);
  assert.deepEqual(oci, [
    { destination: '/c', type: 'bind', source: '/h', options: ['rbind', 'rprivate', 'ro'] },
    { destination: '/d', type: 'bind', source: '/mounted/v', options: ['rbind', 'rprivate', 'rw'] },
    { destination: '/e', type: 'bind', source: '/mounted/w', options: ['rbind', 'rprivate', 'rw'] },
    {
      destination: '/t',
      type: 'tmpfs',
      source: 'tmpfs',
      options: ['noexec', 'nosuid', 'nodev', 'rw', 'size=1024', 'mode=700'],
    },
    { destination: '/run', type: 'tmpfs', source: 'tmpfs', options: ['noexec', 'nosuid', 'nodev', 'size=1m'] },
  ]);
  assert.equal(wantsCopy(mps[1]!, []), true);
  assert.equal(wantsCopy(mps[2]!, []), false);
  assert.equal(wantsCopy(mps[1]!, [{ Type: 'volume', Target: '/d', VolumeOptions: { NoCopy: true } }]), false);
  assert.equal(wantsCopy(mps[0]!, []), false);
});
