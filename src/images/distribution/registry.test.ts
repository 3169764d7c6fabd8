import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { isInsecureHost, RegistryClient } from './registry.js';
import { Repository } from './repository.js';

test('isInsecureHost: loopback by default, plus --insecure-registry hosts and CIDRs', () => {
  assert.equal(isInsecureHost('127.0.0.1:5000'), true);
  assert.equal(isInsecureHost('localhost:5000'), true);
  assert.equal(isInsecureHost('registry.example:5000'), false);
  assert.equal(isInsecureHost('registry.example:5000', ['registry.example:5000']), true);
  assert.equal(isInsecureHost('10.1.2.3:5000', ['10.0.0.0/8']), true);
  assert.equal(isInsecureHost('11.1.2.3:5000', ['10.0.0.0/8']), false);
});

test('bearer-token flow: challenge at /v2/, token with basic credentials, scoped requests', async () => {
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
      config: {},
      layers: [],
    }),
  );
  const seen: string[] = [];
  const srv = http.createServer((req, res) => {
    const url = new URL(req.url!, 'http://x');
    seen.push(`${req.method} ${url.pathname}`);
    if (url.pathname === '/token') {
      assert.equal(req.headers.authorization, 'Basic ' + Buffer.from('me:pw').toString('base64'));
      assert.equal(url.searchParams.get('scope'), 'repository:me/bb:pull');
      assert.equal(url.searchParams.get('service'), 'test');
      res.end(JSON.stringify({ token: 'T1' }));
      return;
    }
    if (req.headers.authorization !== 'Bearer T1') {
      res.writeHead(401, {
        'www-authenticate': `Bearer realm="http://${req.headers.host}/token",service="test"`,
        'content-type': 'application/json',
      });
      res.end(JSON.stringify({ errors: [{ code: 'UNAUTHORIZED', message: 'authentication required' }] }));
      return;
    }
    if (url.pathname === '/v2/me/bb/manifests/1') {
      res.writeHead(200, { 'content-type': 'application/vnd.docker.distribution.manifest.v2+json' });
      res.end(manifest);
    } else if (url.pathname === '/v2/me/bb/tags/list') {
      res.end(JSON.stringify({ name: 'me/bb', tags: ['1', '2'] }));
    } else {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ errors: [{ code: 'MANIFEST_UNKNOWN', message: 'manifest unknown' }] }));
    }
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const host = `127.0.0.1:${(srv.address() as AddressInfo).port}`;
  try {
    const repo = new Repository(
      new RegistryClient(host, { insecure: true, auth: { username: 'me', password: 'pw' } }),
      'me/bb',
      `${host}/me/bb`,
    );
    const m = await repo.manifest('1');
    assert.equal(m.digest, 'sha256:' + createHash('sha256').update(manifest).digest('hex'));
    assert.equal(m.mediaType, 'application/vnd.docker.distribution.manifest.v2+json');
    assert.deepEqual(await repo.tags(), ['1', '2']);
    await assert.rejects(
      repo.manifest('nope'),
      (e: Error) => e.message === `manifest for ${host}/me/bb:nope not found: manifest unknown: manifest unknown`,
    );
    assert.equal(seen.filter((s) => s === 'GET /token').length, 1, 'token cached per scope');
  } finally {
    srv.close();
  }
});

test('an unreachable registry fails with Go-like connection refused text', async () => {
  const srv = http.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as AddressInfo).port;
  await new Promise<void>((r) => srv.close(() => r()));
  const c = new RegistryClient(`127.0.0.1:${port}`, { insecure: true });
  await assert.rejects(c.endpoint(), /dial tcp 127\.0\.0\.1:\d+: connect: connection refused/);
});
