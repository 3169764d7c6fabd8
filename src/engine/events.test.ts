// The event bus's message shape: moby's Message with its deprecated status/id/from for container
// and image events, omitted when empty (omitempty), and the replay of past events by time.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Events } from './events.js';

test('container and image events carry status, id and from; an actorless prune has no id', () => {
  const ev = new Events();
  ev.emit('container', 'start', 'c1', { image: 'busybox', name: 'web' });
  ev.emit('image', 'prune', '', { reclaimed: '0' });
  ev.emit('network', 'create', 'n1', { name: 'net', type: 'bridge' });
  const [start, prune, net] = ev.since(0n).map((e) => JSON.parse(JSON.stringify(e)) as Record<string, unknown>);
  assert.deepEqual([start!.status, start!.id, start!.from], ['start', 'c1', 'busybox']);
  assert.equal(prune!.status, 'prune');
  assert.equal('id' in prune!, false);
  assert.deepEqual(
    ['status' in net!, 'id' in net!, net!.Type, (net!.Actor as { ID: string }).ID],
    [false, false, 'network', 'n1'],
  );
});
