// Issue 17's run flags as Docker has them: --ipc shareable/container:/host/none/private share (or not)
// the IPC namespace and /dev/shm, with moby's texts for a donor that cannot be joined; --cgroupns
// private|host and its per-host default; /.dockerenv; --gpus and --runtime refused as moby refuses.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readlinkSync } from 'node:fs';
import { test } from 'node:test';
import { daemonPerFile, dockerOk } from '../../harness/daemon.js';

const berthd = daemonPerFile();
const skip = berthd.skip ?? false;

const ok = (args: string[]) => dockerOk(berthd.d, args);

test('--ipc shareable and container: share the IPC namespace and /dev/shm', { skip }, async () => {
  const donor = await ok(['run', '-d', '--name', 'ipcdonor', '--ipc', 'shareable', 'busybox', 'sleep', '300']);
  const out = await ok([
    'run',
    '--name',
    'ipcjoiner',
    '--ipc',
    'container:ipcdonor',
    'busybox',
    'sh',
    '-c',
    'readlink /proc/self/ns/ipc; echo shared > /dev/shm/note',
  ]);
  assert.equal(out, await ok(['exec', 'ipcdonor', 'readlink', '/proc/self/ns/ipc']));
  assert.equal(await ok(['exec', 'ipcdonor', 'cat', '/dev/shm/note']), 'shared');
  assert.equal(await ok(['inspect', '-f', '{{.HostConfig.IpcMode}}', 'ipcdonor']), 'shareable');
  assert.equal(await ok(['inspect', '-f', '{{.HostConfig.IpcMode}}', 'ipcjoiner']), `container:${donor}`);
  await ok(['rm', '-f', 'ipcdonor', 'ipcjoiner']);
});

test('--ipc container: refuses a private, a stopped and a missing donor with moby texts', { skip }, async () => {
  const priv = await ok(['run', '-d', '--name', 'ipcpriv', 'busybox', 'sleep', '300']);
  assert.equal(await ok(['inspect', '-f', '{{.HostConfig.IpcMode}}', 'ipcpriv']), 'private');
  const r = await berthd.d.docker(['run', '--rm', '--ipc', 'container:ipcpriv', 'busybox', 'true']);
  assert.notEqual(r.code, 0);
  assert.match(
    r.stderr,
    new RegExp(`failed to join IPC namespace: container ${priv}: non-shareable IPC \\(hint: use IpcMode:shareable`),
  );
  const stopped = await ok(['create', '--name', 'ipcstopped', '--ipc', 'shareable', 'busybox', 'true']);
  const s = await berthd.d.docker(['run', '--rm', '--ipc', 'container:ipcstopped', 'busybox', 'true']);
  assert.notEqual(s.code, 0);
  assert.match(s.stderr, new RegExp(`container ${stopped} is not running`));
  // a 404 at create, as moby's generateSecurityOpt (the CLI then tries to pull the image: use the API)
  await assert.rejects(
    berthd.d.dockerode.createContainer({
      Image: 'busybox',
      Cmd: ['true'],
      HostConfig: { IpcMode: 'container:nosuchdonor' },
    }),
    (e: { statusCode?: number; message: string }) =>
      e.statusCode === 404 && /No such container: nosuchdonor/.test(e.message),
  );
  await ok(['rm', '-f', 'ipcpriv', 'ipcstopped']);
});

test('--ipc host joins the host namespace, private and none do not; none has no /dev/shm', { skip }, async () => {
  const hostNs = readlinkSync('/proc/self/ns/ipc');
  assert.equal(await ok(['run', '--rm', '--ipc', 'host', 'busybox', 'readlink', '/proc/self/ns/ipc']), hostNs);
  assert.notEqual(await ok(['run', '--rm', '--ipc', 'private', 'busybox', 'readlink', '/proc/self/ns/ipc']), hostNs);
  const none = await ok([
    'run',
    '--rm',
    '--ipc',
    'none',
    'busybox',
    'sh',
    '-c',
    'grep -c " /dev/shm " /proc/mounts || true',
  ]);
  assert.equal(none, '0');
});

test('--cgroupns private shows the container at its cgroup root, host shows the path; default as Docker', {
  skip,
}, async () => {
  const priv = await ok(['run', '--rm', '--cgroupns', 'private', 'busybox', 'cat', '/proc/self/cgroup']);
  const lines = priv.split('\n').filter(Boolean);
  assert.ok(lines.length > 0);
  for (const l of lines) assert.match(l, /:\/$/, `private cgroupns line ${l}`);
  const id = await ok(['create', '--name', 'cgns', '--cgroupns', 'host', 'busybox', 'cat', '/proc/self/cgroup']);
  await ok(['start', '-a', 'cgns']);
  const host = await ok(['logs', 'cgns']);
  assert.ok(host.includes(id), `host cgroupns shows the container's cgroup path: ${host}`);
  // moby: private on a cgroup v2 host, host on v1 and hybrid
  const v2 = existsSync('/sys/fs/cgroup/cgroup.controllers');
  await ok(['create', '--name', 'cgnsdefault', 'busybox', 'true']);
  assert.equal(await ok(['inspect', '-f', '{{.HostConfig.CgroupnsMode}}', 'cgnsdefault']), v2 ? 'private' : 'host');
  await ok(['rm', '-f', 'cgns', 'cgnsdefault']);
});

test("/.dockerenv (empty) and /etc/mtab (-> /proc/mounts) as Docker's init layer, not in docker diff", {
  skip,
}, async () => {
  assert.equal(
    await ok(['run', '--name', 'denv', 'busybox', 'sh', '-c', 'stat -c "%s %F" /.dockerenv; readlink /etc/mtab']),
    '0 regular empty file\n/proc/mounts',
  );
  assert.doesNotMatch(await ok(['diff', 'denv']), /dockerenv|mtab/);
  await ok(['rm', 'denv']);
});

test('--gpus and an unknown --runtime are refused with moby texts', { skip }, async () => {
  const g = await berthd.d.docker(['run', '--rm', '--gpus', 'all', 'busybox', 'true']);
  assert.notEqual(g.code, 0);
  assert.match(g.stderr, /could not select device driver "" with capabilities: \[\[gpu\]\]/);
  // moby 28: a 400 at start (its status walk finds the InvalidParameter inside createSpec's System error)
  const c = await berthd.d.dockerode.createContainer({
    Image: 'busybox',
    Cmd: ['true'],
    HostConfig: { DeviceRequests: [{ Driver: '', Count: -1, Capabilities: [['gpu', 'utility'], ['compute']] }] },
  });
  await assert.rejects(
    c.start(),
    (e: { statusCode?: number; message: string }) =>
      e.statusCode === 400 &&
      e.message.includes('could not select device driver "" with capabilities: [[gpu utility] [compute]]'),
  );
  await c.remove({ force: true });
  const r = await berthd.d.docker(['run', '--rm', '--runtime', 'nosuchrt', 'busybox', 'true']);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /unknown or invalid runtime name: nosuchrt/);
  const d = berthd.d.dockerode;
  await assert.rejects(
    d.createContainer({ Image: 'busybox', Cmd: ['true'], HostConfig: { Runtime: 'nosuchrt' } }),
    (e: { statusCode?: number }) => e.statusCode === 400,
  );
  assert.equal(await ok(['run', '--rm', '--runtime', 'runc', 'busybox', 'echo', 'runc']), 'runc');
});

test('--pid container:<name> is stored as container:<id> (moby) and sees the donor’s processes', { skip }, async () => {
  const donor = await ok(['run', '-d', '--name', 'piddonor', 'busybox', 'sleep', '301']);
  await ok(['create', '--name', 'pidjoiner', '--pid', 'container:piddonor', 'busybox', 'ps']);
  assert.equal(await ok(['inspect', '-f', '{{.HostConfig.PidMode}}', 'pidjoiner']), `container:${donor}`);
  await ok(['start', '-a', 'pidjoiner']);
  assert.match(await ok(['logs', 'pidjoiner']), /sleep 301/);
  await ok(['rm', '-f', 'piddonor', 'pidjoiner']);
});

test('masked and read-only /proc paths: the defaults in inspect, systempaths=unconfined lifts them; unset limits are null', {
  skip,
}, async () => {
  // the masks as the container sees them: mounts over /proc/* (read-only dirs, /dev/null or tmpfs over files)
  const view = "grep -oE ' /proc/[a-z_]+ ' /proc/mounts | tr -d ' '; true";
  const masked = (await ok(['run', '--rm', 'busybox', 'sh', '-c', view])).split('\n');
  assert.ok(masked.includes('/proc/sys') && masked.includes('/proc/bus'), masked.join(' '));
  assert.equal(await ok(['run', '--rm', '--security-opt', 'systempaths=unconfined', 'busybox', 'sh', '-c', view]), '');
  await ok(['create', '--name', 'masks', 'busybox']);
  const hc = JSON.parse(
    await ok(['inspect', '-f', '{{json .HostConfig.MaskedPaths}} {{json .HostConfig.ReadonlyPaths}}', 'masks']).then(
      (s) => `[${s.replace(' ', ',')}]`,
    ),
  ) as string[][];
  assert.ok(hc[0].includes('/proc/kcore') && hc[0].includes('/sys/firmware'), hc[0].join(' '));
  assert.deepEqual(hc[1], ['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger']);
  // the docker CLI sends PidsLimit 0 and MemorySwappiness -1; moby stores both as absent
  assert.equal(
    await ok(['inspect', '-f', '{{json .HostConfig.PidsLimit}} {{json .HostConfig.MemorySwappiness}}', 'masks']),
    'null null',
  );
  await ok(['create', '--name', 'privmasks', '--privileged', 'busybox']);
  assert.equal(await ok(['inspect', '-f', '{{json .HostConfig.MaskedPaths}}', 'privmasks']), 'null');
  await ok(['rm', 'masks', 'privmasks']);
});

test("inspect's GraphDriver.Data names the container's overlay directories, as Docker's overlay2", {
  skip,
}, async () => {
  await ok(['run', '--name', 'gd', 'busybox', 'sh', '-c', 'echo mine > /written']);
  const data = JSON.parse(await ok(['inspect', '-f', '{{json .GraphDriver.Data}}', 'gd'])) as Record<string, string>;
  assert.deepEqual(Object.keys(data).sort(), ['LowerDir', 'MergedDir', 'UpperDir', 'WorkDir']);
  // the upper dir holds what the container wrote; the lower dirs are the image's layers
  assert.equal(readFileSync(`${data.UpperDir}/written`, 'utf8'), 'mine\n');
  assert.ok(
    data.LowerDir.split(':').every((d) => existsSync(`${d}/bin`) || existsSync(d)),
    data.LowerDir,
  );
  await ok(['rm', 'gd']);
});
