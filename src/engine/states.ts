// One transition table for container states (Docker's names); every mutation checks it.
import { EngineError } from '../errdefs.js';
import type { Status } from './types.js';

const table: Record<Status, readonly Status[]> = {
  created: ['running', 'removing', 'exited', 'dead'],
  running: ['paused', 'exited', 'restarting', 'removing', 'dead'],
  paused: ['running', 'exited', 'removing', 'dead'],
  restarting: ['running', 'exited', 'removing', 'dead'],
  exited: ['running', 'restarting', 'removing', 'dead'],
  removing: ['dead', 'exited', 'created'],
  dead: ['removing'],
};

export function canTransition(from: Status, to: Status): boolean {
  return from === to || table[from].includes(to);
}

export function assertTransition(from: Status, to: Status): void {
  if (!canTransition(from, to)) throw new EngineError('conflict', `cannot change container state from ${from} to ${to}`);
}

export const isRunningish = (s: Status) => s === 'running' || s === 'paused' || s === 'restarting';
