// Images in and out of berthd through the real docker CLI: push/pull against Debian's
// docker-registry (plain and htpasswd), skopeo checking what we pushed, save/load, export/import,
// commit and diff. Runs in the harness namespace, so the registries listen on a private loopback.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import bcrypt from 'bcryptjs';
import { daemonUnavailable, startDaemon, type Daemon } from '../../harness/daemon.js';
import { DOCKER_REGISTRY, freePort, startDockerRegistry, type TestRegistry } from '../../harness/registry.js';

const skip = daemonUnavailable() ?? (existsSync(DOCKER_REGISTRY) ? null : 'docker-registry is not installed');
let d: Daemon;
const tmp = mkdtempSync(join(tmpdir(), 'berth-imgdist-'));
const regs: TestRegistry[] = [];

async function registry(htpasswd?: string): Promise<string> {
  const r = await startDockerRegistry(tmp, { htpasswd });
  regs.push(r);
  return r.addr;
}

before(async () => {
  if (!skip) d = await startDaemon();
});
after(async () => {
  for (const r of regs) r.stop();
  rmSync(tmp, { recursive: true, force: true });
  if (d) assert.deepEqual((await d.stop()).leaks, []);
});

const ok = async (args: string[], input?: string) => {
  const r = await d.docker(args, input !== undefined ? { input } : {});
  assert.equal(r.code, 0, `docker ${args.join(' ')}: ${r.stderr}`);
  return r.stdout.trim();
};

test('push, pull by tag/digest/all-tags, existing layers, errors', { skip: skip ?? false }, async () => {
  const R = await registry();
  await ok(['run', '--name', 'src', 'busybox', 'sh', '-c', 'echo pushed > /msg']);
  await ok(['commit', '-c', 'CMD ["cat","/msg"]', 'src', `${R}/me/app:1`]);
  const out = await ok(['push', `${R}/me/app:1`]);
  assert.match(out, new RegExp(`The push refers to repository \\[${R}/me/app\\]`));
  const digest = /^1: digest: (sha256:[0-9a-f]{64}) size: \d+$/m.exec(out)?.[1];
  assert.ok(digest, out);
  assert.match(
    await ok(['image', 'inspect', '--format', '{{json .RepoDigests}}', `${R}/me/app:1`]),
    new RegExp(`${R}/me/app@${digest}`),
  );
  await ok(['tag', `${R}/me/app:1`, `${R}/me/app:2`]);
  assert.match(await ok(['push', `${R}/me/app:2`]), /Layer already exists/);
  // skopeo, an independent client, reads what we pushed
  const sk = spawnSync('skopeo', ['inspect', '--tls-verify=false', `docker://${R}/me/app:1`], { encoding: 'utf8' });
  if (sk.status === 0) assert.equal(JSON.parse(sk.stdout).Digest, digest);

  await ok(['rmi', `${R}/me/app:1`, `${R}/me/app:2`]);
  await ok(['rm', 'src']);
  const pulled = await ok(['pull', `${R}/me/app:1`]);
  assert.match(pulled, new RegExp(`Digest: ${digest}`));
  assert.match(pulled, new RegExp(`Status: Downloaded newer image for ${R}/me/app:1`));
  assert.equal(await ok(['run', '--rm', `${R}/me/app:1`]), 'pushed');
  assert.match(await ok(['pull', `${R}/me/app:1`]), /Status: Image is up to date/);
  await ok(['rmi', `${R}/me/app:1`]);
  await ok(['pull', `${R}/me/app@${digest}`]);
  assert.equal(await ok(['run', '--rm', `${R}/me/app@${digest}`]), 'pushed');
  const all = await ok(['pull', '-a', `${R}/me/app`]);
  assert.match(all, /1: Pulling from me\/app/);
  assert.match(all, /2: Pulling from me\/app/);

  const missing = await d.docker(['pull', `${R}/me/app:nosuchtag`]);
  assert.notEqual(missing.code, 0);
  assert.match(missing.stderr, new RegExp(`manifest for ${R}/me/app:nosuchtag not found: manifest unknown`));
  const port = await freePort();
  await ok(['tag', 'busybox', `127.0.0.1:${port}/x:1`]);
  const refused = await d.docker(['push', `127.0.0.1:${port}/x:1`]);
  assert.notEqual(refused.code, 0);
  assert.match(refused.stdout + refused.stderr, /connection refused/);
  // docker run pulls a missing image
  await ok(['rmi', '-f', `${R}/me/app:1`, `${R}/me/app:2`]);
  const ran = await d.docker(['run', '--rm', `${R}/me/app:2`]);
  assert.equal(ran.stdout.trim(), 'pushed', ran.stderr);
  assert.match(ran.stderr, /Unable to find image/);
});

test('login with htpasswd credentials, push and pull, logout', { skip: skip ?? false }, async () => {
  const R = await registry(`me:${bcrypt.hashSync('secret', 6)}`);
  await ok(['tag', 'busybox', `${R}/priv/bb:1`]);
  const denied = await d.docker(['push', `${R}/priv/bb:1`]);
  assert.notEqual(denied.code, 0);
  assert.match(denied.stdout + denied.stderr, /denied|authentication required/);
  const bad = await d.docker(['login', '-u', 'me', '--password-stdin', R], { input: 'wrong\n' });
  assert.notEqual(bad.code, 0);
  assert.match(bad.stderr, /401 Unauthorized/);
  assert.match(await ok(['login', '-u', 'me', '--password-stdin', R], 'secret\n'), /Login Succeeded/);
  await ok(['push', `${R}/priv/bb:1`]);
  await ok(['rmi', `${R}/priv/bb:1`]);
  await ok(['pull', `${R}/priv/bb:1`]);
  await ok(['logout', R]);
  await ok(['rmi', `${R}/priv/bb:1`]);
  assert.notEqual((await d.docker(['pull', `${R}/priv/bb:1`])).code, 0);
});

test('save/load (file, gzip stdin), export/import, commit, diff', { skip: skip ?? false }, async () => {
  await ok([
    'run',
    '--name',
    'c1',
    'busybox',
    'sh',
    '-c',
    'echo new > /added.txt; echo x >> /etc/passwd; rm /bin/vi; mkdir -p /tmp/newdir',
  ]);
  const diff = (await ok(['diff', 'c1'])).split('\n');
  for (const l of ['A /added.txt', 'C /etc', 'C /etc/passwd', 'D /bin/vi', 'A /tmp/newdir'])
    assert.ok(diff.includes(l), `${l} in ${diff.join(',')}`);
  const id = await ok(['commit', '-a', 'me', '-m', 'msg', '-c', 'CMD ["cat","/added.txt"]', 'c1', 'mine:1']);
  assert.match(id, /^sha256:[0-9a-f]{64}$/);
  assert.equal(await ok(['run', '--rm', 'mine:1']), 'new');
  const hist = await ok(['history', '--no-trunc', '--format', '{{.CreatedBy}}|{{.Comment}}', 'mine:1']);
  assert.match(hist.split('\n')[0], /echo new > \/added.txt.*\|msg$/);

  const tar = join(tmp, 'img.tar');
  await ok(['save', '-o', tar, 'mine:1']);
  const list = spawnSync('tar', ['-tf', tar], { encoding: 'utf8' }).stdout;
  for (const f of ['manifest.json', 'index.json', 'oci-layout', 'repositories'])
    assert.match(list, new RegExp(`^${f}$`, 'm'));
  const manifest = JSON.parse(spawnSync('tar', ['-xOf', tar, 'manifest.json'], { encoding: 'utf8' }).stdout);
  assert.deepEqual(manifest[0].RepoTags, ['mine:1']);
  await ok(['rmi', 'mine:1']);
  assert.match(await ok(['load', '-i', tar]), /Loaded image: mine:1/);
  assert.equal(await ok(['image', 'inspect', '--format', '{{.Id}}', 'mine:1']), id);
  await ok(['rmi', 'mine:1']);
  const gz = join(tmp, 'img.tgz');
  spawnSync('sh', ['-c', `gzip -c ${tar} > ${gz}`]);
  const r = await d.docker(['load'], { input: readFileSync(gz) as unknown as string });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(await ok(['run', '--rm', 'mine:1']), 'new');
  assert.notEqual((await d.docker(['load', '-i', '/dev/null'])).code, 0);

  const fs = join(tmp, 'fs.tar');
  await ok(['export', '-o', fs, 'c1']);
  assert.match(spawnSync('tar', ['-tf', fs], { encoding: 'utf8' }).stdout, /^added\.txt$/m);
  await ok(['import', '-c', 'CMD ["cat","/added.txt"]', fs, 'flat:1']);
  assert.equal(await ok(['image', 'inspect', '--format', '{{len .RootFS.Layers}}', 'flat:1']), '1');
  assert.equal(await ok(['run', '--rm', 'flat:1']), 'new');
  await ok(['rm', 'c1']);
});
