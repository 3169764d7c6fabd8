// eventMatcher against moby's daemon/events Filter.Include: prefix matches on ID and name= for every
// name filter, images by ID or name with and without their tag, fuzzy event= for exec/health.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { EngineEvent } from '../../engine/events.js';
import { parseFilters } from '../filters.js';
import { eventMatcher } from './events.js';

const ev = (Type: EngineEvent['Type'], Action: string, ID: string, Attributes: Record<string, string> = {}) =>
  ({ Type, Action, Actor: { ID, Attributes }, scope: 'local', time: 1, timeNano: 1 }) as EngineEvent;
const matches = (filters: Record<string, string[]>, e: EngineEvent) =>
  eventMatcher(parseFilters(JSON.stringify(filters), Object.keys(filters)))(e);

const cid = 'c0ffee'.padEnd(64, '0');
const web = ev('container', 'start', cid, { name: 'web', image: 'busybox', tier: 'front' });
const tagged = ev('image', 'tag', 'sha256:' + 'a'.repeat(64), { name: 'me/app:1', maintainer: 'x' });
const pulled = ev('image', 'pull', 'registry.local:5000/me/app:2', { name: 'registry.local:5000/me/app' });
const netConnect = ev('network', 'connect', 'f'.repeat(64), { container: cid, name: 'backend', type: 'bridge' });

test('image=: an image event by ID, name or name without tag; a container by its image', () => {
  assert.ok(matches({ image: ['me/app'] }, tagged));
  assert.ok(matches({ image: ['me/app:1'] }, tagged));
  assert.ok(matches({ image: [tagged.Actor.ID] }, tagged));
  assert.ok(!matches({ image: ['me/app:2'] }, tagged));
  assert.ok(matches({ image: ['registry.local:5000/me/app'] }, pulled), 'pull: the actor is the reference');
  assert.ok(matches({ image: ['busybox'] }, web));
  assert.ok(!matches({ image: ['me/app'] }, web));
  assert.ok(!matches({ image: ['busybox'] }, netConnect), 'a network event has no image');
});

test('container=, network=, volume=: a prefix of the actor ID or of its name, whatever the type (moby)', () => {
  assert.ok(matches({ container: ['we'] }, web), 'name prefix');
  assert.ok(matches({ container: ['c0ffee'] }, web), 'ID prefix');
  assert.ok(!matches({ container: ['db'] }, web));
  assert.ok(matches({ network: ['back'] }, netConnect));
  assert.ok(!matches({ network: ['front'] }, netConnect));
  assert.ok(!matches({ network: ['backend'] }, web), 'a container event passes network= only by its own name');
  assert.ok(!matches({ volume: ['data'] }, tagged));
  assert.ok(matches({ container: [] }, web), 'a key without values filters nothing');
});

test('event=: exact, or by prefix once exec_create/exec_start/health_status is asked', () => {
  const exec = ev('container', 'exec_start: sh -c true', cid, { name: 'web', execID: 'e1' });
  assert.ok(matches({ event: ['exec_start'] }, exec));
  assert.ok(!matches({ event: ['exec_die'] }, exec));
  assert.ok(matches({ event: ['start'] }, web));
  assert.ok(!matches({ event: ['sta'] }, web), 'no prefix match for other actions');
  assert.ok(matches({ event: ['connect'], type: ['network'] }, netConnect));
  assert.ok(!matches({ type: ['image'] }, netConnect));
});

test('label=: every label asked, key alone or key=value', () => {
  assert.ok(matches({ label: ['tier=front'] }, web));
  assert.ok(matches({ label: ['tier'] }, web));
  assert.ok(!matches({ label: ['tier=front', 'env'] }, web));
  assert.ok(matches({ label: ['maintainer=x'] }, tagged), 'image events carry the image labels');
});
