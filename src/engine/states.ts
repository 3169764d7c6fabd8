// One transition table for container states (Docker's names); every mutation checks it.
import { EngineError } from '../errdefs.js';
import { ZERO_TIME } from '../util/time.js';
import type { ContainerState, Status } from './types.js';

const table: Record<Status, readonly Status[]> = {
  created: ['running', 'removing', 'exited', 'dead'],
  running: ['paused', 'exited', 'restarting', 'removing', 'dead'],
  paused: ['running', 'exited', 'restarting', 'removing', 'dead'],
  restarting: ['running', 'exited', 'removing', 'dead'],
  exited: ['running', 'restarting', 'removing', 'dead'],
  // a failed removal returns to where it was (moby's ResetRemovalInProgress)
  removing: ['dead', 'exited', 'created', 'running', 'paused', 'restarting'],
  dead: ['removing'],
};

export function canTransition(from: Status, to: Status): boolean {
  return from === to || table[from].includes(to);
}

export function assertTransition(from: Status, to: Status): void {
  if (!canTransition(from, to))
    throw new EngineError('conflict', `cannot change container state from ${from} to ${to}`);
}

/** podman's ensureState: err unless the container is in one of `states` (one line per guard). */
export function ensureState(
  rec: { id: string; state: { status: Status } },
  states: readonly Status[],
  err: (id: string) => Error,
): void {
  if (!states.includes(rec.state.status)) throw err(rec.id);
}

/** The converse guard: err when the container is in one of `states`. */
export function ensureNotState(
  rec: { id: string; state: { status: Status } },
  states: readonly Status[],
  err: (id: string) => Error,
): void {
  if (states.includes(rec.state.status)) throw err(rec.id);
}

export const isRunningish = (s: Status) => s === 'running' || s === 'paused' || s === 'restarting';

/** A new container's state: created, never started (moby's NewState). */
export function createdState(): ContainerState {
  return {
    status: 'created',
    pid: 0,
    exitCode: 0,
    error: '',
    startedAt: ZERO_TIME,
    finishedAt: ZERO_TIME,
    oomKilled: false,
  };
}
