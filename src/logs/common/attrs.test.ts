import assert from 'node:assert/strict';
import { test } from 'node:test';
import { logDetailsPrefix } from '../drivers.js';
import { detailsPrefix, goQueryEscape } from './attrs.js';

test('goQueryEscape escapes as Go url.QueryEscape', () => {
  assert.equal(goQueryEscape('a b'), 'a+b');
  assert.equal(goQueryEscape("x=1,y!'()*~-_."), 'x%3D1%2Cy%21%27%28%29%2A~-_.');
  assert.equal(goQueryEscape('é'), '%C3%A9');
});

test('details prefix: json-file attrs sorted by key, query-escaped, then a space', () => {
  const t = {
    logConfig: { Type: 'json-file', Config: { labels: 'tier,app', env: 'FOO', 'env-regex': '^Z' } },
    env: ['FOO=bar baz', 'ZED=1', 'OTHER=no'],
    labels: { app: 'web', tier: 'a,b', unused: 'x' },
  };
  assert.equal(detailsPrefix(t, true).toString(), 'FOO=bar+baz,ZED=1,app=web,tier=a%2Cb ');
});

test('details prefix is a lone space without attrs or for drivers that store none', () => {
  assert.equal(detailsPrefix({ logConfig: { Type: 'json-file', Config: {} }, env: ['A=1'] }, true).toString(), ' ');
  const local = { logConfig: { Type: 'local', Config: { env: 'A' } }, env: ['A=1'] };
  assert.equal(detailsPrefix(local, false).toString(), ' ');
  // through the driver table: json-file stores them, local does not
  assert.equal(
    logDetailsPrefix({ ...local, logConfig: { Type: 'json-file', Config: { env: 'A' } } }).toString(),
    'A=1 ',
  );
  assert.equal(logDetailsPrefix(local).toString(), ' ');
});
