// Docker's `filters` parameter.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EngineError } from '../errdefs.js';
import { matchLabels, matchRegexp, parseFilters } from './filters.js';

const bad = (raw: string, message: string) =>
  assert.throws(
    () => parseFilters(raw, ['name', 'label']),
    (e: unknown) => e instanceof EngineError && e.kind === 'invalid' && e.message === message,
  );

test('parses the list form and the legacy map form', () => {
  assert.deepEqual(parseFilters(null, ['name']), new Map());
  assert.deepEqual(parseFilters('', ['name']), new Map());
  assert.deepEqual([...parseFilters('{"name":["a","b"]}', ['name'])], [['name', ['a', 'b']]]);
  assert.deepEqual([...parseFilters('{"label":{"x=1":true,"y":false}}', ['label'])], [['label', ['x=1']]]);
});

test('unknown keys and malformed JSON are 400 with Docker texts', () => {
  bad('{"color":["red"]}', "invalid filter 'color'");
  bad('{nope', 'invalid filter: {nope');
  bad('[1]', 'invalid filter: [1]');
  bad('{"name":"web"}', 'invalid filter: {"name":"web"}');
});

test('label filters: key presence or key=value, all must match', () => {
  const f = parseFilters('{"label":["a","b=2"]}', ['label']);
  assert.ok(matchLabels(f, 'label', { a: '', b: '2' }));
  assert.equal(matchLabels(f, 'label', { a: 'x', b: '3' }), false);
  assert.equal(matchLabels(f, 'label', { b: '2' }), false);
  assert.equal(matchLabels(f, 'label', null), false);
  assert.ok(matchLabels(new Map(), 'label', null), 'no filter matches everything');
  assert.ok(matchLabels(parseFilters('{"label":["k=a=b"]}', ['label']), 'label', { k: 'a=b' }), 'value may contain =');
});

test('regexp filters: any value matches, unanchored; invalid patterns fall back to substring', () => {
  const f = parseFilters('{"name":["^web","db$"]}', ['name']);
  assert.ok(matchRegexp(f, 'name', 'web1'));
  assert.ok(matchRegexp(f, 'name', 'mydb'));
  assert.equal(matchRegexp(f, 'name', 'api'), false);
  assert.ok(matchRegexp(parseFilters('{"name":["eb"]}', ['name']), 'name', 'web'));
  assert.ok(matchRegexp(parseFilters('{"name":["a(b"]}', ['name']), 'name', 'xa(bx'));
  assert.ok(matchRegexp(new Map(), 'name', 'anything'));
});
