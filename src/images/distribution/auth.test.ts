import assert from 'node:assert/strict';
import { test } from 'node:test';
import { basicAuth, decodeAuthHeader, parseChallenges } from './auth.js';

test('decodeAuthHeader reads the base64url JSON the docker CLI sends', () => {
  const h = Buffer.from(
    JSON.stringify({ username: 'me', password: 's3cr?t>', serveraddress: '127.0.0.1:5001' }),
  ).toString('base64url');
  assert.deepEqual(decodeAuthHeader(h), { username: 'me', password: 's3cr?t>', serveraddress: '127.0.0.1:5001' });
  const viaAuth = Buffer.from(JSON.stringify({ auth: Buffer.from('u:p:w').toString('base64') })).toString('base64');
  assert.equal(decodeAuthHeader(viaAuth)?.password, 'p:w');
  assert.equal(decodeAuthHeader('!!not-json'), undefined);
  assert.equal(decodeAuthHeader(Buffer.from('{}').toString('base64')), undefined);
});

test('parseChallenges parses bearer and basic challenges', () => {
  const [b] = parseChallenges(
    'Bearer realm="https://auth.example/token",service="registry.example",scope="repository:me/bb:pull"',
  );
  assert.equal(b.scheme, 'bearer');
  assert.deepEqual(b.params, {
    realm: 'https://auth.example/token',
    service: 'registry.example',
    scope: 'repository:me/bb:pull',
  });
  const [basic] = parseChallenges(['Basic realm="test"']);
  assert.deepEqual(basic, { scheme: 'basic', params: { realm: 'test' } });
  assert.equal(basicAuth({ username: 'a', password: 'b' }), 'Basic ' + Buffer.from('a:b').toString('base64'));
  assert.equal(basicAuth({}), undefined);
});
