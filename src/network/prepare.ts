// At container create: the network mode, links, ports and aliases checked with Docker's texts, and
// HostConfig.Links and NetworkingConfig.EndpointsConfig normalised (by network name, the mode's network first).
import { invalid, notFound } from '../errdefs.js';
import { endpointsConfig, parseLink, setEndpointsConfig, validateEndpointConfig } from './endpoints.js';
import { portRequests } from './portmap/bindings.js';
import type { ContainerView, EndpointsConfigEntry, NetworkRecord } from './types.js';

export interface PrepareDeps {
  network(ref: string): NetworkRecord; // throws not-found
  container(ref: string): ContainerView | undefined;
  /** A network with a driver (not host or none). */
  plumbed(n: NetworkRecord): boolean;
}

/** Changes `c` in place: at create the record is not stored yet. */
export function prepareContainer(c: ContainerView, d: PrepareDeps): void {
  const nm = c.hostConfig.NetworkMode || 'bridge';
  portRequests(c.hostConfig.PortBindings, c.config.ExposedPorts, c.hostConfig.PublishAllPorts);
  if (nm.startsWith('container:')) {
    const ref = nm.slice('container:'.length);
    const other = d.container(ref);
    if (!other) throw notFound(`No such container: ${ref}`);
    c.hostConfig.NetworkMode = `container:${other.id}`;
    if (Object.keys(c.hostConfig.PortBindings ?? {}).length || c.hostConfig.PublishAllPorts)
      throw invalid('conflicting options: port publishing and the container type network mode');
    return;
  }
  if (nm === 'host' && (c.hostConfig.Links ?? []).length)
    throw invalid(
      "conflicting options: host type networking can't be used with links. This would result in undefined behavior",
    );
  const n = d.network(nm === 'default' ? 'bridge' : nm);
  const given = endpointsConfig(c);
  const out: Record<string, EndpointsConfigEntry> = {};
  out[n.name] = given[nm] ?? given[n.name] ?? given[n.id] ?? (nm === 'bridge' ? given.default : undefined) ?? {};
  for (const [k, v] of Object.entries(given)) {
    const other = d.network(k === 'default' ? 'bridge' : k);
    if (other.name !== n.name) out[other.name] = v;
  }
  for (const [k, v] of Object.entries(out)) {
    const net = d.network(k);
    validateEndpointConfig(net, v);
    if (!d.plumbed(net)) out[k] = { ...v };
  }
  c.hostConfig.Links = normaliseLinks(c, d);
  setEndpointsConfig(c, out);
}

/** Links as Docker stores them ("/target:/self/alias"); every target must exist. */
function normaliseLinks(c: ContainerView, d: PrepareDeps): string[] | null {
  const links: string[] = [];
  for (const l of c.hostConfig.Links ?? []) {
    const parsed = parseLink(l);
    const target = d.container(parsed.target);
    if (!target) throw notFound(`could not get container for ${parsed.target}: No such container: ${parsed.target}`);
    links.push(`/${target.name}:/${c.name}/${parsed.alias}`);
  }
  return links.length ? links : c.hostConfig.Links && c.hostConfig.Links.length === 0 ? [] : null;
}
