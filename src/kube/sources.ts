// Adapters into the generate model: a container's inspect JSON, or a create request (compose's).
import type { ContainerCreateRequest, ContainerInspect, ContainerConfig } from '../client/types.js';
import type { SourceContainer, SourceGroup } from './source.js';

type Endpoints = Record<string, { Aliases?: string[] | null; DNSNames?: string[] | null }>;
const DEFAULT_NETS = new Set(['bridge', 'host', 'none', 'default']);

/** A running (or stopped) container as a source; `image` is its image's Config, when known. */
export function containerFromInspect(c: ContainerInspect, image?: Partial<ContainerConfig>): SourceContainer {
  return {
    name: c.Name.replace(/^\//, ''),
    config: c.Config,
    hostConfig: c.HostConfig,
    ...(image ? { imageDefaults: image } : {}),
  };
}

/** The user networks of an inspected container, with the aliases it has there beyond its id and name. */
export function networksFromInspect(c: ContainerInspect): SourceGroup['networks'] {
  const eps = ((c.NetworkSettings as { Networks?: Endpoints } | undefined)?.Networks ?? {}) as Endpoints;
  const name = c.Name.replace(/^\//, '');
  return Object.entries(eps)
    .filter(([n]) => !DEFAULT_NETS.has(n))
    .map(([n, e]) => ({
      name: n,
      aliases: [...new Set([...(e.Aliases ?? []), ...(e.DNSNames ?? [])])].filter(
        (a) => a !== name && !c.Id.startsWith(a),
      ),
    }));
}

/** A compose service's create request as a source (its env files' variables go to a Secret). */
export function containerFromCreate(name: string, body: ContainerCreateRequest, secretEnv?: Record<string, string>) {
  const { HostConfig, NetworkingConfig: _n, ...config } = body;
  const c: SourceContainer = { name, config, hostConfig: HostConfig ?? {} };
  if (secretEnv && Object.keys(secretEnv).length) c.secretEnv = secretEnv;
  return c;
}
