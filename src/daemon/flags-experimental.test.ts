// berthd --experimental and daemon.json "experimental", as dockerd: off by default, either turns it on,
// a wrong type is the decoder's error and both at once is dockerd's conflict.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { testDir } from '../util/test-dirs.js';
import { applyConfigFile, parseArgs } from './flags.js';

test('experimental is off by default and on with --experimental', () => {
  assert.equal(parseArgs([]).options.experimental, false);
  assert.equal(parseArgs(['--experimental']).options.experimental, true);
  assert.equal(parseArgs(['--experimental=false']).options.experimental, false);
});

test('daemon.json "experimental": true turns it on; a string is refused; flag and file conflict', async () => {
  const dir = await testDir('berth-flags-exp-');
  const file = (name: string, v: unknown) => {
    const f = join(dir, name);
    writeFileSync(f, JSON.stringify({ experimental: v }));
    return f;
  };
  const on = parseArgs(['--config-file', file('on.json', true)]);
  applyConfigFile(on, true);
  assert.equal(on.options.experimental, true);
  const bad = parseArgs(['--config-file', file('bad.json', 'yes')]);
  assert.throws(
    () => applyConfigFile(bad, true),
    /cannot unmarshal string into Go struct field Config.experimental of type bool/,
  );
  const both = parseArgs(['--experimental', '--config-file', file('both.json', true)]);
  assert.throws(
    () => applyConfigFile(both, true),
    /specified both as a flag and in the configuration file: experimental/,
  );
});
