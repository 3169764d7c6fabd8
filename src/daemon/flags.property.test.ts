// Property tests for berthd's own command line and daemon.json: any argv and any JSON file parse
// to options or fail with an `invalid` EngineError (dockerd's texts), never a TypeError at start.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import { EngineError } from '../errdefs.js';
import { forAll, onlyThrows, stringsOr } from '../util/prop-check.js';
import { testDir } from '../util/test-dirs.js';
import { applyConfigFile, parseArgs } from './flags.js';

test('any berthd argv parses or is an invalid EngineError', () => {
  const arg = stringsOr(
    [
      '-H',
      '--host=unix:///x',
      '-D',
      '--debug',
      '--iptables=maybe',
      '--iptables=false',
      '--log-opt',
      'a=b',
      'nokey',
      '--add-runtime=crun=/bin/crun',
      '-l',
      'trace',
      '--data-root',
      'constructor',
      'toString',
      '--nope',
      '-Gwheel',
      '--',
    ],
    6,
  );
  forAll(fc.array(arg, { maxLength: 8 }), (argv) => onlyThrows(() => parseArgs(argv), EngineError), 1000);
});

test('any daemon.json parses into the options or is an invalid EngineError', async () => {
  const dir = await testDir('berth-prop-daemonjson-');
  const KEYS = [
    'hosts',
    'data-root',
    'debug',
    'log-opts',
    'runtimes',
    'default-address-pools',
    'iptables',
    'insecure-registries',
    'log-level',
    'bogus',
    'constructor',
  ];
  const doc = fc.oneof(
    fc.dictionary(fc.constantFrom(...KEYS), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 }),
    fc.jsonValue({ maxDepth: 1 }),
  );
  let n = 0;
  forAll(
    doc,
    (d) => {
      const file = join(dir, `daemon-${n++}.json`);
      writeFileSync(file, JSON.stringify(d) ?? '');
      const p = parseArgs(['--config-file', file]);
      const ok = onlyThrows(() => (applyConfigFile(p, true), true), EngineError);
      if (ok) {
        for (const h of p.options.hosts) assert.equal(typeof h, 'string');
        for (const v of Object.values(p.options.logOpts)) assert.equal(typeof v, 'string');
        for (const v of Object.values(p.options.runtimes)) assert.equal(typeof v, 'string');
      }
    },
    500,
  );
});

test('regression: wrong daemon.json types are dockerd\'s decoder errors, and "constructor" is not a flag', async () => {
  const file = join(await testDir('berth-prop-daemonjson-'), 'daemon.json');
  writeFileSync(file, '{"default-address-pools": 5}');
  assert.throws(() => applyConfigFile(parseArgs(['--config-file', file]), true), {
    message: `unable to configure the daemon with file ${file}: json: cannot unmarshal number into Go struct field Config.default-address-pools of type []*ipamutils.NetworkToSplit`,
  });
  writeFileSync(file, '[1]');
  assert.throws(() => applyConfigFile(parseArgs(['--config-file', file]), true), {
    message: /cannot unmarshal array into Go value of type map\[string\]interface \{\}/,
  });
  writeFileSync(file, 'null');
  applyConfigFile(parseArgs(['--config-file', file]), true); // Go reads null as no settings
  assert.throws(() => parseArgs(['constructor', 'x']), { message: "unknown flag: constructor\nSee 'berthd --help'." });
});
