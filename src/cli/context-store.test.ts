import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { dockerEndpoint } from './commands/context.js';
import { exportArchive, metaFromArchive } from './commands/context-io.js';
import { ContextStore, resolveContextName, validateName } from './context-store.js';

test('context choice: --context, then -H/DOCKER_HOST (default), DOCKER_CONTEXT, the config', () => {
  const r = (o: Partial<Parameters<typeof resolveContextName>[0]>) => resolveContextName({ hosts: [], env: {}, ...o });
  assert.equal(r({ context: 'a', env: { DOCKER_HOST: 'unix:///x', DOCKER_CONTEXT: 'b' } }), 'a');
  assert.equal(r({ env: { DOCKER_HOST: 'unix:///x', DOCKER_CONTEXT: 'b' }, current: 'c' }), 'default');
  assert.equal(r({ hosts: ['unix:///x'], current: 'c' }), 'default');
  assert.equal(r({ env: { DOCKER_CONTEXT: 'b' }, current: 'c' }), 'b');
  assert.equal(r({ current: 'c' }), 'c');
  assert.equal(r({}), 'default');
  assert.throws(() => r({ context: 'a', hosts: ['unix:///x'] }), /cannot specify both --host and --context/);
});

test('store: meta.json under the sha256 of the name, compact as docker writes it', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ctx-unit-'));
  try {
    const s = new ContextStore(dir);
    s.put({ Name: 'x', Metadata: {}, Endpoints: { docker: dockerEndpoint('host=unix:///s') } });
    const hash = createHash('sha256').update('x').digest('hex');
    assert.equal(
      readFileSync(join(dir, 'contexts/meta', hash, 'meta.json'), 'utf8'),
      '{"Name":"x","Metadata":{},"Endpoints":{"docker":{"Host":"unix:///s","SkipTLSVerify":false}}}',
    );
    assert.deepEqual(
      s.list().map((m) => m.Name),
      ['x'],
    );
    s.remove('x');
    assert.throws(() => s.get('x'), /context "x": context not found: open .*meta\.json: no such file or directory/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('names and endpoints: docker’s rules and messages', () => {
  assert.throws(() => validateName('bad name'), /names are validated against regexp/);
  assert.throws(() => validateName('default'), /reserved/);
  assert.doesNotThrow(() => validateName('a.b-c_d+e'));
  assert.deepEqual(dockerEndpoint('skip-tls-verify=true,host=tcp://h:1'), { Host: 'tcp://h:1', SkipTLSVerify: true });
  assert.throws(() => dockerEndpoint('bogus=1'), /unrecognized config key: bogus/);
});

test('context archive: meta.json and tls/ in ustar blocks, read back by name', () => {
  const m = {
    Name: 'k',
    Metadata: { Description: 'd' },
    Endpoints: { docker: { Host: 'unix:///s', SkipTLSVerify: false } },
  };
  const tar = exportArchive(m);
  assert.equal(tar.length, 1536);
  assert.equal(tar.toString('utf8', 257, 265), 'ustar\u000000');
  assert.equal(tar.toString('utf8', 1024, 1027), 'tls');
  assert.deepEqual(metaFromArchive(tar), m);
  assert.throws(() => metaFromArchive(Buffer.alloc(1024)), /invalid context: no metadata found/);
});
