import { it } from 'node:test';
import assert from 'node:assert/strict';
import { interpolate, interpolateTree, InterpolationError } from './interpolate.js';
import { parseDotEnv } from './dotenv.js';
import { shlexSplit } from './shlex.js';
import { parseBytes, parseDuration } from './units.js';

const env = { A: 'a', E: '' };

it('expands the Compose variable forms', () => {
  assert.equal(interpolate('$A ${A} x${A}y', env), 'a a xay');
  assert.equal(interpolate('${E:-d} ${E-d} ${U:-d} ${U-d}', env), 'd  d d');
  assert.equal(interpolate('${A:+r} ${E:+r} ${E+r} ${U+r}', env), 'r  r ');
  assert.equal(interpolate('$$A $$$A cost $5', env), '$A $a cost $5');
  assert.equal(interpolate('${U:-${A}-x}', env), 'a-x');
});

it('required variables fail with the location', () => {
  assert.throws(
    () => interpolate('${U:?set U}', env, 'f.yml: services.web.image: '),
    (e: Error) =>
      e instanceof InterpolationError &&
      e.message === 'f.yml: services.web.image: required variable U is missing a value: set U',
  );
  assert.equal(interpolate('${E?x}', env), '');
  assert.throws(() => interpolate('${A', env), /invalid interpolation format/);
});

it('interpolates values of a whole tree but not keys', () => {
  assert.deepEqual(interpolateTree({ $A: ['${A}', 1, null, { k: '${U:-z}' }] }, env, 'f'), {
    $A: ['a', 1, null, { k: 'z' }],
  });
});

it('parses .env files', () => {
  const t = '# c\nexport X=1\nY=\'a b\' \nZ="q\\nr"\nW=v # comment\nLOOK\nEMPTY=\n';
  assert.deepEqual(parseDotEnv(t, { LOOK: 'up' }), { X: '1', Y: 'a b', Z: 'q\nr', W: 'v', LOOK: 'up', EMPTY: '' });
});

it('splits commands like a shell', () => {
  assert.deepEqual(shlexSplit(`sh -c 'echo "hi $x"; sleep 1'`), ['sh', '-c', 'echo "hi $x"; sleep 1']);
  assert.deepEqual(shlexSplit(`a "b c" d\\ e ''`), ['a', 'b c', 'd e', '']);
  assert.throws(() => shlexSplit(`a 'b`), /No closing quotation/);
});

it('parses durations and sizes', () => {
  assert.equal(parseDuration('1m30s', 'x'), 90e9);
  assert.equal(parseDuration('500ms', 'x'), 5e8);
  assert.equal(parseDuration(2, 'x'), 2e9);
  assert.throws(
    () => parseDuration('soon', 'services.a.healthcheck.interval'),
    /services.a.healthcheck.interval: invalid duration/,
  );
  assert.equal(parseBytes('64m', 'x'), 64 * 1024 * 1024);
  assert.equal(parseBytes('1gb', 'x'), 1024 ** 3);
  assert.equal(parseBytes(1000, 'x'), 1000);
  // go-units' RAMInBytes, as compose-go: truncated, p and kib/mib units
  assert.equal(parseBytes('1.5k', 'x'), 1536);
  assert.equal(parseBytes('0.7b', 'x'), 0);
  assert.equal(parseBytes('1p', 'x'), 1024 ** 5);
  assert.equal(parseBytes('2kib', 'x'), 2048);
  assert.throws(() => parseBytes('12q', 'services.a.mem_limit'), /services.a.mem_limit: invalid size "12q"/);
});
