// What `kube generate` reads: Engine API container configs grouped into pods. Both inputs map here:
// running containers (inspect JSON) and compose services (their create requests), so one
// translation serves both.
import type { ContainerConfig, HostConfig } from '../client/types.js';
import type { StrMap } from './types.js';

export interface SourceContainer {
  /** Container name (or the compose service name). */
  name: string;
  config: Partial<ContainerConfig>;
  hostConfig: HostConfig;
  /** The image's own config: fields equal to it are left out of the YAML (the image supplies them). */
  imageDefaults?: Partial<ContainerConfig>;
  /** Variables that came from env files: they become a Secret instead of plain env. */
  secretEnv?: StrMap;
}

export interface SourceGroup {
  /** The workload name (a container name, a pod name or a compose service). */
  name: string;
  containers: SourceContainer[];
  replicas: number;
  /** User networks and the DNS aliases the group answers to on them. */
  networks: { name: string; aliases: string[] }[];
  /** Groups (by name) that must be reachable first (compose depends_on). */
  dependsOn: string[];
}

export interface GenerateOptions {
  type: 'pod' | 'deployment' | 'statefulset';
  /** Publish published ports through a LoadBalancer Service instead of hostPort. */
  service: boolean;
  /** Image for the init containers that wait for dependencies. */
  waitImage?: string;
}
