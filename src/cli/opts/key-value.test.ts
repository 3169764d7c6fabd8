import assert from 'node:assert/strict';
import { test } from 'node:test';
import { keyValue, keyValueMap } from './key-value.js';

test('keyValue splits at the first separator; a bare key has an empty value', () => {
  assert.deepEqual(keyValue('a=b=c'), ['a', 'b=c']);
  assert.deepEqual(keyValue('bare'), ['bare', '']);
  assert.deepEqual(keyValue('=v'), ['', 'v']);
  assert.deepEqual(keyValue('/run:size=1m,mode=1777', ':'), ['/run', 'size=1m,mode=1777']);
});

test('keyValueMap keeps order and the last value of a repeated key', () => {
  const m = keyValueMap(['b=1', 'a', 'b=2']);
  assert.deepEqual(m, { b: '2', a: '' });
  assert.deepEqual(Object.keys(m), ['b', 'a']);
});
