// A failed `docker load` is reported as moby does: 200 and an in-band error line (docker-py raises
// ImageLoadError on it; the docker CLI prints it and exits 1), never a 500; nothing is left behind.
import assert from 'node:assert/strict';
import http from 'node:http';
import { test } from 'node:test';
import { daemonPerFile } from '../../harness/daemon.js';

const berthd = daemonPerFile({ busybox: false });
const skip = berthd.skip;

function post(path: string, body: Buffer): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        socketPath: berthd.d.socket,
        path,
        method: 'POST',
        headers: { 'Content-Type': 'application/x-tar', 'Content-Length': body.length },
      },
      (res) => {
        let s = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (s += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: s }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

test('loading a broken archive: 200 with the error in-band, quiet or not', { skip: skip ?? false }, async () => {
  const d = berthd.d;
  for (const path of ['/v1.44/images/load', '/v1.44/images/load?quiet=0', '/v1.44/images/load?quiet=1']) {
    const r = await post(path, Buffer.from('abc'));
    assert.equal(r.status, 200, `${path}: ${r.body}`);
    const last = JSON.parse(r.body.trim().split('\n').pop()!) as { error?: string; errorDetail?: { message: string } };
    assert.equal(last.error, 'unexpected EOF', path);
    assert.equal(last.errorDetail?.message, 'unexpected EOF', path);
  }
  const junk = Buffer.alloc(4096, 0x41);
  const r = await post('/images/load', junk);
  assert.equal(r.status, 200, r.body);
  assert.match(r.body, /"errorDetail"/);
  const cli = await d.docker(['load', '-i', '/dev/null']);
  assert.equal(cli.code, 1);
  assert.notEqual(cli.stderr.trim(), '');
  assert.equal((await d.docker(['images', '-aq'])).stdout, '', 'nothing was loaded');
});
