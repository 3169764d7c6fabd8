import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadConfigFile, splitAddr } from './config.js';
import { resolveConfig } from './main.js';

test('a docker-registry config.yml maps onto the registry config; flags win', () => {
  const dir = mkdtempSync(join(tmpdir(), 'berth-regcfg-'));
  try {
    const f = join(dir, 'config.yml');
    writeFileSync(
      f,
      [
        'version: 0.1',
        'log: {level: error, accesslog: {disabled: true}}',
        'storage:',
        '  filesystem: {rootdirectory: /srv/reg}',
        '  delete: {enabled: true}',
        '  maintenance: {readonly: {enabled: true}}',
        'http:',
        '  addr: 127.0.0.1:5999',
        '  tls: {certificate: /c.pem, key: /k.pem}',
        'auth:',
        '  htpasswd: {realm: basic-realm, path: /etc/htpasswd}',
      ].join('\n'),
    );
    const c = loadConfigFile(f);
    assert.equal(c.addr, '127.0.0.1:5999');
    assert.equal(c.root, '/srv/reg');
    assert.equal(c.deleteEnabled, true);
    assert.equal(c.readOnly, true);
    assert.deepEqual(c.tls, { cert: '/c.pem', key: '/k.pem' });
    assert.deepEqual(c.htpasswd, { path: '/etc/htpasswd', realm: 'basic-realm' });
    assert.equal(c.logLevel, 'error');
    assert.equal(c.accessLog, false);
    const j = join(dir, 'c.json');
    writeFileSync(
      j,
      JSON.stringify({ http: { addr: '127.0.0.1:1' }, storage: { filesystem: { rootdirectory: '/j' } } }),
    );
    const r = resolveConfig({ config: j, root: '/flag', delete: true });
    assert.equal(r.root, '/flag');
    assert.equal(r.addr, '127.0.0.1:1');
    assert.equal(r.deleteEnabled, true);
    assert.throws(() => resolveConfig({ tlsCert: '/c' }), /together/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('splitAddr', () => {
  assert.deepEqual(splitAddr('127.0.0.1:5000'), { host: '127.0.0.1', port: 5000 });
  assert.deepEqual(splitAddr(':5000'), { host: '127.0.0.1', port: 5000 });
  assert.deepEqual(splitAddr('[::1]:5000'), { host: '::1', port: 5000 });
  assert.throws(() => splitAddr('nope'));
});
