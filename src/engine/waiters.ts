// `docker wait`: clients waiting for a container's next exit or its removal.
import { EngineError } from '../errdefs.js';
import type { ContainerRecord } from './types.js';

export type WaitCondition = 'not-running' | 'next-exit' | 'removed';
export const WAIT_CONDITIONS: readonly string[] = ['not-running', 'next-exit', 'removed'];

export interface WaitResult {
  code: number;
  error?: string;
}

interface Waiter {
  condition: WaitCondition;
  resolve: (r: WaitResult) => void;
}

export class Waiters {
  private readonly byId = new Map<string, Waiter[]>();

  /** Resolves at the container's next exit (or removal, for 'removed'); rejects when the client leaves. */
  add(id: string, condition: WaitCondition, signal: AbortSignal): Promise<WaitResult> {
    return new Promise<WaitResult>((resolve, reject) => {
      const list = this.byId.get(id) ?? [];
      const w: Waiter = { condition, resolve };
      list.push(w);
      this.byId.set(id, list);
      signal.addEventListener('abort', () => {
        const l = this.byId.get(id);
        if (l)
          this.byId.set(
            id,
            l.filter((x) => x !== w),
          );
        reject(new EngineError('unavailable', 'client disconnected'));
      });
    });
  }

  notify(rec: ContainerRecord, what: 'exit' | 'removed'): void {
    const list = this.byId.get(rec.id);
    if (!list) return;
    const keep: Waiter[] = [];
    for (const w of list) {
      const fire = what === 'removed' ? true : w.condition !== 'removed';
      if (fire) w.resolve({ code: rec.state.exitCode, error: rec.state.error || undefined });
      else keep.push(w);
    }
    if (keep.length) this.byId.set(rec.id, keep);
    else this.byId.delete(rec.id);
  }
}
