import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { applyConfigFile, parseArgs } from './flags.js';

test('--web is off by default and takes host:port from the flag or daemon.json', (t) => {
  assert.equal(parseArgs([]).options.web, '');
  assert.equal(parseArgs(['--web', '127.0.0.1:9080']).options.web, '127.0.0.1:9080');
  assert.equal(parseArgs(['--web=[::1]:9080']).options.web, '[::1]:9080');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-flags-web-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'daemon.json');
  fs.writeFileSync(file, JSON.stringify({ web: '127.0.0.1:9081' }));
  const p = parseArgs(['--config-file', file]);
  applyConfigFile(p, true);
  assert.equal(p.options.web, '127.0.0.1:9081');
  fs.writeFileSync(file, JSON.stringify({ web: 9081 }));
  const bad = parseArgs(['--config-file', file]);
  assert.throws(() => applyConfigFile(bad, true), /Config\.web of type string/);
  fs.writeFileSync(file, JSON.stringify({ web: '127.0.0.1:9081' }));
  const both = parseArgs(['--config-file', file, '--web', '127.0.0.1:1']);
  assert.throws(() => applyConfigFile(both, true), /specified both as a flag and in the configuration file: web/);
});
