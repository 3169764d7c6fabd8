// The volume driver boundary (Docker's volume plugin shape, reduced to what berth's drivers need).

/** A volume as Docker's API shows it (`docker volume inspect`). */
export interface VolumeInfo {
  Name: string;
  Driver: string;
  Mountpoint: string;
  CreatedAt: string;
  Labels: Record<string, string> | null;
  Options: Record<string, string> | null;
  Scope: 'local' | 'global';
  UsageData?: { Size: number; RefCount: number } | null;
}

export interface VolumeDriver {
  readonly name: string;
  /** Load persisted volumes (at daemon start). */
  init(): Promise<void>;
  create(name: string, opts: Record<string, string> | null, labels: Record<string, string> | null): Promise<VolumeInfo>;
  get(name: string): VolumeInfo | undefined;
  list(): VolumeInfo[];
  /** Make the volume's data available on the host; returns the path to bind into a container. */
  mount(name: string): Promise<string>;
  /** The last user went away: undo what mount() did (a no-op for plain directories). */
  unmount(name: string): Promise<void>;
  remove(name: string): Promise<void>;
  /** Bytes used by the volume's data. */
  size(name: string): Promise<number>;
}

/** Label Docker (23+) puts on anonymous volumes; `volume prune` removes only those by default. */
export const ANONYMOUS_LABEL = 'com.docker.volume.anonymous';

/** Docker's local volume names: `[a-zA-Z0-9][a-zA-Z0-9_.-]+`. */
export const VALID_VOLUME_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;

export function invalidNameMessage(name: string): string {
  return `create ${name}: "${name}" includes invalid characters for a local volume name, only "[a-zA-Z0-9][a-zA-Z0-9_.-]" are allowed. If you intended to pass a host directory, use absolute path`;
}
