// The reference Docker daemon (netns `ref`, /run/docker-ref.sock) pushes to and pulls from
// `berth registry serve`, over plain HTTP and over TLS with htpasswd (docker login). The registry
// must run in the daemon's network namespace, which the isolated harness hides (/run/netns is a
// fresh tmpfs there), so under `npm test` this file skips; run it directly:
//   node --test dist/test/integration/registry/docker-ref.test.js
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import bcrypt from 'bcryptjs';
import { busyboxTarball, runCommand } from '../../harness/daemon.js';
import { startRegistryProcess } from './serve.js';

const SOCK = '/run/docker-ref.sock';
const NETNS = '/var/run/netns/ref';
const unavailable =
  !existsSync(SOCK) || !existsSync(NETNS) ? `reference Docker not reachable (${SOCK}, ${NETNS})` : false;
const prefix = ['nsenter', `--net=${NETNS}`];
let tmp: string;
const image = `berth-regtest-${process.pid}`;

function docker(args: string[], input?: string) {
  return runCommand('docker', args, {
    env: { DOCKER_HOST: `unix://${SOCK}`, DOCKER_CONFIG: join(tmp, 'dcfg') },
    input,
    timeoutMs: 60_000,
  });
}

before(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'berth-regref-'));
  if (unavailable) return;
  const tar = await busyboxTarball();
  const r = await runCommand('sh', ['-c', `docker import -c 'CMD ["sh"]' ${tar} ${image}:src`], {
    env: { DOCKER_HOST: `unix://${SOCK}` },
    timeoutMs: 60_000,
  });
  assert.equal(r.code, 0, r.stderr);
});

after(async () => {
  if (!unavailable) await docker(['rmi', '-f', `${image}:src`]);
  rmSync(tmp, { recursive: true, force: true });
});

test('docker push, pull and run through berth registry (reference Docker)', {
  skip: unavailable,
  timeout: 120_000,
}, async () => {
  const reg = await startRegistryProcess(['--addr', '127.0.0.1:0', '--root', join(tmp, 'plain')], { prefix });
  const port = reg.addr.split(':')[1];
  const ref = `localhost:${port}/team/app:1`;
  let digest = '';
  try {
    assert.equal((await docker(['tag', `${image}:src`, ref])).code, 0);
    const push = await docker(['push', ref]);
    assert.equal(push.code, 0, push.stderr);
    assert.match(push.stdout, /^1: digest: (sha256:[0-9a-f]{64}) size: \d+$/m);
    digest = /digest: (sha256:[0-9a-f]{64})/.exec(push.stdout)![1];
    const again = await docker(['push', ref]);
    assert.match(again.stdout, /Layer already exists/);
    assert.equal((await docker(['rmi', ref])).code, 0);
    const pull = await docker(['pull', ref]);
    assert.equal(pull.code, 0, pull.stderr);
    assert.match(pull.stdout, new RegExp(`Digest: ${digest}`));
    const run = await docker(['run', '--rm', ref, 'echo', 'hello-registry']);
    assert.equal(run.stdout.trim(), 'hello-registry');
    const byDigest = await docker(['pull', `localhost:${port}/team/app@${digest}`]);
    assert.equal(byDigest.code, 0, byDigest.stderr);
    const missing = await docker(['pull', `localhost:${port}/team/app:nope`]);
    assert.notEqual(missing.code, 0);
    assert.match(missing.stderr, /manifest unknown/);
  } finally {
    await docker(['rmi', '-f', ref, ...(digest ? [`localhost:${port}/team/app@${digest}`] : [])]);
    await reg.stop();
  }
});

test('docker login against TLS + htpasswd, then push and pull (reference Docker)', {
  skip: unavailable,
  timeout: 120_000,
}, async () => {
  const dir = join(tmp, 'tls');
  execFileSync('mkdir', ['-p', dir]);
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=localhost',
      '-addext',
      'subjectAltName=DNS:localhost,IP:127.0.0.1',
      '-keyout',
      join(dir, 'k.pem'),
      '-out',
      join(dir, 'c.pem'),
    ],
    { stdio: 'ignore' },
  );
  writeFileSync(join(dir, 'htpasswd'), `bob:${bcrypt.hashSync('builder', 6)}\n`);
  const reg = await startRegistryProcess(
    [
      '--addr',
      '127.0.0.1:0',
      '--root',
      join(dir, 'root'),
      '--htpasswd',
      join(dir, 'htpasswd'),
      '--tls-cert',
      join(dir, 'c.pem'),
      '--tls-key',
      join(dir, 'k.pem'),
    ],
    { prefix },
  );
  const host = `localhost:${reg.addr.split(':')[1]}`;
  const ref = `${host}/sec/app:1`;
  try {
    const bad = await docker(['login', '-u', 'bob', '--password-stdin', host], 'wrong\n');
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /401 Unauthorized/);
    const ok = await docker(['login', '-u', 'bob', '--password-stdin', host], 'builder\n');
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /Login Succeeded/);
    assert.equal((await docker(['tag', `${image}:src`, ref])).code, 0);
    const push = await docker(['push', ref]);
    assert.equal(push.code, 0, push.stderr);
    assert.equal((await docker(['rmi', ref])).code, 0);
    const pull = await docker(['pull', ref]);
    assert.equal(pull.code, 0, pull.stderr);
    assert.ok(/"user":"bob"/.test(reg.log()), 'access log names the user');
  } finally {
    await docker(['logout', host]);
    await docker(['rmi', '-f', ref]);
    await reg.stop();
  }
});
