import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolveSocketPath, DEFAULT_SOCKET } from './docker-host.js';

test('-H beats DOCKER_HOST beats the default', () => {
  assert.equal(resolveSocketPath(undefined, {}), DEFAULT_SOCKET);
  assert.equal(resolveSocketPath(undefined, { DOCKER_HOST: 'unix:///tmp/d.sock' }), '/tmp/d.sock');
  assert.equal(resolveSocketPath('unix:///a.sock', { DOCKER_HOST: 'unix:///tmp/d.sock' }), '/a.sock');
  assert.throws(() => resolveSocketPath('tcp://1.2.3.4:2375', {}), /unsupported host/);
});
