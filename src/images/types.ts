// Image config shapes (Docker/OCI JSON field names, as stored in the config blob).

// The container Config an image carries: one definition, in container-config.ts.
import type { ContainerConfig } from './container-config.js';
export type { ContainerConfig, HealthConfig } from './container-config.js';

export interface HistoryEntry {
  created?: string;
  created_by?: string;
  author?: string;
  comment?: string;
  empty_layer?: boolean;
}

/** The image config blob; its sha256 is the image id. */
export interface ImageConfigFile {
  architecture: string;
  variant?: string;
  os: string;
  created?: string;
  author?: string;
  comment?: string;
  docker_version?: string;
  container?: string;
  container_config?: ContainerConfig;
  config: ContainerConfig;
  rootfs: { type: 'layers'; diff_ids: string[] };
  history?: HistoryEntry[];
  parent?: string;
}

export function emptyContainerConfig(): ContainerConfig {
  return {
    Hostname: '',
    Domainname: '',
    User: '',
    AttachStdin: false,
    AttachStdout: false,
    AttachStderr: false,
    Tty: false,
    OpenStdin: false,
    StdinOnce: false,
    Env: null,
    Cmd: null,
    Image: '',
    Volumes: null,
    WorkingDir: '',
    Entrypoint: null,
    OnBuild: null,
    Labels: null,
  };
}
