// The registry's modes: deletes and read-only, htpasswd and token auth, body timeouts and size limits.
import assert from 'node:assert/strict';
import { generateKeyPairSync, sign } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import bcrypt from 'bcryptjs';
import { defaults } from './config.js';
import { startRegistry } from './serve.js';
import { errCode, partialPatch, pushImage, sha, start } from './test-registry.js';

describe('registry modes', () => {
  test('deletes are refused unless enabled; read-only refuses pushes', async () => {
    const s = await start();
    try {
      const img = await pushImage(s.base, 'ro', 'v', 'ro');
      const d = await fetch(`${s.base}/v2/ro/manifests/${img.digest}`, { method: 'DELETE' });
      assert.equal(d.status, 405);
      assert.equal(await errCode(d), 'UNSUPPORTED');
    } finally {
      await s.reg.close();
    }
    const ro = await startRegistry({
      ...defaults,
      addr: '127.0.0.1:0',
      root: s.root,
      accessLog: false,
      readOnly: true,
    });
    try {
      const base = `http://${ro.address}`;
      const p = await fetch(`${base}/v2/ro/blobs/uploads/`, { method: 'POST' });
      assert.equal(p.status, 405);
      assert.equal((await fetch(`${base}/v2/ro/manifests/v`)).status, 200);
    } finally {
      await ro.close();
      rmSync(s.root, { recursive: true, force: true });
    }
  });
});

describe('registry auth', () => {
  test('htpasswd basic auth challenges and accepts bcrypt credentials', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'berth-htp-'));
    const file = join(dir, 'htpasswd');
    writeFileSync(file, `alice:${bcrypt.hashSync('s3cret', 5).replace('$2b$', '$2y$')}\n`);
    const s = await start({ htpasswd: { path: file, realm: 'berth' } });
    try {
      const r = await fetch(`${s.base}/v2/`);
      assert.equal(r.status, 401);
      assert.equal(r.headers.get('www-authenticate'), 'Basic realm="berth"');
      assert.equal(await errCode(r), 'UNAUTHORIZED');
      const auth = (u: string, p: string) => ({
        Authorization: 'Basic ' + Buffer.from(`${u}:${p}`).toString('base64'),
      });
      assert.equal((await fetch(`${s.base}/v2/`, { headers: auth('alice', 'wrong') })).status, 401);
      assert.equal((await fetch(`${s.base}/v2/`, { headers: auth('alice', 's3cret') })).status, 200);
      assert.equal((await fetch(`${s.base}/v2/_catalog`, { headers: auth('alice', 's3cret') })).status, 200);
    } finally {
      await s.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('token auth: Bearer challenge with scope, signed token with access grants', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'berth-tok-'));
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    writeFileSync(join(dir, 'bundle.pem'), publicKey.export({ type: 'spki', format: 'pem' }));
    const s = await start({
      token: {
        realm: 'https://auth.example/token',
        service: 'reg',
        issuer: 'iss',
        rootcertbundle: join(dir, 'bundle.pem'),
      },
    });
    const jwt = (claims: Record<string, unknown>) => {
      const h = Buffer.from(JSON.stringify({ alg: 'RS256', typ: 'JWT' })).toString('base64url');
      const p = Buffer.from(JSON.stringify(claims)).toString('base64url');
      return `${h}.${p}.${sign('sha256', Buffer.from(`${h}.${p}`), privateKey).toString('base64url')}`;
    };
    try {
      const r = await fetch(`${s.base}/v2/team/app/tags/list`);
      assert.equal(r.status, 401);
      assert.equal(
        r.headers.get('www-authenticate'),
        'Bearer realm="https://auth.example/token",service="reg",scope="repository:team/app:pull"',
      );
      const now = Math.floor(Date.now() / 1000);
      const good = jwt({
        iss: 'iss',
        aud: 'reg',
        sub: 'bob',
        exp: now + 300,
        access: [{ type: 'repository', name: 'team/app', actions: ['pull'] }],
      });
      const ok = await fetch(`${s.base}/v2/team/app/tags/list`, { headers: { Authorization: `Bearer ${good}` } });
      assert.equal(ok.status, 404); // authorised; the repo does not exist
      const push = await fetch(`${s.base}/v2/team/app/blobs/uploads/`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${good}` },
      });
      assert.equal(push.status, 401);
      assert.match(push.headers.get('www-authenticate')!, /error="insufficient_scope"/);
      const expired = jwt({ iss: 'iss', aud: 'reg', exp: now - 3600, access: [] });
      assert.equal((await fetch(`${s.base}/v2/`, { headers: { Authorization: `Bearer ${expired}` } })).status, 401);
      const forged = good.slice(0, -4) + 'AAAA';
      assert.equal((await fetch(`${s.base}/v2/`, { headers: { Authorization: `Bearer ${forged}` } })).status, 401);
    } finally {
      await s.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('registry limits', () => {
  test('a stalled request body is dropped after bodyTimeout and the chunk is not kept', async () => {
    const s = await start({ bodyTimeout: 0.3 });
    try {
      const p = await fetch(`${s.base}/v2/slow/blobs/uploads/`, { method: 'POST' });
      const loc = new URL(p.headers.get('location')!);
      const closed = await new Promise<boolean>((resolve) => {
        const req = partialPatch(loc, 100, 'only a little');
        req.on('error', () => resolve(true));
        req.on('response', () => resolve(false));
      });
      assert.ok(closed, 'server kept waiting for the body');
      const st = await fetch(loc);
      assert.equal(st.headers.get('range'), '0-0');
    } finally {
      await s.stop();
    }
  });

  test('an upload larger than maxBlobSize is refused with 413 and leaves nothing', async () => {
    const s = await start({ maxBlobSize: 10 });
    try {
      const r = await fetch(`${s.base}/v2/big/blobs/uploads/?digest=${sha('x'.repeat(100))}`, {
        method: 'POST',
        body: 'x'.repeat(100),
      });
      assert.equal(r.status, 413);
      assert.equal(await errCode(r), 'SIZE_INVALID');
      assert.deepEqual(readdirSync(join(s.root, 'content', 'blobs', 'sha256')), []);
    } finally {
      await s.stop();
    }
  });
});
