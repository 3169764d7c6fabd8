// The one writer of a container's state: every status change goes through Transitions.to(), which
// runs inside the container's queue, checks states.ts's table, persists and emits the events.
// single-writer.test.ts fails the build when `state.status =` is assigned anywhere else.
import { EngineError, msg } from '../errdefs.js';
import type { Events } from './events.js';
import { KeyedQueue } from './locks.js';
import { assertTransition } from './states.js';
import type { ContainerStore } from './store.js';
import type { ContainerRecord, ContainerState, Status } from './types.js';

export type LogFn = (level: 'debug' | 'info' | 'warn' | 'error', m: string) => void;

export interface TransitionOptions {
  /** State fields that change with the status (pid, exit code, times…). */
  state?: Partial<Omit<ContainerState, 'status'>>;
  /** A whole new state instead (a start drops the previous run's extra fields, e.g. health). */
  fresh?: Omit<ContainerState, 'status'>;
  /**
   * 'yes' (the caller gets the error), 'best-effort' (a full disk must not stop exit handling:
   * memory holds the state), 'no' (removing: the record is deleted next; a failed removal's reset).
   */
  persist?: 'yes' | 'best-effort' | 'no';
  /** Events emitted after the state is persisted, in order: [action, extra attributes]. */
  events?: Array<[string, Record<string, string>?]>;
}

export class Transitions {
  private readonly q = new KeyedQueue();

  constructor(
    private readonly store: ContainerStore,
    private readonly events: Events,
    private readonly log: LogFn,
  ) {}

  /** Runs fn in the container's queue: one mutation of a container at a time. */
  locked<T>(id: string, fn: () => Promise<T>): Promise<T> {
    return this.q.run(id, fn);
  }

  /** Changes the status (or, with the same status, only the given state fields). */
  async to(rec: ContainerRecord, status: Status, o: TransitionOptions = {}): Promise<void> {
    if (!this.q.held(rec.id))
      throw new EngineError('internal', `state change of ${rec.id} to ${status} outside its queue`);
    assertTransition(rec.state.status, status);
    if (o.fresh) rec.state = { status, ...o.fresh };
    else Object.assign(rec.state, o.state, { status });
    const persist = o.persist ?? 'yes';
    if (persist === 'yes') await this.save(rec);
    else if (persist === 'best-effort')
      await this.save(rec).catch((e) => this.log('error', `saving ${status} of ${rec.id}: ${(e as Error).message}`));
    for (const [action, extra] of o.events ?? []) this.emit(rec, action, extra);
  }

  /**
   * Another module's change to a record (network endpoints, health, resources): in the container's
   * queue, then persisted. The status is not theirs: a mutation that changes it is undone and refused.
   */
  update(id: string, mutate: (rec: ContainerRecord) => void | Promise<void>): Promise<void> {
    return this.locked(id, async () => {
      const cur = this.store.get(id);
      if (!cur) throw new EngineError('not-found', msg.noSuchContainer(id));
      const state = cur.state;
      const status = state.status;
      await mutate(cur);
      if (cur.state !== state || state.status !== status) {
        cur.state = state;
        state.status = status;
        throw new EngineError('internal', `a record update cannot change the status of ${id}`);
      }
      await this.save(cur);
    });
  }

  /** Persists the record (fields other than the state: name, restart count, manuallyStopped…). */
  save(rec: ContainerRecord): Promise<void> {
    return this.store.save(rec);
  }

  emit(rec: ContainerRecord, action: string, extra: Record<string, string> = {}): void {
    this.events.emit('container', action, rec.id, {
      image: rec.config.Image,
      name: rec.name,
      ...rec.config.Labels,
      ...extra,
    });
  }
}
