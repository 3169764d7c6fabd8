// Property tests: any `filters` query value yields a Filters map or an `invalid` EngineError, and
// the matchers never throw on what parseFilters accepted.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { invalidOnly, near, params } from '../util/prop-check.js';
import { matchLabels, matchRegexp, parseFilters } from './filters.js';
import { qfilters } from './router.js';

const KEYS = ['name', 'label', 'status', 'id'];

// JSON documents shaped like filters (list and legacy map forms) and any other JSON value
const filterDoc = fc.oneof(
  fc.dictionary(
    fc.constantFrom(...KEYS, 'color', '__proto__', 'constructor'),
    fc.oneof(fc.array(fc.jsonValue()), fc.dictionary(fc.string(), fc.jsonValue()), fc.jsonValue()),
  ),
  fc.jsonValue(),
);
const raw = fc.oneof(
  filterDoc.map((d) => JSON.stringify(d)),
  near('{}[]":,=label truefalse\\'),
);

function checkAll(s: string): void {
  const f = invalidOnly(() => parseFilters(s, KEYS));
  if (f) {
    for (const [k, vals] of f) {
      assert.ok(KEYS.includes(k));
      for (const v of vals) assert.equal(typeof v, 'string');
      matchLabels(f, k, { a: 'b' });
      matchRegexp(f, k, 'web-1');
    }
  }
  const q = qfilters(new URLSearchParams({ filters: s }));
  for (const vals of q.values()) for (const v of vals) assert.equal(typeof v, 'string');
}

test('any filters value parses to string lists or is an invalid EngineError', () => {
  fc.assert(fc.property(raw, checkAll), params(1000));
});

test('accepted list-form filters keep every value, in order', () => {
  fc.assert(
    fc.property(fc.dictionary(fc.constantFrom(...KEYS), fc.array(fc.string())), (d) => {
      const f = parseFilters(JSON.stringify(d), KEYS);
      assert.deepEqual(f, new Map(Object.entries(d)));
    }),
    params(),
  );
});

const deep = (n: number) => '['.repeat(n) + ']'.repeat(n);

test('regression: a deeply nested array value is an invalid filter, not a stack overflow', () => {
  for (const s of [`{"name":${deep(100_000)}}`, `{"name":[${deep(100_000)}]}`, `{"label":{"a":${deep(50_000)}}}`]) {
    checkAll(s);
    assert.throws(() => parseFilters(s, KEYS), { message: `invalid filter: ${s}` });
    assert.ok(![...qfilters(new URLSearchParams({ filters: s })).values()].some((v) => v.length), 'qfilters drops it');
  }
});

test('values follow Go: strings in lists, booleans in maps, null as the zero value', () => {
  assert.deepEqual(
    parseFilters('{"name":null,"label":{"a":true,"b":false,"c":null}}', KEYS),
    new Map([
      ['name', []],
      ['label', ['a']],
    ]),
  );
  assert.deepEqual(parseFilters('{"name":["a",null]}', KEYS), new Map([['name', ['a', '']]]));
  for (const s of ['{"name":[1]}', '{"name":[true]}', '{"label":{"a":"yes"}}', '{"name":7}'])
    assert.throws(() => parseFilters(s, KEYS), { message: `invalid filter: ${s}` });
});

test('regression: a catastrophic regexp is matched in linear time, as Go does', () => {
  // each of these takes V8's backtracking engine longer than the age of the universe
  const f = parseFilters('{"name":["(a+)+$","(x|x)+y"]}', ['name']);
  assert.equal(matchRegexp(f, 'name', 'a'.repeat(64) + '!'), false);
  assert.equal(matchRegexp(f, 'name', 'x'.repeat(64)), false);
  assert.equal(matchRegexp(f, 'name', 'a'.repeat(64)), true);
  // backreferences: not RE2 either, so the pattern is taken as a plain substring
  const g = parseFilters('{"name":["(a+)+\\\\1$"]}', ['name']);
  assert.equal(matchRegexp(g, 'name', 'a'.repeat(64) + '!'), false);
  assert.equal(matchRegexp(g, 'name', 'x(a+)+\\1$'), true);
});
