// The Snapshotter contract (containerd's shape): snapshots hand back mounts, callers mount them.
//
// - prepare(key, parent): a new writable (active) snapshot over committed `parent` (or empty).
// - view(key, parent):    a read-only snapshot of committed `parent`.
// - commit(name, key):    turn active `key` into committed `name` (usable as a parent); `key` is gone.
// - mounts(key):          the mounts of an active or view snapshot (again, e.g. after a restart).
// - remove(key):          delete a snapshot; refused while other snapshots have it as parent.
// - usage(key):           content bytes of the snapshot's own layer, not its parents (moby's DiffSize).
export interface Mount {
  type: string;
  source: string;
  target?: string;
  options: string[];
}

export interface Snapshotter {
  prepare(key: string, parent: string | null): Promise<Mount[]>;
  view(key: string, parent: string): Promise<Mount[]>;
  commit(name: string, key: string): Promise<void>;
  mounts(key: string): Promise<Mount[]>;
  remove(key: string): Promise<void>;
  usage(key: string): Promise<{ size: number; inodes: number }>;
}

export type SnapshotKind = 'active' | 'view' | 'committed';

export interface SnapshotInfo {
  key: string;
  kind: SnapshotKind;
  parent: string | null;
  created: string;
}

/** Optional extras an implementation may offer (listing for GC, directories for inspect's GraphDriver). */
export interface SnapshotLister {
  list(): Promise<SnapshotInfo[]>;
  stat(key: string): Promise<SnapshotInfo | null>;
}
