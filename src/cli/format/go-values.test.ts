import assert from 'node:assert/strict';
import { test } from 'node:test';
import { goMapOrder, withGoNames } from './go-values.js';
import { render } from './template.js';

test('maps (keys no Go field could have) come out sorted, structs keep their order', () => {
  const doc = {
    HostConfig: { LogConfig: { Type: 'json-file', Config: { 'max-size': '1k', 'max-file': '3' } } },
    Z: 1,
    A: 2,
  };
  assert.equal(
    JSON.stringify(goMapOrder(doc)),
    '{"HostConfig":{"LogConfig":{"Type":"json-file","Config":{"max-file":"3","max-size":"1k"}}},"Z":1,"A":2}',
  );
  assert.equal(render('{{json .HostConfig.LogConfig.Config}}', goMapOrder(doc)), '{"max-file":"3","max-size":"1k"}');
});

test('Go field names answer in templates without changing the JSON', () => {
  const server = withGoNames({ ApiVersion: '1.47' }, { APIVersion: 'ApiVersion' });
  assert.equal(render('{{.APIVersion}} {{json .}}', server), '1.47 {"ApiVersion":"1.47"}');
});
