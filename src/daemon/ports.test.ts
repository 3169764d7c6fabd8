import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ContainerStore } from '../engine/store.js';
import type { ContainerRecord } from '../engine/types.js';
import { detachMatcher, imageUsers, volumeUsers } from './ports.js';

const rec = (id: string, image: string, status: string, vols: string[] = []) =>
  ({
    id,
    image,
    state: { status },
    mounts: vols.map((Name) => ({ Type: 'volume', Name })),
  }) as unknown as ContainerRecord;
const store = (recs: ContainerRecord[]) => ({ all: () => recs }) as unknown as ContainerStore;

test('imageUsers: the containers of an image and whether they run (restarting and paused count)', () => {
  const s = store([
    rec('a', 'sha256:i', 'running'),
    rec('b', 'sha256:i', 'exited'),
    rec('c', 'sha256:j', 'running'),
    rec('d', 'sha256:i', 'paused'),
  ]);
  assert.deepEqual(imageUsers(s)('sha256:i'), [
    { id: 'a', running: true },
    { id: 'b', running: false },
    { id: 'd', running: true },
  ]);
  assert.deepEqual(imageUsers(s)('sha256:none'), []);
});

test('volumeUsers: containers with the named volume mounted', () => {
  const s = store([
    rec('a', 'i', 'running', ['data']),
    rec('b', 'i', 'exited', ['data', 'logs']),
    rec('c', 'i', 'exited'),
  ]);
  assert.deepEqual(volumeUsers(s)('data'), ['a', 'b']);
  assert.deepEqual(volumeUsers(s)('logs'), ['b']);
});

test('detachMatcher: ctrl-p ctrl-q by default, custom keys when given', () => {
  const m = detachMatcher(null);
  assert.deepEqual(m(Buffer.from('ab')), { pass: Buffer.from('ab'), detached: false });
  assert.equal(m(Buffer.from([0x10, 0x11])).detached, true);
  const x = detachMatcher(Buffer.from([0x18]));
  assert.equal(x(Buffer.from([0x18])).detached, true);
});
