import assert from 'node:assert/strict';
import { test } from 'node:test';
import { NdjsonSplitter } from './ndjson.js';

test('objects split across chunks are parsed once whole; junk lines are skipped', () => {
  const s = new NdjsonSplitter<{ a: number }>();
  const enc = new TextEncoder();
  assert.deepEqual(s.push(enc.encode('{"a":1}\n{"a"')), [{ a: 1 }]);
  assert.deepEqual(s.push(enc.encode(':2}\nnot json\n\n{"a":3}\n')), [{ a: 2 }, { a: 3 }]);
});
