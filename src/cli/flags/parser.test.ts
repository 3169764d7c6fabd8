import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseFlags, FlagError, splitLeading, type FlagSpec } from './parser.js';

const run: FlagSpec[] = [
  { name: 'detach', short: 'd', type: 'bool' },
  { name: 'interactive', short: 'i', type: 'bool' },
  { name: 'tty', short: 't', type: 'bool' },
  { name: 'rm', type: 'bool' },
  { name: 'name', type: 'string' },
  { name: 'env', short: 'e', type: 'list' },
  { name: 'publish', short: 'p', type: 'list' },
  { name: 'stop-timeout', type: 'int' },
  { name: 'hostname', short: 'h', type: 'string' },
];

test('bundled shorts, attached and separate values, repeats', () => {
  const p = parseFlags(
    run,
    ['-itd', '-e', 'A=1', '-eB=2', '-e=C=3', '-p80:80', '--name=web', '--rm', 'busybox', 'sh'],
    {
      interspersed: false,
    },
  );
  assert.equal(p.flags.interactive, true);
  assert.equal(p.flags.tty, true);
  assert.equal(p.flags.detach, true);
  assert.deepEqual(p.flags.env, ['A=1', 'B=2', 'C=3']);
  assert.deepEqual(p.flags.publish, ['80:80']);
  assert.equal(p.flags.name, 'web');
  assert.deepEqual(p.args, ['busybox', 'sh']);
  assert.ok(p.set.has('rm') && !p.set.has('stop-timeout'));
});

test('non-interspersed stops at the image; interspersed collects', () => {
  const p = parseFlags(run, ['busybox', 'ls', '-la', '--name', 'x'], { interspersed: false });
  assert.deepEqual(p.args, ['busybox', 'ls', '-la', '--name', 'x']);
  const q = parseFlags(run, ['a', '-d', 'b'], { interspersed: true });
  assert.deepEqual(q.args, ['a', 'b']);
  assert.equal(q.flags.detach, true);
  assert.deepEqual(parseFlags(run, ['--', '-d']).args, ['-d']);
});

test('bool=value, int parsing, errors like pflag', () => {
  assert.equal(parseFlags(run, ['--rm=false']).flags.rm, false);
  assert.equal(parseFlags(run, ['--stop-timeout', '5']).flags['stop-timeout'], 5);
  assert.throws(() => parseFlags(run, ['--nope']), new FlagError('unknown flag: --nope'));
  assert.throws(() => parseFlags(run, ['-z']), new FlagError("unknown shorthand flag: 'z' in -z"));
  assert.throws(() => parseFlags(run, ['--name']), new FlagError('flag needs an argument: --name'));
  assert.throws(() => parseFlags(run, ['-e']), new FlagError("flag needs an argument: 'e' in -e"));
  assert.throws(() => parseFlags(run, ['--stop-timeout', 'x']), /invalid argument "x" for "--stop-timeout" flag/);
});

test('splitLeading: the flags before the command, valued ones with their next word', () => {
  const global: FlagSpec[] = [
    { name: 'host', short: 'H', type: 'list' },
    { name: 'debug', short: 'D', type: 'bool' },
    { name: 'parallel', type: 'int' },
  ];
  assert.deepEqual(splitLeading(global, ['-H', 'unix:///s', '-D', '--parallel', '2', 'ps', '-a']), {
    global: ['-H', 'unix:///s', '-D', '--parallel', '2'],
    rest: ['ps', '-a'],
  });
  assert.deepEqual(splitLeading(global, ['--host=x', '-D', 'run', '-H']), {
    global: ['--host=x', '-D'],
    rest: ['run', '-H'],
  });
  // `--` ends them for docker; compose keeps it with its own flags
  assert.deepEqual(splitLeading(global, ['-D', '--', 'ps'], { dashDashEnds: true }), {
    global: ['-D'],
    rest: ['--', 'ps'],
  });
  assert.deepEqual(splitLeading(global, ['-D', '--', 'ps']), { global: ['-D', '--'], rest: ['ps'] });
});
