// The loaded Compose project: services with their short syntaxes normalised, top-level resources.

export interface BuildConfig {
  context: string;
  dockerfile?: string;
  args: Record<string, string>;
  target?: string;
  labels: Record<string, string>;
}

export interface VolumeMount {
  type: 'bind' | 'volume' | 'tmpfs';
  /** Host path (bind, absolute), volume key in `volumes:` (volume), undefined for anonymous/tmpfs. */
  source?: string;
  target: string;
  readOnly: boolean;
}

export interface ServiceNetwork {
  aliases: string[];
  ipv4_address?: string;
}

export type DependsCondition = 'service_started' | 'service_healthy' | 'service_completed_successfully';

export interface Service {
  name: string;
  image?: string;
  build?: BuildConfig;
  command?: string[];
  entrypoint?: string[];
  environment: Record<string, string>;
  labels: Record<string, string>;
  /** docker-style `[ip:][host:]container[/proto]` specs. */
  ports: string[];
  volumes: VolumeMount[];
  networks: Record<string, ServiceNetwork>;
  depends_on: Record<string, { condition: DependsCondition }>;
  profiles: string[];
  /** Replicas from `scale` / `deploy.replicas` (default 1). */
  replicas: number;
  /** The merged, interpolated service mapping (for the keys converted later and `config`). */
  raw: Record<string, unknown>;
}

export interface ResourceConfig {
  /** Engine object name (`<project>_<key>` unless `name:`/external). */
  name: string;
  external: boolean;
  driver?: string;
  driver_opts?: Record<string, string>;
  labels: Record<string, string>;
  raw: Record<string, unknown>;
}

export interface Project {
  name: string;
  workingDir: string;
  configFiles: string[];
  /** Enabled services in file order. */
  services: Service[];
  /** Services left out by profiles. */
  disabled: Service[];
  networks: Record<string, ResourceConfig>;
  volumes: Record<string, ResourceConfig>;
  /** The merged model (for `config`). */
  model: Record<string, unknown>;
}
