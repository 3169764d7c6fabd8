// `berth registry serve` as a process: skopeo round trips (plain, TLS + htpasswd), crash safety
// under kill -9 mid-upload, resumable uploads across a restart, `berth registry gc`, and the docker
// CLI through berthd when berthd can push.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import bcrypt from 'bcryptjs';
import { daemonUnavailable, runCommand, startDaemon } from '../../harness/daemon.js';
import { writeOciLayout } from './oci-layout.js';
import { berthBin, startRegistryProcess } from './serve.js';

const sha = (b: Buffer | string) => 'sha256:' + createHash('sha256').update(b).digest('hex');
const hasSkopeo = existsSync('/usr/bin/skopeo') ? false : 'skopeo not installed';
let tmp: string;

before(() => {
  tmp = mkdtempSync(join(tmpdir(), 'berth-regit-'));
});
after(() => rmSync(tmp, { recursive: true, force: true }));

function skopeo(args: string[]) {
  return runCommand('skopeo', ['--insecure-policy', ...args], { timeoutMs: 60_000 });
}

test('skopeo copies an OCI image in and out; catalog and tags list show it', {
  skip: hasSkopeo,
  timeout: 90_000,
}, async () => {
  const root = join(tmp, 'plain');
  const reg = await startRegistryProcess(['--addr', '127.0.0.1:0', '--root', root]);
  try {
    const img = writeOciLayout(join(tmp, 'oci-src'), 'v1', {
      'hello.txt': 'hello from skopeo\n',
      'big.bin': randomBytes(3 << 20),
    });
    const push = await skopeo([
      'copy',
      '--dest-tls-verify=false',
      `oci:${img.dir}:v1`,
      `docker://${reg.addr}/team/app:1`,
    ]);
    assert.equal(push.code, 0, push.stderr);
    const back = join(tmp, 'oci-back');
    const pull = await skopeo(['copy', '--src-tls-verify=false', `docker://${reg.addr}/team/app:1`, `oci:${back}:got`]);
    assert.equal(pull.code, 0, pull.stderr);
    const idx = JSON.parse(readFileSync(join(back, 'index.json'), 'utf8'));
    assert.equal(idx.manifests[0].digest, img.manifestDigest);
    assert.deepEqual(
      readFileSync(join(back, 'blobs/sha256', img.layerDigest.slice(7))),
      readFileSync(join(img.dir, 'blobs/sha256', img.layerDigest.slice(7))),
    );
    const insp = await skopeo(['inspect', '--tls-verify=false', `docker://${reg.addr}/team/app:1`]);
    assert.equal(JSON.parse(insp.stdout).Digest, img.manifestDigest);
    assert.deepEqual(await (await fetch(`http://${reg.addr}/v2/_catalog`)).json(), { repositories: ['team/app'] });
    assert.deepEqual(await (await fetch(`http://${reg.addr}/v2/team/app/tags/list?n=10`)).json(), {
      name: 'team/app',
      tags: ['1'],
    });
    // Structured access log: one JSON object per request.
    const lines = reg
      .log()
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    assert.ok(
      lines.some((l) => l.msg === 'request' && l.method === 'PUT' && l.status === 201 && /manifests\/1$/.test(l.uri)),
    );
  } finally {
    await reg.stop();
  }
});

/** A one-day self-signed certificate for localhost and 127.0.0.1: `dir`/c.pem, its key `dir`/k.pem. */
function selfSignedCert(dir: string): void {
  const san = 'subjectAltName=IP:127.0.0.1,DNS:localhost';
  const args = [
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
    san,
  ];
  execFileSync('openssl', [...args, '-keyout', join(dir, 'k.pem'), '-out', join(dir, 'c.pem')], { stdio: 'ignore' });
}

test('TLS with htpasswd: unauthenticated pushes are refused, skopeo with credentials works', {
  skip: hasSkopeo,
  timeout: 90_000,
}, async () => {
  const dir = join(tmp, 'tls');
  execFileSync('mkdir', ['-p', dir]);
  selfSignedCert(dir);
  writeFileSync(join(dir, 'htpasswd'), `alice:${bcrypt.hashSync('wonderland', 6).replace('$2b$', '$2y$')}\n`);
  const reg = await startRegistryProcess([
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
  ]);
  try {
    const img = writeOciLayout(join(tmp, 'oci-tls'), 'v1', { 'a.txt': 'tls\n' });
    const copy = (opts: string[]) =>
      skopeo(['copy', '--dest-tls-verify=false', ...opts, `oci:${img.dir}:v1`, `docker://${reg.addr}/sec/app:1`]);
    const anon = await copy([]);
    assert.notEqual(anon.code, 0);
    assert.match(anon.stderr, /authentication required|unauthorized/i);
    const wrong = await copy(['--dest-creds', 'alice:nope']);
    assert.notEqual(wrong.code, 0);
    const ok = await copy(['--dest-cert-dir', dir, '--dest-creds', 'alice:wonderland']);
    assert.equal(ok.code, 0, ok.stderr);
    const curl = await runCommand('curl', [
      '-sf',
      '--cacert',
      join(dir, 'c.pem'),
      '-u',
      'alice:wonderland',
      `https://${reg.addr}/v2/sec/app/tags/list`,
    ]);
    assert.equal(curl.code, 0, curl.stderr);
    assert.deepEqual(JSON.parse(curl.stdout), { name: 'sec/app', tags: ['1'] });
    const plain = await runCommand('curl', [
      '-s',
      '-o',
      '/dev/null',
      '-w',
      '%{http_code}',
      '--cacert',
      join(dir, 'c.pem'),
      `https://${reg.addr}/v2/`,
    ]);
    assert.equal(plain.stdout, '401');
  } finally {
    await reg.stop();
  }
});

/** Send `first` bytes of a body that claims `total` bytes, then leave the request hanging. */
function hangingUpload(addr: string, path: string, method: string, total: number, first: Buffer): Promise<void> {
  const [host, port] = addr.split(':');
  return new Promise((resolve) => {
    const req = request({
      host,
      port,
      path,
      method,
      headers: { 'Content-Length': total, 'Content-Type': 'application/octet-stream' },
    });
    req.on('error', () => undefined);
    req.write(first, () => setTimeout(resolve, 300));
  });
}

test('kill -9 mid-upload leaves nothing visible; a chunked upload resumes after restart', {
  timeout: 90_000,
}, async () => {
  const root = join(tmp, 'crash');
  let reg = await startRegistryProcess(['--addr', '127.0.0.1:0', '--root', root]);
  const data = randomBytes(4 << 20);
  const digest = sha(data);
  // A monolithic upload cut off by the crash.
  await hangingUpload(
    reg.addr,
    `/v2/crash/app/blobs/uploads/?digest=${digest}`,
    'POST',
    data.length,
    data.subarray(0, 1 << 20),
  );
  // A chunked upload with one complete chunk before the crash.
  const p = await fetch(`http://${reg.addr}/v2/crash/app/blobs/uploads/`, { method: 'POST' });
  const loc = new URL(p.headers.get('location')!);
  const c1 = await fetch(loc, { method: 'PATCH', body: new Uint8Array(data.subarray(0, 1 << 20)) });
  assert.equal(c1.status, 202);
  // … and a second chunk in flight.
  await hangingUpload(reg.addr, loc.pathname, 'PATCH', 1 << 20, data.subarray(1 << 20, (1 << 20) + 1000));
  await reg.stop('SIGKILL');

  assert.deepEqual(readdirSync(join(root, 'content/blobs/sha256')), []);
  reg = await startRegistryProcess(['--addr', '127.0.0.1:0', '--root', root]);
  try {
    const base = `http://${reg.addr}`;
    assert.equal((await fetch(`${base}/v2/crash/app/blobs/${digest}`, { method: 'HEAD' })).status, 404);
    const path = loc.pathname;
    const st = await fetch(`${base}${path}`);
    assert.equal(st.status, 204);
    // At least the complete chunk survived; resume from wherever the server says it is.
    const range = /^0-(\d+)$/.exec(st.headers.get('range')!);
    assert.ok(range, st.headers.get('range')!);
    const have = Number(range[1]) + 1;
    assert.ok(have >= 1 << 20 && have <= data.length, String(have));
    const rest = await fetch(`${base}${path}`, {
      method: 'PATCH',
      body: new Uint8Array(data.subarray(have)),
      headers: { 'Content-Range': `${have}-${data.length - 1}` },
    });
    assert.equal(rest.status, 202);
    const fin = await fetch(`${base}${path}?digest=${digest}`, { method: 'PUT' });
    assert.equal(fin.status, 201, await fin.text());
    const got = Buffer.from(await (await fetch(`${base}/v2/crash/app/blobs/${digest}`)).arrayBuffer());
    assert.ok(got.equals(data));
  } finally {
    await reg.stop();
  }
});

test('berth registry gc --dry-run lists, gc deletes unreferenced blobs', { timeout: 60_000 }, async () => {
  const root = join(tmp, 'gc');
  const reg = await startRegistryProcess(['--addr', '127.0.0.1:0', '--root', root, '--delete']);
  const base = `http://${reg.addr}`;
  const orphan = Buffer.from('nobody references me');
  try {
    const r = await fetch(`${base}/v2/g/blobs/uploads/?digest=${sha(orphan)}`, {
      method: 'POST',
      body: new Uint8Array(orphan),
    });
    assert.equal(r.status, 201);
  } finally {
    await reg.stop();
  }
  const dry = await runCommand(process.execPath, [berthBin, 'registry', 'gc', '--dry-run', '--root', root]);
  assert.equal(dry.code, 0, dry.stderr);
  assert.match(dry.stdout, new RegExp(`blob eligible for deletion: ${sha(orphan)}`));
  assert.ok(existsSync(join(root, 'content/blobs/sha256', sha(orphan).slice(7))));
  const real = await runCommand(process.execPath, [berthBin, 'registry', 'gc', '--root', root]);
  assert.equal(real.code, 0, real.stderr);
  assert.match(real.stdout, /freed 20 bytes in 1 blobs/);
  assert.ok(!existsSync(join(root, 'content/blobs/sha256', sha(orphan).slice(7))));
});

test('docker CLI through berthd pushes to and pulls from the registry', {
  skip: daemonUnavailable() ?? false,
  timeout: 120_000,
}, async (t) => {
  const reg = await startRegistryProcess(['--addr', '127.0.0.1:0', '--root', join(tmp, 'berthd-reg')]);
  const d = await startDaemon();
  try {
    const ref = `${reg.addr}/it/busybox:1`;
    assert.equal((await d.docker(['tag', 'busybox:latest', ref])).code, 0);
    const push = await d.docker(['push', ref]);
    assert.equal(push.code, 0, push.stderr);
    assert.match(push.stdout, /^1: digest: sha256:[0-9a-f]{64} size: \d+$/m);
    assert.equal((await d.docker(['rmi', ref])).code, 0);
    const pull = await d.docker(['pull', ref]);
    assert.equal(pull.code, 0, pull.stderr);
    assert.match(pull.stdout, /Downloaded newer image/);
    const run = await d.docker(['run', '--rm', ref, 'echo', 'pulled']);
    assert.equal(run.stdout.trim(), 'pulled');
  } finally {
    await d.stop();
    await reg.stop();
  }
});
