// What a build is asked for (the /build query) and what the builder is given to work with.
import { EngineError } from '../../errdefs.js';
import type { ImageService } from '../../images/store.js';
import type { OciPlatform } from '../../util/platform.js';
import type { CacheMounts } from './cache-mounts.js';
import type { ContainerLayerPort, PullPort, RunPort, RunResources } from './ports.js';

export interface BuildOptions {
  dockerfile: string;
  tags: string[];
  buildArgs: Record<string, string | null>;
  target?: string;
  labels: Record<string, string>;
  noCache: boolean;
  rm: boolean;
  forceRm: boolean;
  pull: boolean;
  quiet: boolean;
  networkMode?: string;
  extraHosts: string[];
  /**
   * `--cache-from`: when given, only these images (and their parents) are cache sources, as in
   * Docker's classic builder; names that resolve to nothing are skipped.
   */
  cacheFrom?: string[];
  /** Resource limits of the RUN containers (Docker applies them to each RUN step). */
  resources?: RunResources;
  /** `squash=1` (experimental): the target's layers above its FROM image merged into one. */
  squash?: boolean;
  /** `platform=`: the FROM images must be of it (only this host's platform can run RUN steps). */
  platform?: OciPlatform;
}

export interface BuilderDeps {
  images: ImageService;
  runner: RunPort;
  /** A RUN container's writable layer (default: containerLayers(images)). */
  layers?: ContainerLayerPort;
  /** Scratch space on the data-root's filesystem (contexts, mount points). */
  tmpDir: string;
  /** `RUN --mount=type=cache` directories (default: build-cache-mounts beside tmpDir). */
  cacheMounts?: CacheMounts;
  /** Pulls a FROM image for `--pull` (absent: --pull only uses local images). */
  puller?: PullPort;
  log?: (level: 'debug' | 'info' | 'warn' | 'error', m: string) => void;
}

/** A failed RUN: Docker reports the exit code in errorDetail.code. */
export class RunFailedError extends EngineError {
  constructor(
    m: string,
    readonly code: number,
  ) {
    super('internal', m);
  }
}
