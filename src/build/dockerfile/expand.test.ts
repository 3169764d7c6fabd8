import assert from 'node:assert/strict';
import { test } from 'node:test';
import { expandWord, expandWords } from './expand.js';

const env = new Map([
  ['V', 'x'],
  ['E', ''],
  ['P', 'a b'],
]);

/** Each word expands to its value (the word names the failing case). */
function expandsTo(cases: Record<string, string>): void {
  for (const [word, want] of Object.entries(cases)) assert.equal(expandWord(word, env), want, word);
}

test('plain variables and braces', () => {
  expandsTo({ '$V/${V}_$NOPE.': 'x/x_.', $: '$' });
});

test('modifiers :- - :+ + with set, empty and unset variables', () => {
  expandsTo({
    '${NOPE:-d}': 'd',
    '${E:-d}': 'd',
    '${E-d}': '',
    '${V:-d}': 'x',
    '${V:+set}': 'set',
    '${E:+set}': '',
    '${E+set}': 'set',
    '${NOPE:-$V-nested}': 'x-nested',
  });
  assert.throws(() => expandWord('${NOPE:?must be set}', env), /NOPE: must be set/);
});

test('quotes and escapes', () => {
  expandsTo({ [`'$V' "$V" \\$V`]: '$V x $V', '"a \\" b"': 'a " b' });
  assert.equal(expandWord('a`$V', env, '`'), 'a$V');
  assert.throws(() => expandWord('"open', env), /double-quote/);
});

test("a modifier's word reads quotes, escapes and expansions like an unquoted word, up to its }", () => {
  expandsTo({ [`\${NOPE:-a\\}'$V "}'"$V"\\q}`]: `a}$V "}xq`, [`\${V:+'$V'$V}`]: '$Vx' });
  assert.throws(() => expandWord('${NOPE:-a\\', env), /missing '}'/);
});

test('word splitting keeps quoted spaces and does not re-split expansions', () => {
  assert.deepEqual(expandWords(`80 "a b"  $P`, env), ['80', 'a b', 'a b']);
  assert.deepEqual(expandWords('', env), []);
});
