import assert from 'node:assert/strict';
import { test } from 'node:test';
import { reduceVersions, staleViews, type View } from './events.js';

test('container lifecycle events refresh the container list; execs do not', () => {
  assert.deepEqual(staleViews({ Type: 'container', Action: 'start' }), ['containers', 'system']);
  assert.deepEqual(staleViews({ Type: 'container', Action: 'destroy' }), ['containers', 'system', 'volumes']);
  assert.deepEqual(staleViews({ Type: 'container', Action: 'exec_start: sh' }), []);
  assert.deepEqual(staleViews({ Type: 'container', Action: 'health_status: healthy' }), ['containers']);
  assert.deepEqual(staleViews({ Type: 'network', Action: 'connect' }), ['networks', 'containers']);
  assert.deepEqual(staleViews({ Type: 'image', Action: 'pull' }), ['images', 'system']);
  assert.deepEqual(staleViews({ Type: 'daemon', Action: 'reload' }), []);
});

test('the reducer bumps only stale views and keeps the same object when nothing changed', () => {
  const v: Record<View, number> = { containers: 0, images: 0, networks: 0, volumes: 0, system: 0 };
  const a = reduceVersions(v, { Type: 'volume', Action: 'create' });
  assert.deepEqual(a, { containers: 0, images: 0, networks: 0, volumes: 1, system: 1 });
  assert.equal(reduceVersions(a, { Type: 'container', Action: 'resize' }), a);
});
