import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseEnv } from '../opts/run-opts.js';
import { overrideEnv } from './run.js';

test('compose run -e: KEY=v replaces the service value; KEY alone comes from the caller, dropped when unset', () => {
  const service = ['A=1', 'B=2', 'PATH=/bin'];
  const flags = parseEnv(['A=9', 'FROM_SHELL', 'UNSET_HERE'], [], { FROM_SHELL: 'x' });
  assert.deepEqual(flags, ['A=9', 'FROM_SHELL=x']);
  assert.deepEqual(overrideEnv(service, flags), ['B=2', 'PATH=/bin', 'A=9', 'FROM_SHELL=x']);
  // an entry without '=' in the service (Docker keeps those) is replaced by key too
  assert.deepEqual(overrideEnv(['K', 'L=1'], ['K=2']), ['L=1', 'K=2']);
});
