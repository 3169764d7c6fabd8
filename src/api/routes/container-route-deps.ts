// What the container routes (containers.ts, containers-io.ts, exec.ts) need from the daemon.
import type { ContainerArchive } from '../../engine/archive.js';
import type { ExecService } from '../../engine/exec.js';
import type { ContainerService } from '../../engine/service.js';
import type { ContainerStats } from '../../engine/stats.js';
import type { ContainerRecord } from '../../engine/types.js';
import type { ImagePlatform } from '../../util/platform.js';
import type { NetworkView } from '../wire/containers.js';

export interface ContainerRouteDeps {
  containers: ContainerService;
  execs: ExecService;
  /** Image id → the reference to show in `ps` (the container's configured image name is used first). */
  imageIdFor: (ref: string) => Promise<string | null>;
  stats: Pick<ContainerStats, 'stream'>;
  archive: Pick<ContainerArchive, 'stat' | 'get' | 'put'>;
  sizes: (rec: ContainerRecord) => Promise<{ rw: number; rootFs: number }>;
  /** The container's snapshot directories (inspect's GraphDriver.Data); absent: null. */
  graphData?: (rec: ContainerRecord) => Promise<Record<string, string> | null>;
  /** NetworkSettings and ps Ports (network layer). */
  network?: (rec: ContainerRecord) => NetworkView;
  /** A local image's os/arch/variant (null: not local), for create's `platform=` check. */
  imagePlatform?: (ref: string) => Promise<ImagePlatform | null>;
  /** Whether the host runs cgroup v2 (older clients' cgroupns default); absent: v2. */
  cgroupV2?: () => Promise<boolean>;
}
