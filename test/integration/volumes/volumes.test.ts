// Volumes and mounts through the real docker CLI: binds (rw/ro/single file/auto-created dir), named
// and anonymous volumes with copy-up, --mount/--tmpfs, --volumes-from, volume rm/prune, system df.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, existsSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { daemonPerFile } from '../../harness/daemon.js';

const berthd = daemonPerFile();
const skip = berthd.skip;
const tmp = mkdtempSync(join(tmpdir(), 'berth-vol-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

const ok = async (args: string[], input?: string | Buffer) => {
  const r = await berthd.d.docker(args, input !== undefined ? { input } : {});
  assert.equal(r.code, 0, `docker ${args.join(' ')}: ${r.stderr}`);
  return r.stdout.trim();
};
const fails = async (args: string[], re: RegExp) => {
  const r = await berthd.d.docker(args);
  assert.notEqual(r.code, 0, `expected failure: docker ${args.join(' ')}`);
  assert.match(r.stderr, re);
};
const fmt = (ref: string, f: string) => ok(['inspect', '--format', f, ref]);

test('bind mounts: both ways, ro, single file, auto-created host dir, Mounts shape', {
  skip: skip ?? false,
}, async () => {
  const h = join(tmp, 'html');
  mkdirSync(h);
  writeFileSync(join(h, 'index.html'), 'v1\n');
  await ok(['run', '-d', '--name', 'b1', '-v', `${h}:/srv`, 'busybox', 'sleep', '300']);
  assert.equal(await ok(['exec', 'b1', 'cat', '/srv/index.html']), 'v1');
  await ok(['exec', 'b1', 'sh', '-c', 'echo from-ctr > /srv/new.txt']);
  assert.equal(readFileSync(join(h, 'new.txt'), 'utf8'), 'from-ctr\n');
  assert.equal(
    await fmt('b1', '{{range .Mounts}}{{.Type}} {{.Source}} {{.Destination}} {{.RW}} {{.Propagation}}{{end}}'),
    `bind ${h} /srv true rprivate`,
  );
  await ok(['rm', '-f', 'b1']);
  assert.ok(existsSync(join(h, 'new.txt')), 'data outlives the container');

  const ro = await berthd.d.docker([
    'run',
    '--rm',
    '-v',
    `${h}:/srv:ro`,
    'busybox',
    'sh',
    '-c',
    'cat /srv/index.html; touch /srv/x',
  ]);
  assert.equal(ro.code, 1);
  assert.match(ro.stdout, /v1/);
  assert.match(ro.stderr, /Read-only file system/);

  writeFileSync(join(tmp, 'app.conf'), 'k=v\n');
  assert.equal(
    await ok(['run', '--rm', '-v', `${join(tmp, 'app.conf')}:/etc/app.conf:ro`, 'busybox', 'cat', '/etc/app.conf']),
    'k=v',
  );

  const auto = join(tmp, 'auto', 'db');
  await ok(['run', '--rm', '-v', `${auto}:/var/lib/db`, 'busybox', 'sh', '-c', 'echo db > /var/lib/db/f']);
  assert.equal(readFileSync(join(auto, 'f'), 'utf8'), 'db\n');

  await fails(
    ['run', '--rm', '--mount', `type=bind,src=${join(tmp, 'missing')},dst=/x`, 'busybox', 'true'],
    /invalid mount config for type "bind": bind source path does not exist: .*missing/,
  );
  assert.equal(existsSync(join(tmp, 'missing')), false, '--mount does not create the source');
  await fails(
    ['run', '--rm', '-v', 'relative/path:/x', 'busybox', 'true'],
    /"relative\/path" includes invalid characters for a local volume name/,
  );
  await fails(['run', '--rm', '-v', `${h}:/x`, '-v', `${tmp}:/x`, 'busybox', 'true'], /Duplicate mount point: \/x/);
  await fails(['run', '--rm', '-v', `${h}:/x:bogus`, 'busybox', 'true'], /invalid mode: bogus/);
});

test('named volumes: create/ls/inspect, copy-up with ownership, sharing, survive rm', {
  skip: skip ?? false,
}, async () => {
  assert.equal(await ok(['volume', 'create', '--label', 'tier=db', 'myvol']), 'myvol');
  const mp = await ok(['volume', 'inspect', '--format', '{{.Mountpoint}}', 'myvol']);
  assert.equal(mp, join(berthd.d.dataRoot, 'volumes', 'myvol', '_data'));
  assert.equal(
    await ok(['volume', 'inspect', '--format', '{{.Driver}} {{.Scope}} {{index .Labels "tier"}}', 'myvol']),
    'local local db',
  );
  assert.match(await ok(['volume', 'ls']), /^DRIVER +VOLUME NAME\nlocal +myvol$/m);
  await ok(['run', '--name', 'w1', '-v', 'myvol:/data', 'busybox', 'sh', '-c', 'echo hello > /data/f']);
  assert.equal(await ok(['run', '--rm', '-v', 'myvol:/d', 'busybox', 'cat', '/d/f']), 'hello');
  assert.equal(readFileSync(join(mp, 'f'), 'utf8'), 'hello\n');
  assert.equal(
    await fmt(
      'w1',
      '{{range .Mounts}}{{.Type}} {{.Name}} {{.Source}} {{.Destination}} {{.Driver}} {{.Mode}} {{.RW}}{{end}}',
    ),
    `volume myvol ${mp} /data local z true`,
  );
  await fails(['volume', 'rm', 'myvol'], /remove myvol: volume is in use - \[[0-9a-f]{64}\]/);
  await ok(['rm', 'w1']);
  assert.equal(await ok(['volume', 'ls', '-q', '--filter', 'label=tier=db']), 'myvol');
  assert.equal(await ok(['volume', 'ls', '-q', '--filter', 'dangling=true', '--filter', 'name=myv']), 'myvol');

  // an empty volume gets the image's content (and ownership) at first mount; nocopy keeps it empty
  await ok(['run', '--rm', '-v', 'etcvol:/etc', 'busybox', 'true']);
  const etc = join(berthd.d.dataRoot, 'volumes', 'etcvol', '_data');
  assert.ok(existsSync(join(etc, 'passwd')), 'copied up from the image');
  assert.equal(statSync(join(etc, 'passwd')).uid, 0);
  await ok(['run', '--rm', '--mount', 'type=volume,src=emptyvol,dst=/etc,volume-nocopy', 'busybox', 'true']);
  assert.equal(existsSync(join(berthd.d.dataRoot, 'volumes', 'emptyvol', '_data', 'passwd')), false, 'volume-nocopy');

  await fails(['volume', 'inspect', 'nosuch'], /get nosuch: no such volume/);
  await fails(['volume', 'rm', 'nosuch'], /no such volume/);
  await fails(['volume', 'create', 'a/b'], /"a\/b" includes invalid characters for a local volume name/);
  await ok(['volume', 'rm', 'myvol', 'etcvol', 'emptyvol']);
});

test('anonymous volumes: hex names, rm -v and --rm remove them, plain rm keeps them', {
  skip: skip ?? false,
}, async () => {
  await ok(['run', '-d', '--name', 'a1', '-v', '/data', 'busybox', 'sleep', '300']);
  const v = await fmt('a1', '{{range .Mounts}}{{.Name}}{{end}}');
  assert.match(v, /^[0-9a-f]{64}$/);
  assert.equal(await fmt('a1', '{{range .Mounts}}{{.Type}} {{.Destination}} {{.Mode}}|{{end}}'), 'volume /data |');
  await ok(['rm', '-f', 'a1']);
  assert.match(await ok(['volume', 'ls', '-q']), new RegExp(v));
  await ok(['run', '-d', '--name', 'a2', '-v', '/data', 'busybox', 'sleep', '300']);
  const v2 = await fmt('a2', '{{range .Mounts}}{{.Name}}{{end}}');
  await ok(['rm', '-fv', 'a2']);
  assert.doesNotMatch(await ok(['volume', 'ls', '-q']), new RegExp(v2));
  const before = await ok(['volume', 'ls', '-q']);
  await ok(['run', '--rm', '-v', '/data', 'busybox', 'true']);
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(await ok(['volume', 'ls', '-q']), before, '--rm removes anonymous volumes');
  // prune: anonymous only by default, --all for named, never in use
  await ok(['volume', 'create', 'named-unused']);
  await ok(['volume', 'create', 'named-used']);
  await ok(['run', '-d', '--name', 'u1', '-v', 'named-used:/x', 'busybox', 'sleep', '300']);
  const out = await ok(['volume', 'prune', '-f']);
  assert.match(out, new RegExp(`Deleted Volumes:\\n${v}`));
  assert.doesNotMatch(out, /named-unused/);
  const all = await ok(['volume', 'prune', '-af']);
  assert.match(all, /named-unused/);
  assert.doesNotMatch(all, /named-used/);
  await ok(['rm', '-f', 'u1']);
  await ok(['volume', 'rm', 'named-used']);
  assert.equal(await ok(['volume', 'ls', '-q']), '');
});

test('--mount tmpfs, --tmpfs, local volumes with -o type=tmpfs', { skip: skip ?? false }, async () => {
  const m = await ok([
    'run',
    '--rm',
    '--mount',
    'type=tmpfs,dst=/t,tmpfs-size=64m',
    '--tmpfs',
    '/run:size=1m',
    'busybox',
    'sh',
    '-c',
    'grep -E " /(t|run) " /proc/mounts',
  ]);
  assert.match(m, /tmpfs \/t tmpfs rw,nosuid,nodev,noexec,relatime,size=65536k/);
  assert.match(m, /tmpfs \/run tmpfs rw,nosuid,nodev,noexec,relatime,size=1024k/);
  await ok(['volume', 'create', '-o', 'type=tmpfs', '-o', 'device=tmpfs', '-o', 'o=size=8m', 'tv']);
  assert.match(await ok(['run', '--rm', '-v', 'tv:/d', 'busybox', 'df', '/d']), /tmpfs +8192 /);
  await fails(['volume', 'create', '-o', 'foo=bar', 'badopt'], /invalid option key: "foo"/);
  await ok(['volume', 'rm', 'tv']);
  assert.match(await ok(['system', 'df', '-v']), /VOLUME NAME +LINKS +SIZE/);
});

test('--volumes-from: bind and named volumes, :ro, missing container', { skip: skip ?? false }, async () => {
  const h = join(tmp, 'shared');
  mkdirSync(h);
  writeFileSync(join(h, 'f'), 'shared\n');
  await ok(['run', '-d', '--name', 'src', '-v', `${h}:/b`, '-v', 'nv:/named', 'busybox', 'sleep', '300']);
  await ok(['run', '-d', '--name', 'dst', '--volumes-from', 'src', 'busybox', 'sleep', '300']);
  assert.equal(await ok(['exec', 'dst', 'cat', '/b/f']), 'shared');
  await ok(['exec', 'src', 'sh', '-c', 'echo n1 > /named/x']);
  assert.equal(await ok(['exec', 'dst', 'cat', '/named/x']), 'n1');
  const mounts = (c: string) =>
    fmt(c, '{{range .Mounts}}{{.Source}}:{{.Destination}} {{end}}').then((s) => s.split(' ').sort().join(' '));
  assert.equal(await mounts('dst'), await mounts('src'));
  const ro = await berthd.d.docker(['run', '--rm', '--volumes-from', 'src:ro', 'busybox', 'touch', '/named/y']);
  assert.match(ro.stderr, /Read-only file system/);
  await fails(['run', '--rm', '--volumes-from', 'nosuch', 'busybox', 'true'], /No such container: nosuch/);
  await ok(['rm', '-f', 'src', 'dst']);
  await ok(['volume', 'rm', 'nv']);
});
