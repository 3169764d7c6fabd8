import assert from 'node:assert/strict';
import { test } from 'node:test';
import { emptyContainerConfig } from '../../images/types.js';
import { cacheKey } from './builder.js';

test('cache key: same run config matches, env/cmd changes do not; empty == null', () => {
  const a = { ...emptyContainerConfig(), Cmd: ['/bin/sh', '-c', 'echo'], Env: ['A=1'], Labels: {} };
  const b = {
    ...emptyContainerConfig(),
    Cmd: ['/bin/sh', '-c', 'echo'],
    Env: ['A=1'],
    Labels: null,
    Hostname: 'other',
    Image: 'sha256:x',
  };
  assert.equal(cacheKey(a), cacheKey(b));
  assert.notEqual(cacheKey(a), cacheKey({ ...a, Env: ['A=2'] }));
  assert.notEqual(cacheKey(a), cacheKey({ ...a, Cmd: ['|1', 'V=2', '/bin/sh', '-c', 'echo'] }));
  assert.notEqual(cacheKey(a), cacheKey({ ...a, WorkingDir: '/app' }));
});
