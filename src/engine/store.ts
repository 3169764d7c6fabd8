// Containers in memory, one JSON file each on disk (written atomically); indexes rebuilt at start.
import fsp from 'node:fs/promises';
import path from 'node:path';
import { EngineError, invalid, msg, notFound } from '../errdefs.js';
import { writeFileAtomic } from '../util/atomic.js';
import type { ContainerRecord } from './types.js';

const FILE = 'config.v2.json';

export class ContainerStore {
  private readonly byId = new Map<string, ContainerRecord>();
  private readonly byName = new Map<string, string>(); // name → id

  constructor(readonly root: string) {}

  dir(id: string): string {
    return path.join(this.root, id);
  }

  async load(): Promise<ContainerRecord[]> {
    await fsp.mkdir(this.root, { recursive: true });
    const out: ContainerRecord[] = [];
    for (const id of await fsp.readdir(this.root)) {
      try {
        const rec = JSON.parse(await fsp.readFile(path.join(this.root, id, FILE), 'utf8')) as ContainerRecord;
        this.byId.set(rec.id, rec);
        this.byName.set(rec.name, rec.id);
        out.push(rec);
      } catch {
        // no record: a create that never finished; reconcile removes the directory
      }
    }
    return out;
  }

  all(): ContainerRecord[] {
    return [...this.byId.values()];
  }

  get(id: string): ContainerRecord | undefined {
    return this.byId.get(id);
  }

  /** Docker's lookup order: full id, exact name, unique id prefix. */
  find(ref: string): ContainerRecord {
    const r = this.tryFind(ref);
    if (!r) throw notFound(msg.noSuchContainer(ref));
    return r;
  }

  tryFind(ref: string): ContainerRecord | undefined {
    if (!ref) return undefined;
    const exact = this.byId.get(ref);
    if (exact) return exact;
    const byName = this.byName.get(ref.startsWith('/') ? ref.slice(1) : ref);
    if (byName) return this.byId.get(byName);
    if (!/^[0-9a-f]+$/.test(ref)) return undefined;
    let found: ContainerRecord | undefined;
    for (const [id, rec] of this.byId) {
      if (id.startsWith(ref)) {
        if (found) throw invalid(`multiple IDs found with provided prefix: ${ref}`);
        found = rec;
      }
    }
    return found;
  }

  nameOwner(name: string): string | undefined {
    return this.byName.get(name);
  }

  /** Reserve a name synchronously so that concurrent creates cannot both take it. */
  reserveName(name: string, id: string): void {
    const owner = this.byName.get(name);
    if (owner && owner !== id) throw new EngineError('conflict', msg.nameInUse(name, owner));
    this.byName.set(name, id);
  }

  releaseName(name: string, id: string): void {
    if (this.byName.get(name) === id) this.byName.delete(name);
  }

  /**
   * Writes the record, then indexes it: a new record that cannot be written (ENOSPC) is never
   * listed, so a failed create leaves nothing. A known record stays indexed (memory is the truth
   * while berthd runs; the caller gets the error).
   */
  async save(rec: ContainerRecord): Promise<void> {
    await fsp.mkdir(this.dir(rec.id), { recursive: true });
    await writeFileAtomic(path.join(this.dir(rec.id), FILE), JSON.stringify(rec));
    this.byId.set(rec.id, rec);
    this.byName.set(rec.name, rec.id);
  }

  async delete(rec: ContainerRecord): Promise<void> {
    await this.forget(rec);
    await fsp.rm(this.dir(rec.id), { recursive: true, force: true });
  }

  /**
   * The record file and the indexes go; the directory is the caller's to delete. A crash before
   * that leaves a directory without record, which reconcile removes.
   */
  async forget(rec: ContainerRecord): Promise<void> {
    await fsp.rm(path.join(this.dir(rec.id), FILE), { force: true });
    this.byId.delete(rec.id);
    this.releaseName(rec.name, rec.id);
  }
}
