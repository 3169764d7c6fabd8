// Network records: one JSON file per network under <data-root>/networks, in-memory index by id.
import { randomBytes } from 'node:crypto';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { invalid, notFound } from '../errdefs.js';
import { writeFileAtomic } from '../util/atomic.js';
import type { NetworkRecord } from './types.js';

export class NetworkStore {
  readonly nets = new Map<string, NetworkRecord>();
  /** Per network: the write in flight (or done) and the one queued behind it. */
  private readonly writes = new Map<string, { active: Promise<void>; queued: Promise<void> | null }>();

  constructor(readonly dir: string) {}

  /** Read every record; an unreadable one is reported and skipped. */
  async load(warn: (m: string) => void): Promise<void> {
    await fsp.mkdir(this.dir, { recursive: true });
    for (const f of await fsp.readdir(this.dir)) {
      if (!f.endsWith('.json')) continue;
      try {
        const n = JSON.parse(await fsp.readFile(path.join(this.dir, f), 'utf8')) as NetworkRecord;
        this.nets.set(n.id, n);
      } catch (e) {
        warn(`network state ${f}: ${(e as Error).message}`);
      }
    }
  }

  /**
   * Writes the record as it is when the write starts. Callers that change it while a write is queued
   * share that write (group commit): 50 starts on one network cost a few fsynced writes, not 50 in a
   * row. A record deleted meanwhile is not written back.
   */
  persist(n: NetworkRecord): Promise<void> {
    const w = this.writes.get(n.id) ?? { active: Promise.resolve(), queued: null };
    this.writes.set(n.id, w);
    if (w.queued !== null) return w.queued;
    const run = w.active.then(async () => {
      w.queued = null;
      if (this.nets.get(n.id) !== n) return;
      await fsp.mkdir(this.dir, { recursive: true });
      await writeFileAtomic(path.join(this.dir, `${n.id}.json`), JSON.stringify(n));
    });
    w.queued = run;
    w.active = run.catch(() => {});
    return run;
  }

  /** Forget a network and delete its file (after a write in flight, which would bring it back). */
  async delete(id: string): Promise<void> {
    this.nets.delete(id);
    await this.writes.get(id)?.active;
    this.writes.delete(id);
    await fsp.rm(path.join(this.dir, `${id}.json`), { force: true });
  }

  /** Index a record (not persisted yet). */
  put(n: NetworkRecord): NetworkRecord {
    this.nets.set(n.id, n);
    return n;
  }

  byName(name: string): NetworkRecord | undefined {
    for (const n of this.nets.values()) if (n.name === name) return n;
    return undefined;
  }

  find(ref: string): NetworkRecord {
    const n = this.tryFind(ref);
    if (!n) throw notFound(`network ${ref} not found`);
    return n;
  }

  /** By id, name, then unique id prefix (Docker's order). */
  tryFind(ref: string): NetworkRecord | undefined {
    if (!ref) return undefined;
    const byId = this.nets.get(ref);
    if (byId) return byId;
    const byName = this.byName(ref);
    if (byName) return byName;
    const pref = [...this.nets.values()].filter((n) => n.id.startsWith(ref));
    if (pref.length === 1) return pref[0];
    if (pref.length > 1) throw invalid(`network ${ref} is ambiguous (${pref.length} matches found based on ID prefix)`);
    return undefined;
  }

  list(): NetworkRecord[] {
    return [...this.nets.values()];
  }
}

export const newId = (): string => randomBytes(32).toString('hex');

/** A network record with no addresses, endpoints or driver fields yet. */
export function newNetworkRecord(
  name: string,
  driver: string,
  options: Record<string, string>,
  id = newId(),
): NetworkRecord {
  return {
    id,
    name,
    driver,
    created: new Date().toISOString(),
    internal: false,
    attachable: false,
    enableIPv6: false,
    labels: {},
    options,
    ipamOptions: null,
    ipam: [],
    bridge: '',
    isDefault: false,
    endpoints: {},
  };
}
