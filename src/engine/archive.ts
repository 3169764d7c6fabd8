// `docker cp` for a container (moby daemon/archive.go): stat, read and write a path of the
// filesystem the container sees (rootfs, volumes and binds; /proc/<pid>/root while it runs).
// The tar work itself is storage/layers/archive.ts's, confined to the root it is given.
import type { Readable } from 'node:stream';
import { resolveUser } from '../runtime/spec/resolveUser.js';
import { extractInto, packPath, statPath, type PathStat, type PutOptions } from '../storage/layers/archive.js';
import type { ContainerRecord, MountPoint } from './types.js';

/** The tar and passwd work, replaceable by fakes in tests. */
export interface ArchiveFs {
  stat(root: string, ctrPath: string, ctrName: string): Promise<PathStat>;
  pack(root: string, ctrPath: string, ctrName: string): Promise<Readable>;
  extract(root: string, ctrPath: string, tar: Readable, ctrName: string, o: PutOptions): Promise<void>;
  resolveUser(root: string, user: string): Promise<{ uid: number; gid: number }>;
}

export interface ArchiveDeps {
  /** Runs fn over the container's filesystem, kept mounted until fn settles. */
  withFs<T>(rec: ContainerRecord, fn: (root: string) => Promise<T>): Promise<T>;
  /** Throws (Docker's text) when ctrPath lies in a read-only mount. */
  checkWritable(mounts: MountPoint[], ctrPath: string): void;
  fs?: ArchiveFs;
  /** moby's archive-path (read) and extract-to-dir (write) container events. */
  emit?(rec: ContainerRecord, action: 'archive-path' | 'extract-to-dir'): void;
}

export interface PutArchiveOptions {
  noOverwriteDirNonDir: boolean;
  /** `docker cp -a`: entries owned by the container's User (looked up in its own passwd/group). */
  copyUIDGID: boolean;
}

const hostFs: ArchiveFs = {
  stat: statPath,
  pack: packPath,
  extract: extractInto,
  resolveUser: (root, user) => resolveUser(root, user),
};

export class ContainerArchive {
  private readonly fs: ArchiveFs;

  constructor(private readonly d: ArchiveDeps) {
    this.fs = d.fs ?? hostFs;
  }

  stat(rec: ContainerRecord, ctrPath: string): Promise<PathStat> {
    return this.d.withFs(rec, (root) => this.fs.stat(root, ctrPath, rec.name));
  }

  /** The path's stat and its tar stream; the filesystem stays mounted until the stream ends or fails. */
  get(rec: ContainerRecord, ctrPath: string): Promise<{ stat: PathStat; stream: Readable }> {
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    return new Promise((resolve, reject) => {
      void this.d
        .withFs(rec, async (root) => {
          const stat = await this.fs.stat(root, ctrPath, rec.name);
          const stream = await this.fs.pack(root, ctrPath, rec.name);
          this.d.emit?.(rec, 'archive-path');
          stream.once('end', release);
          stream.once('close', release);
          stream.once('error', release);
          resolve({ stat, stream });
          await held;
        })
        .catch(reject);
    });
  }

  async put(rec: ContainerRecord, ctrPath: string, body: Readable, o: PutArchiveOptions): Promise<void> {
    this.d.checkWritable(rec.mounts, ctrPath);
    return this.d.withFs(rec, async (root) => {
      // copyUIDGID with a configured User: entries are owned by that user (moby tarCopyOptions)
      const chown = o.copyUIDGID && rec.config.User ? await this.fs.resolveUser(root, rec.config.User) : undefined;
      await this.fs.extract(root, ctrPath, body, rec.name, {
        noOverwriteDirNonDir: o.noOverwriteDirNonDir,
        ...(chown ? { chown: { uid: chown.uid, gid: chown.gid } } : {}),
      });
      this.d.emit?.(rec, 'extract-to-dir');
    });
  }
}
