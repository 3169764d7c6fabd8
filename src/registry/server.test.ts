import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  DOCKER_MANIFEST,
  errCode,
  manifestOf,
  OCI_MANIFEST,
  partialPatch,
  pushBlob,
  pushImage,
  sha,
  start,
  type Started,
} from './test-registry.js';

// The registry's HTTP API against one running registry: the describe blocks run in order and
// share it (the catalog test sees repositories pushed before).
let s: Started;
before(async () => {
  s = await start({ deleteEnabled: true });
});
after(() => s.stop());

describe('registry API: blobs and uploads', () => {
  test('/v2/ answers with the API version header', async () => {
    const r = await fetch(`${s.base}/v2/`);
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('docker-distribution-api-version'), 'registry/2.0');
    assert.deepEqual(await r.json(), {});
  });

  test('monolithic upload, HEAD and ranged GET of a blob', async () => {
    const data = Buffer.from('0123456789abcdef');
    const d = await pushBlob(s.base, 'a/b', data);
    const h = await fetch(`${s.base}/v2/a/b/blobs/${d}`, { method: 'HEAD' });
    assert.equal(h.status, 200);
    assert.equal(h.headers.get('content-length'), '16');
    assert.equal(h.headers.get('docker-content-digest'), d);
    const g = await fetch(`${s.base}/v2/a/b/blobs/${d}`, { headers: { Range: 'bytes=2-5' } });
    assert.equal(g.status, 206);
    assert.equal(g.headers.get('content-range'), 'bytes 2-5/16');
    assert.equal(await g.text(), '2345');
    const tail = await fetch(`${s.base}/v2/a/b/blobs/${d}`, { headers: { Range: 'bytes=-3' } });
    assert.equal(await tail.text(), 'def');
    const bad = await fetch(`${s.base}/v2/a/b/blobs/${d}`, { headers: { Range: 'bytes=20-30' } });
    assert.equal(bad.status, 416);
    assert.equal(bad.headers.get('content-range'), 'bytes */16');
    // The blob is linked into a/b only.
    const other = await fetch(`${s.base}/v2/other/blobs/${d}`);
    assert.equal(other.status, 404);
    assert.equal(await errCode(other), 'BLOB_UNKNOWN');
  });

  test('chunked upload with resumable status, out-of-order chunk refused', async () => {
    const p = await fetch(`${s.base}/v2/chunky/blobs/uploads/`, { method: 'POST' });
    assert.equal(p.status, 202);
    assert.equal(p.headers.get('range'), '0-0');
    const loc = p.headers.get('location')!;
    assert.match(loc, /^http:\/\/127\.0\.0\.1:\d+\/v2\/chunky\/blobs\/uploads\/[a-f0-9-]{36}$/);
    const c1 = await fetch(loc, {
      method: 'PATCH',
      body: 'hello ',
      headers: { 'Content-Range': '0-5', 'Content-Type': 'application/octet-stream' },
    });
    assert.equal(c1.status, 202);
    assert.equal(c1.headers.get('range'), '0-5');
    const st = await fetch(loc);
    assert.equal(st.status, 204);
    assert.equal(st.headers.get('range'), '0-5');
    const wrong = await fetch(loc, { method: 'PATCH', body: 'xx', headers: { 'Content-Range': '3-4' } });
    assert.equal(wrong.status, 416);
    const c2 = await fetch(loc, { method: 'PATCH', body: 'world', headers: { 'Content-Range': '6-10' } });
    assert.equal(c2.headers.get('range'), '0-10');
    const d = sha('hello world!');
    const fin = await fetch(`${c2.headers.get('location')}?digest=${d}`, { method: 'PUT', body: '!' });
    assert.equal(fin.status, 201);
    assert.equal(fin.headers.get('docker-content-digest'), d);
    assert.equal(await (await fetch(`${s.base}/v2/chunky/blobs/${d}`)).text(), 'hello world!');
    const gone = await fetch(loc);
    assert.equal(gone.status, 404);
    assert.equal(await errCode(gone), 'BLOB_UPLOAD_UNKNOWN');
  });
});

describe('registry API: upload failures', () => {
  test('digest mismatch is refused and stores nothing', async () => {
    const before = readdirSync(join(s.root, 'content', 'blobs', 'sha256')).length;
    const r = await fetch(`${s.base}/v2/x/blobs/uploads/?digest=${sha('other')}`, { method: 'POST', body: 'data' });
    assert.equal(r.status, 400);
    assert.equal(await errCode(r), 'DIGEST_INVALID');
    assert.equal(readdirSync(join(s.root, 'content', 'blobs', 'sha256')).length, before);
    assert.deepEqual(readdirSync(join(s.root, 'uploads')), []);
    const bad = await fetch(`${s.base}/v2/x/blobs/uploads/?digest=sha256:nothex`, { method: 'POST', body: 'data' });
    assert.equal(await errCode(bad), 'DIGEST_INVALID');
  });

  test('a truncated chunk is cut off again; the upload resumes from the old offset', async () => {
    const p = await fetch(`${s.base}/v2/trunc/blobs/uploads/`, { method: 'POST' });
    const loc = new URL(p.headers.get('location')!);
    await fetch(loc, { method: 'PATCH', body: 'abc' });
    await new Promise<void>((resolve) => {
      const req = partialPatch(loc, 1000, 'partial-data');
      req.on('error', () => resolve());
      setTimeout(() => {
        req.destroy();
        setTimeout(resolve, 100);
      }, 100);
    });
    const st = await fetch(loc);
    assert.equal(st.headers.get('range'), '0-2');
    const fin = await fetch(`${loc}?digest=${sha('abcdef')}`, { method: 'PUT', body: 'def' });
    assert.equal(fin.status, 201);
  });
});

describe('registry API: manifests and indexes', () => {
  test('manifests by tag and digest, media type and digest headers', async () => {
    const img = await pushImage(s.base, 'team/app', 'v1', 'one', DOCKER_MANIFEST);
    const g = await fetch(`${s.base}/v2/team/app/manifests/v1`);
    assert.equal(g.status, 200);
    assert.equal(g.headers.get('content-type'), DOCKER_MANIFEST);
    assert.equal(g.headers.get('docker-content-digest'), img.digest);
    assert.deepEqual(Buffer.from(await g.arrayBuffer()), img.manifest);
    const h = await fetch(`${s.base}/v2/team/app/manifests/${img.digest}`, { method: 'HEAD' });
    assert.equal(h.status, 200);
    assert.equal(h.headers.get('content-length'), String(img.manifest.length));
    const miss = await fetch(`${s.base}/v2/team/app/manifests/nope`);
    assert.equal(miss.status, 404);
    assert.deepEqual(await miss.json(), {
      errors: [{ code: 'MANIFEST_UNKNOWN', message: 'manifest unknown', detail: { Tag: 'nope' } }],
    });
    // PUT by digest must match the body.
    const wrong = await fetch(`${s.base}/v2/team/app/manifests/${sha('x')}`, {
      method: 'PUT',
      body: new Uint8Array(img.manifest),
      headers: { 'Content-Type': DOCKER_MANIFEST },
    });
    assert.equal(await errCode(wrong), 'DIGEST_INVALID');
  });

  test('a manifest referencing a missing blob, or of the wrong type, is refused and nothing changes', async () => {
    const config = Buffer.from('{"c":1}');
    await pushBlob(s.base, 'strict', config);
    const m = manifestOf(config, [Buffer.from('never pushed')]);
    const r = await fetch(`${s.base}/v2/strict/manifests/t`, {
      method: 'PUT',
      body: new Uint8Array(m),
      headers: { 'Content-Type': OCI_MANIFEST },
    });
    assert.equal(r.status, 400);
    assert.equal(await errCode(r), 'MANIFEST_BLOB_UNKNOWN');
    const tags = await (await fetch(`${s.base}/v2/strict/tags/list`)).json();
    assert.deepEqual(tags, { name: 'strict', tags: [] });
    const ct = await fetch(`${s.base}/v2/strict/manifests/t`, {
      method: 'PUT',
      body: new Uint8Array(m),
      headers: { 'Content-Type': 'text/plain' },
    });
    assert.equal(await errCode(ct), 'MANIFEST_INVALID');
    const mismatch = await fetch(`${s.base}/v2/strict/manifests/t`, {
      method: 'PUT',
      body: new Uint8Array(m),
      headers: { 'Content-Type': DOCKER_MANIFEST },
    });
    assert.equal(await errCode(mismatch), 'MANIFEST_INVALID');
    const junk = await fetch(`${s.base}/v2/strict/manifests/t`, {
      method: 'PUT',
      body: '{not json',
      headers: { 'Content-Type': OCI_MANIFEST },
    });
    assert.equal(await errCode(junk), 'MANIFEST_INVALID');
  });

  test('an index needs its manifests in the repo', async () => {
    const img = await pushImage(s.base, 'multi', 'amd64', 'amd');
    const idx = (digest: string) =>
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.index.v1+json',
        manifests: [{ mediaType: OCI_MANIFEST, digest, size: 10, platform: { os: 'linux', architecture: 'amd64' } }],
      });
    const bad = await fetch(`${s.base}/v2/multi/manifests/all`, {
      method: 'PUT',
      body: idx(sha('none')),
      headers: { 'Content-Type': 'application/vnd.oci.image.index.v1+json' },
    });
    assert.equal(await errCode(bad), 'MANIFEST_BLOB_UNKNOWN');
    const ok = await fetch(`${s.base}/v2/multi/manifests/all`, {
      method: 'PUT',
      body: idx(img.digest),
      headers: { 'Content-Type': 'application/vnd.oci.image.index.v1+json' },
    });
    assert.equal(ok.status, 201);
    const g = await fetch(`${s.base}/v2/multi/manifests/all`);
    assert.equal(g.headers.get('content-type'), 'application/vnd.oci.image.index.v1+json');
  });
});

describe('registry API: listing and mounts', () => {
  test('tags list and catalog paginate with n/last and a Link header', async () => {
    for (const t of ['c', 'a', 'b']) await pushImage(s.base, 'pages', t, 'p');
    const p1 = await fetch(`${s.base}/v2/pages/tags/list?n=2`);
    assert.deepEqual(await p1.json(), { name: 'pages', tags: ['a', 'b'] });
    assert.equal(p1.headers.get('link'), '</v2/pages/tags/list?last=b&n=2>; rel="next"');
    const p2 = await fetch(`${s.base}/v2/pages/tags/list?n=2&last=b`);
    assert.deepEqual(await p2.json(), { name: 'pages', tags: ['c'] });
    assert.equal(p2.headers.get('link'), null);
    const cat = (await (await fetch(`${s.base}/v2/_catalog`)).json()) as { repositories: string[] };
    assert.ok(cat.repositories.includes('pages') && cat.repositories.includes('team/app'));
    assert.deepEqual([...cat.repositories].sort(), cat.repositories);
    const c1 = (await (await fetch(`${s.base}/v2/_catalog?n=1&last=pages`)).json()) as { repositories: string[] };
    assert.equal(c1.repositories.length, 1);
    assert.ok(c1.repositories[0] > 'pages');
    const badN = await fetch(`${s.base}/v2/_catalog?n=-1`);
    assert.equal(await errCode(badN), 'PAGINATION_NUMBER_INVALID');
    const unknown = await fetch(`${s.base}/v2/nosuchrepo/tags/list`);
    assert.equal(unknown.status, 404);
    assert.equal(await errCode(unknown), 'NAME_UNKNOWN');
  });

  test('cross-repository mount links an existing blob', async () => {
    const d = await pushBlob(s.base, 'src/repo', 'mount me');
    const r = await fetch(`${s.base}/v2/dst/repo/blobs/uploads/?mount=${d}&from=src/repo`, { method: 'POST' });
    assert.equal(r.status, 201);
    assert.equal(r.headers.get('docker-content-digest'), d);
    assert.equal(await (await fetch(`${s.base}/v2/dst/repo/blobs/${d}`)).text(), 'mount me');
    // Unknown source: an ordinary upload session starts instead.
    const f = await fetch(`${s.base}/v2/dst/repo/blobs/uploads/?mount=${sha('zz')}&from=src/repo`, { method: 'POST' });
    assert.equal(f.status, 202);
  });
});

describe('registry API: deletes, referrers, errors', () => {
  test('deletes of manifests, tags and blobs', async () => {
    const img = await pushImage(s.base, 'del', 'x', 'del');
    await fetch(`${s.base}/v2/del/manifests/${img.digest}`, {
      method: 'PUT',
      body: new Uint8Array(img.manifest),
      headers: { 'Content-Type': OCI_MANIFEST },
    });
    const dt = await fetch(`${s.base}/v2/del/manifests/x`, { method: 'DELETE' });
    assert.equal(dt.status, 202);
    assert.deepEqual(await (await fetch(`${s.base}/v2/del/tags/list`)).json(), { name: 'del', tags: [] });
    assert.equal((await fetch(`${s.base}/v2/del/manifests/${img.digest}`)).status, 200);
    assert.equal((await fetch(`${s.base}/v2/del/manifests/${img.digest}`, { method: 'DELETE' })).status, 202);
    assert.equal((await fetch(`${s.base}/v2/del/manifests/${img.digest}`)).status, 404);
    assert.equal((await fetch(`${s.base}/v2/del/blobs/${sha(img.layer)}`, { method: 'DELETE' })).status, 202);
    const g = await fetch(`${s.base}/v2/del/blobs/${sha(img.layer)}`);
    assert.equal(await errCode(g), 'BLOB_UNKNOWN');
  });

  test('referrers API lists manifests whose subject is the digest', async () => {
    const img = await pushImage(s.base, 'refs', 'v1', 'r');
    const empty = Buffer.from('{}');
    await pushBlob(s.base, 'refs', empty);
    const sig = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: OCI_MANIFEST,
        artifactType: 'application/vnd.example.sig',
        config: { mediaType: 'application/vnd.oci.empty.v1+json', digest: sha(empty), size: 2 },
        layers: [],
        subject: { mediaType: OCI_MANIFEST, digest: img.digest, size: img.manifest.length },
        annotations: { who: 'me' },
      }),
    );
    const p = await fetch(`${s.base}/v2/refs/manifests/${sha(sig)}`, {
      method: 'PUT',
      body: new Uint8Array(sig),
      headers: { 'Content-Type': OCI_MANIFEST },
    });
    assert.equal(p.status, 201);
    assert.equal(p.headers.get('oci-subject'), img.digest);
    const r = await fetch(`${s.base}/v2/refs/referrers/${img.digest}`);
    assert.equal(r.headers.get('content-type'), 'application/vnd.oci.image.index.v1+json');
    const idx = (await r.json()) as {
      manifests: { digest: string; artifactType: string; annotations: Record<string, string> }[];
    };
    assert.equal(idx.manifests.length, 1);
    assert.equal(idx.manifests[0].digest, sha(sig));
    assert.equal(idx.manifests[0].artifactType, 'application/vnd.example.sig');
    assert.deepEqual(idx.manifests[0].annotations, { who: 'me' });
    const f = await fetch(`${s.base}/v2/refs/referrers/${img.digest}?artifactType=other`);
    assert.equal(f.headers.get('oci-filters-applied'), 'artifactType');
    assert.deepEqual(((await f.json()) as { manifests: unknown[] }).manifests, []);
  });

  test('malformed names, unknown uploads and unknown routes', async () => {
    const n = await fetch(`${s.base}/v2/Bad_Name/tags/list`);
    assert.equal(n.status, 400);
    assert.equal(await errCode(n), 'NAME_INVALID');
    const u = await fetch(`${s.base}/v2/a/blobs/uploads/00000000-0000-0000-0000-000000000000`);
    assert.equal(await errCode(u), 'BLOB_UPLOAD_UNKNOWN');
    const bad = await fetch(`${s.base}/v2/a/blobs/uploads/..%2F..%2Fetc`);
    assert.equal(bad.status, 404);
    assert.equal((await fetch(`${s.base}/nothing`)).status, 404);
    const put = await fetch(`${s.base}/v2/a/tags/list`, { method: 'PUT' });
    assert.equal(await errCode(put), 'UNSUPPORTED');
  });
});
