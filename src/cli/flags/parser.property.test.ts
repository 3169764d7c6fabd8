// Property tests: any argv parses against the run/create flag set or fails with FlagError; flag
// values of the declared types come back; positionals after the image stay untouched.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { onlyThrows, params, stringsOr } from '../../util/prop-check.js';
import { FlagError, parseFlags, type FlagSpec } from './parser.js';

// the kinds of flags `run` has (cli/opts may not be imported from here: folder cycle)
const SPECS: FlagSpec[] = [
  { name: 'interactive', short: 'i', type: 'bool' },
  { name: 'tty', short: 't', type: 'bool' },
  { name: 'detach', short: 'd', type: 'bool' },
  { name: 'rm', type: 'bool' },
  { name: 'publish', short: 'p', type: 'list' },
  { name: 'env', short: 'e', type: 'list' },
  { name: 'cpu-shares', short: 'c', type: 'int' },
  { name: 'pids-limit', type: 'int' },
  { name: 'memory', short: 'm', type: 'string' },
  { name: 'name', type: 'string' },
  { name: 'restart', type: 'string', default: 'no' },
];

test('any argv parses or is a FlagError, with values of the declared types', () => {
  const word = stringsOr(
    [
      '-it',
      '-itd',
      '-p',
      '-p80:80',
      '--publish=1:2',
      '-e',
      '-e=A',
      '--rm',
      '--rm=maybe',
      '--cpu-shares',
      '--cpu-shares=x',
      '-m',
      '--',
      '-',
      '--nope',
      '-Z',
      '--name',
      'busybox',
      'sh',
      '-c',
      '--restart=always',
      '--pids-limit=1e3',
      '--pids-limit',
      '99999999999999999999',
    ],
    8,
  );
  fc.assert(
    fc.property(fc.array(word, { maxLength: 10 }), fc.boolean(), (argv, inter) => {
      const p = onlyThrows(() => parseFlags(SPECS, argv, { interspersed: inter }), FlagError);
      if (!p) return;
      for (const s of SPECS) {
        const v: unknown = p.flags[s.name];
        const want =
          s.type === 'list' ? 'object' : s.type === 'int' ? 'number' : s.type === 'bool' ? 'boolean' : 'string';
        assert.equal(typeof v, want, s.name);
        if (s.type === 'int') assert.ok(Number.isSafeInteger(v), `${s.name}=${String(v)}`);
      }
      for (const a of p.args) assert.ok(argv.includes(a) || argv.includes('--'), a);
    }),
    params(1000),
  );
});

test('regression: an int flag past 2^53 is out of range, not silently rounded', () => {
  assert.throws(() => parseFlags(SPECS, ['--cpu-shares', '99999999999999999999']), {
    name: 'FlagError',
    message:
      'invalid argument "99999999999999999999" for "-c, --cpu-shares" flag: strconv.ParseInt: parsing "99999999999999999999": value out of range',
  });
});
