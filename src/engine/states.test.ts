// The container state table.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EngineError } from '../errdefs.js';
import { assertTransition, canTransition, isRunningish } from './states.js';
import type { Status } from './types.js';

const all: Status[] = ['created', 'running', 'paused', 'restarting', 'removing', 'exited', 'dead'];

test('the lifecycle paths Docker takes are legal', () => {
  const paths: Array<[Status, Status]> = [
    ['created', 'running'],
    ['running', 'paused'],
    ['paused', 'running'],
    ['running', 'exited'],
    ['exited', 'running'],
    ['running', 'restarting'],
    ['restarting', 'running'],
    ['exited', 'removing'],
    ['created', 'removing'],
    ['removing', 'dead'],
    ['dead', 'removing'],
    ['paused', 'exited'],
  ];
  for (const [a, b] of paths) assert.ok(canTransition(a, b), `${a} → ${b}`);
  for (const s of all) assert.ok(canTransition(s, s), `${s} → itself`);
});

test('illegal transitions are refused with a conflict', () => {
  for (const [a, b] of [
    ['dead', 'running'],
    ['exited', 'paused'],
    ['created', 'paused'],
    ['dead', 'exited'],
  ] as Array<[Status, Status]>) {
    assert.equal(canTransition(a, b), false, `${a} → ${b}`);
    assert.throws(
      () => assertTransition(a, b),
      (e: unknown) =>
        e instanceof EngineError &&
        e.kind === 'conflict' &&
        e.message === `cannot change container state from ${a} to ${b}`,
    );
  }
  assert.doesNotThrow(() => assertTransition('created', 'running'));
});

test('every state can eventually be removed (no dead ends)', () => {
  for (const s of all) {
    const seen = new Set<Status>([s]);
    const queue = [s];
    while (queue.length) {
      const from = queue.shift()!;
      for (const t of all)
        if (canTransition(from, t) && !seen.has(t)) {
          seen.add(t);
          queue.push(t);
        }
    }
    assert.ok(seen.has('removing'), s);
  }
});

test('isRunningish: running, paused and restarting only', () => {
  assert.deepEqual(all.filter(isRunningish), ['running', 'paused', 'restarting']);
});
