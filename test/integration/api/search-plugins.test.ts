// docker search and docker plugin against a harness berthd with no network (the isolated netns):
// what the docker CLI prints for an unreachable Docker Hub, for our own loopback registry (which,
// like any v2-only registry, has no /v1/search), and for an engine without plugins.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { daemonPerFile } from '../../harness/daemon.js';
import { startRegistryProcess } from '../registry/serve.js';

const h = daemonPerFile({ busybox: false });
const skip = h.skip ?? false;
const work = mkdtempSync(join(tmpdir(), 'berth-search-'));
after(() => rmSync(work, { recursive: true, force: true }));

test("docker search with Docker Hub unreachable: the daemon's network error, exit 1", { skip }, async () => {
  const r = await h.d.docker(['search', 'busybox']);
  assert.equal(r.code, 1);
  assert.match(
    r.stderr,
    /^Error response from daemon: Get "https:\/\/index\.docker\.io\/v1\/search\?q=busybox&n=25": dial tcp/,
  );
});

test('docker search: limit and filter errors before any network call', { skip }, async () => {
  const lim = await h.d.docker(['search', '--limit', '101', 'busybox']);
  assert.equal(lim.code, 1);
  assert.match(lim.stderr, /^Error response from daemon: limit 101 is outside the range of \[1, 100\]/);
  const f = await h.d.docker(['search', '--filter', 'is-official=maybe', 'busybox']);
  assert.equal(f.code, 1);
  assert.match(f.stderr, /^Error response from daemon: invalid filter 'is-official=\[maybe\]'/);
  const bad = await h.d.docker(['search', '--filter', 'name=x', 'busybox']);
  assert.match(bad.stderr, /^Error response from daemon: invalid filter 'name'/);
});

test('docker search of our loopback registry: pinged, then "Unexpected status code 404"', { skip }, async () => {
  const reg = await startRegistryProcess(['--addr', '127.0.0.1:0', '--root', join(work, 'reg')]);
  try {
    const r = await h.d.docker(['search', `${reg.addr}/foo`]);
    assert.equal(r.code, 1);
    assert.equal(r.stderr.trim(), 'Error response from daemon: Unexpected status code 404');
    const p = await h.d.docker(['plugin', 'install', '--grant-all-permissions', `${reg.addr}/nope`]);
    assert.equal(p.code, 1);
    assert.equal(
      p.stderr.trim(),
      `Error response from daemon: error resolving plugin reference: ${reg.addr}/nope:latest: not found`,
    );
  } finally {
    await reg.stop();
  }
});

test('docker plugin ls / inspect / rm / enable / install on an engine with no plugins', { skip }, async () => {
  const ls = await h.d.docker(['plugin', 'ls']);
  assert.equal(ls.code, 0, ls.stderr);
  assert.deepEqual(ls.stdout.trim().split(/\s{2,}/), ['ID', 'NAME', 'DESCRIPTION', 'ENABLED']);
  const ins = await h.d.docker(['plugin', 'inspect', 'vieux/sshfs']);
  assert.equal(ins.code, 1);
  assert.match(ins.stderr, /plugin "vieux\/sshfs" not found/);
  for (const verb of ['rm', 'enable', 'disable']) {
    const r = await h.d.docker(['plugin', verb, 'x']);
    assert.equal(r.code, 1, verb);
    assert.equal(r.stderr.trim(), 'Error response from daemon: plugin "x" not found', verb);
  }
  const inst = await h.d.docker(['plugin', 'install', '--grant-all-permissions', 'vieux/sshfs']);
  assert.equal(inst.code, 1);
  assert.match(
    inst.stderr,
    /^Error response from daemon: error resolving plugin reference: failed to do request: Head "https:\/\/registry-1\.docker\.io\/v2\/vieux\/sshfs\/manifests\/latest": dial tcp/,
  );
});
