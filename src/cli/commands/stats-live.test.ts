import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { test } from 'node:test';
import type { Client } from '../../client/client.js';
import type { ContainerStats } from '../../client/types.js';
import { LiveStats, statsFrame } from './stats-live.js';

test('frame: home, the table, the table again with erase-line ends, erase below (docker 28 bytes)', () => {
  assert.equal(statsFrame('A\nb\n'), '\x1b[HA\nb\n\x1b[HA \x1b[K\nb \x1b[K\n \x1b[K\n\x1b[J');
});

test('live stats follow events: start adds a container, die drops it (without -a)', async () => {
  const events = new PassThrough();
  const streams = new Map<string, PassThrough>();
  const fake = {
    async stream(_m: string, path: string) {
      if (path === '/events') return events;
      const id = path.split('/')[2];
      const s = new PassThrough();
      streams.set(id, s);
      return s;
    },
    async containerList() {
      return [{ Id: `${'a'.repeat(12)}ffff` }];
    },
  } as unknown as Client;
  const live = new LiveStats(fake, {
    refs: [],
    all: false,
    filters: [],
    render: (rows) => rows.map((r) => r.Name).join(','),
    row: (ref, s) => ({ Name: `${ref}:${s.name}` }),
  });
  const sample = (id: string, name: string) =>
    streams.get(id)?.write(`${JSON.stringify({ name } as Partial<ContainerStats>)}\n`);
  const begun = live.begin();
  await new Promise((r) => setImmediate(r));
  await new Promise((r) => setImmediate(r));
  sample('a'.repeat(12), 'one');
  await begun;
  assert.equal(live.table(), 'aaaaaaaaaaaa:one');
  events.write(`${JSON.stringify({ Action: 'start', Actor: { ID: `${'b'.repeat(12)}00` } })}\n`);
  for (let i = 0; i < 5 && !streams.has('b'.repeat(12)); i++) await new Promise((r) => setImmediate(r));
  sample('b'.repeat(12), 'two');
  for (let i = 0; i < 5 && live.table().split(',').length < 2; i++) await new Promise((r) => setImmediate(r));
  assert.equal(live.table(), 'aaaaaaaaaaaa:one,bbbbbbbbbbbb:two');
  events.write(`${JSON.stringify({ Action: 'die', Actor: { ID: 'a'.repeat(12) } })}\n`);
  for (let i = 0; i < 5 && live.size > 1; i++) await new Promise((r) => setImmediate(r));
  assert.equal(live.table(), 'bbbbbbbbbbbb:two');
  live.stop();
});
