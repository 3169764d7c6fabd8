import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { helperFor, readConfig, toHostname, writeConfig } from './login.js';
import { registryAuth } from './distribution.js';

const dir = mkdtempSync(join(tmpdir(), 'berth-login-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('config.json is written as docker writes it and keeps unknown keys', () => {
  writeConfig(dir, { auths: { 'r.io:5000': { auth: Buffer.from('a:b').toString('base64') } }, psFormat: 'x' });
  const text = readFileSync(join(dir, 'config.json'), 'utf8');
  assert.equal(text, '{\n\t"auths": {\n\t\t"r.io:5000": {\n\t\t\t"auth": "YTpi"\n\t\t}\n\t},\n\t"psFormat": "x"\n}');
  assert.equal(statSync(join(dir, 'config.json')).mode & 0o777, 0o600);
  assert.equal(readConfig(dir).psFormat, 'x');
  // what pull/push then send as X-Registry-Auth
  const sent = JSON.parse(Buffer.from(registryAuth('r.io:5000', dir), 'base64url').toString());
  assert.deepEqual(sent, { username: 'a', password: 'b', serveraddress: 'r.io:5000' });
});

test('hostnames and credential helpers are looked up as docker does', () => {
  assert.equal(toHostname('https://r.io:5000/v2/'), 'r.io:5000');
  assert.equal(helperFor({ credsStore: 'pass' }, 'r.io'), 'pass');
  assert.equal(helperFor({ credsStore: 'pass', credHelpers: { 'r.io': 'ecr' } }, 'https://r.io/'), 'ecr');
  assert.equal(helperFor({}, 'r.io'), undefined);
});
