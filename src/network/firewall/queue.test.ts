import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FirewallQueue } from './queue.js';
import type { FwState } from './rules.js';

test('applies requested while one runs share the next run, which reads the state when it starts', async () => {
  let version = 0;
  const applied: number[] = [];
  let release!: () => void;
  let gate = new Promise<void>((r) => (release = r));
  const q = new FirewallQueue(
    {
      apply: async (s: FwState) => {
        applied.push(s.ports.length);
        await gate;
      },
      cleanup: async () => {},
    },
    () => ({
      networks: [],
      ports: Array.from({ length: version }, () => ({
        bridge: 'b',
        proto: 'tcp' as const,
        hostIp: '',
        hostPort: 1,
        containerIp: '',
        containerPort: 1,
      })),
    }),
    () => {},
  );
  version = 1;
  const first = q.apply();
  await new Promise((r) => setImmediate(r)); // the first run has started and waits on the gate
  const waiters: Promise<void>[] = [];
  for (let i = 0; i < 50; i++) {
    version = 2 + i;
    waiters.push(q.apply());
  }
  release();
  gate = Promise.resolve();
  await Promise.all([first, ...waiters]);
  assert.deepEqual(applied, [1, 51], 'one run for the 50 queued callers, with the newest state');
});

test('a failing apply is logged and does not reject (rules are re-applied by the next change)', async () => {
  const warned: string[] = [];
  const q = new FirewallQueue(
    { apply: async () => Promise.reject(new Error('iptables-restore: exit 1')), cleanup: async () => {} },
    () => ({ networks: [], ports: [] }),
    (m) => warned.push(m),
  );
  await q.apply();
  await q.apply();
  assert.deepEqual(warned, ['iptables: iptables-restore: exit 1', 'iptables: iptables-restore: exit 1']);
});
