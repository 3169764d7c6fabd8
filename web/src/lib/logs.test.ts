import assert from 'node:assert/strict';
import { test } from 'node:test';
import { appendLines, filterLines, splitTimestamp } from './logs.js';

test('timestamps are split off the text', () => {
  assert.deepEqual(splitTimestamp('2024-01-02T03:04:05.123456789Z hello world'), {
    time: '2024-01-02T03:04:05.123456789Z',
    text: 'hello world',
  });
  assert.deepEqual(splitTimestamp('no time'), { time: '', text: 'no time' });
});

test('lines are numbered on, bounded to the newest', () => {
  let b = appendLines([], 'stdout', ['a', 'b'], 3);
  b = appendLines(b, 'stderr', ['c', 'd'], 3);
  assert.deepEqual(
    b.map((l) => [l.n, l.stream, l.text]),
    [
      [2, 'stdout', 'b'],
      [3, 'stderr', 'c'],
      [4, 'stderr', 'd'],
    ],
  );
});

test('search: text case-insensitive, /re/ as a regular expression, a bad one shows all', () => {
  const b = appendLines([], 'stdout', ['GET /a 200', 'GET /b 500', 'post /c 200']);
  assert.deepEqual(
    filterLines(b, 'get').map((l) => l.text),
    ['GET /a 200', 'GET /b 500'],
  );
  assert.deepEqual(
    filterLines(b, '/ 5\\d\\d$/').map((l) => l.text),
    ['GET /b 500'],
  );
  assert.equal(filterLines(b, '/(/').length, 3);
  assert.equal(filterLines(b, '').length, 3);
});
