import assert from 'node:assert/strict';
import { test } from 'node:test';
import { expandWord, expandWords } from './expand.js';

const env = new Map([
  ['V', 'x'],
  ['E', ''],
  ['P', 'a b'],
]);

test('plain variables and braces', () => {
  assert.equal(expandWord('$V/${V}_$NOPE.', env), 'x/x_.');
  assert.equal(expandWord('$', env), '$');
});

test('modifiers :- - :+ + with set, empty and unset variables', () => {
  assert.equal(expandWord('${NOPE:-d}', env), 'd');
  assert.equal(expandWord('${E:-d}', env), 'd');
  assert.equal(expandWord('${E-d}', env), '');
  assert.equal(expandWord('${V:-d}', env), 'x');
  assert.equal(expandWord('${V:+set}', env), 'set');
  assert.equal(expandWord('${E:+set}', env), '');
  assert.equal(expandWord('${E+set}', env), 'set');
  assert.equal(expandWord('${NOPE:-$V-nested}', env), 'x-nested');
  assert.throws(() => expandWord('${NOPE:?must be set}', env), /NOPE: must be set/);
});

test('quotes and escapes', () => {
  assert.equal(expandWord(`'$V' "$V" \\$V`, env), '$V x $V');
  assert.equal(expandWord('"a \\" b"', env), 'a " b');
  assert.equal(expandWord('a`$V', env, '`'), 'a$V');
  assert.throws(() => expandWord('"open', env), /double-quote/);
});

test('word splitting keeps quoted spaces and does not re-split expansions', () => {
  assert.deepEqual(expandWords(`80 "a b"  $P`, env), ['80', 'a b', 'a b']);
  assert.deepEqual(expandWords('', env), []);
});
