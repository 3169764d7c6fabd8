// moby's API-version gates for the container routes (api/server/router/container, v25-v28): what a
// request of an older version may set, the defaults older clients expect, and fields that answers
// to older clients carry. Applied at the edge only, so the engine sees one request shape.
import { invalid } from '../../errdefs.js';
import { versionAtLeast } from '../server.js';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const before = (v: string, min: string) => !versionAtLeast(v, min);

/** The parts of a create request the gates look at, parsed JSON (HostConfig may be absent). */
export interface CreateParts {
  config: Obj;
  hostConfig: Obj | null | undefined;
  networkingConfig: unknown;
}

function mountsOf(h: Obj): Obj[] {
  return Array.isArray(h.Mounts) ? h.Mounts.filter(isObj) : [];
}

/** Mount gates of postContainersCreate, oldest first. */
function gateMounts(h: Obj, v: string): void {
  for (const m of mountsOf(h)) {
    const bo = isObj(m.BindOptions) ? m.BindOptions : null;
    if (before(v, '1.40') && bo) bo.NonRecursive = false;
    if (before(v, '1.42')) {
      if (bo) bo.CreateMountpoint = false;
      // invalid combinations older APIs did not validate: dropped so the engine's check passes
      if (m.VolumeOptions && m.Type !== 'volume') delete m.VolumeOptions;
      if (m.TmpfsOptions && m.Type !== 'tmpfs') delete m.TmpfsOptions;
    } else {
      for (const [k, t] of [
        ['VolumeOptions', 'volume'],
        ['BindOptions', 'bind'],
        ['TmpfsOptions', 'tmpfs'],
      ] as const)
        if (m[k] && m.Type !== t)
          throw invalid(`${k} must not be specified on mount type ${JSON.stringify(String(m.Type ?? ''))}`);
    }
    if (before(v, '1.44') && m.Type === 'bind' && isObj(m.BindOptions) && m.BindOptions.ReadOnlyForceRecursive)
      throw invalid('BindOptions.ReadOnlyForceRecursive needs API v1.44 or newer');
    if (before(v, '1.45') && isObj(m.VolumeOptions) && m.VolumeOptions.Subpath)
      throw invalid('VolumeOptions.Subpath needs API v1.45 or newer');
    // berth serves at most 1.47
    if (m.Type === 'image') throw invalid('Mount type "Image" needs API v1.48 or newer');
  }
}

function gateEndpoints(n: unknown, v: string): void {
  const eps = isObj(n) && isObj(n.EndpointsConfig) ? n.EndpointsConfig : {};
  const names = Object.keys(eps);
  if (before(v, '1.44') && names.length > 1)
    throw invalid(`Container cannot be created with multiple network endpoints: ${names.join(', ')}`);
  for (const ep of Object.values(eps)) if (isObj(ep) && 'GwPriority' in ep) ep.GwPriority = 0; // 1.48
}

/**
 * postContainersCreate's gates, in place; returns the HostConfig to use (one is made when an older
 * client's default must be filled in). Throws moby's 400s.
 */
export function gateCreate(
  p: CreateParts,
  v: string,
  host: { cgroupV2: boolean } = { cgroupV2: true },
): Obj | null | undefined {
  let h = p.hostConfig;
  // clients older than 1.40 expect "shareable" as the default IPC mode
  if (before(v, '1.40') && !(isObj(h) && h.IpcMode)) h = { ...(isObj(h) ? h : {}), IpcMode: 'shareable' };
  // and older than 1.41 "host" as the cgroup namespace on cgroup v1, whatever the daemon's default
  if (before(v, '1.41') && !host.cgroupV2 && !(isObj(h) && h.CgroupnsMode))
    h = { ...(isObj(h) ? h : {}), CgroupnsMode: 'host' };
  if (isObj(h)) {
    if (before(v, '1.25')) h.AutoRemove = false; // the client removed the container itself
    if (before(v, '1.40')) delete h.KernelMemoryTCP;
    if (before(v, '1.42')) h.ConsoleSize = [0, 0];
    else delete h.KernelMemory; // removed in 1.42
    if (before(v, '1.43')) delete h.Annotations;
    // 0 and any negative limit mean unlimited: stored as no limit (inspect shows null)
    if (typeof h.PidsLimit === 'number' && h.PidsLimit <= 0) h.PidsLimit = null;
    gateMounts(h, v);
  }
  if (before(v, '1.44') && isObj(p.config.Healthcheck)) delete p.config.Healthcheck.StartInterval;
  gateEndpoints(p.networkingConfig, v);
  return h;
}

const BUILTIN_NETWORKS = new Set(['bridge', 'host', 'none', 'default']);

/** epConfigForNetMode: the endpoint settings of the container's NetworkMode (made when there are none). */
function endpointForMode(mode: string, n: Obj, v: string): Obj {
  const eps = isObj(n.EndpointsConfig) ? n.EndpointsConfig : {};
  n.EndpointsConfig = eps;
  if (Object.keys(eps).length === 0) return (eps[mode] = {}) as Obj;
  const first = Object.values(eps)[0];
  if (before(v, '1.44') && isObj(first)) return first; // one endpoint at most before 1.44
  const ep = eps[mode];
  if (!isObj(ep))
    throw invalid('HostConfig.NetworkMode must match the identity of a network in NetworkSettings.Networks');
  return ep;
}

/**
 * handleMACAddressBC: the deprecated container-wide Config.MacAddress moves to the NetworkMode's
 * endpoint (1.44 warns and clears it); before 1.44 endpoint MACs without it are dropped. Returns
 * the networking config to use and moby's warning.
 */
export function gateMacAddress(p: CreateParts, v: string): { networkingConfig: unknown; warning?: string } {
  const mac = typeof p.config.MacAddress === 'string' ? p.config.MacAddress : '';
  const h = isObj(p.hostConfig) ? p.hostConfig : {};
  const raw = typeof h.NetworkMode === 'string' ? h.NetworkMode : '';
  const mode = raw === '' || raw === 'default' ? 'bridge' : raw;
  const bridgeOrUser = mode === 'bridge' || !(BUILTIN_NETWORKS.has(mode) || mode.startsWith('container:'));
  const n: Obj = isObj(p.networkingConfig) ? p.networkingConfig : {};
  if (before(v, '1.44')) {
    if (!mac) {
      for (const ep of Object.values(isObj(n.EndpointsConfig) ? n.EndpointsConfig : {}))
        if (isObj(ep)) ep.MacAddress = '';
      return { networkingConfig: p.networkingConfig };
    }
    if (!bridgeOrUser) throw invalid('conflicting options: mac-address and the network mode');
    endpointForMode(mode, n, v).MacAddress = mac;
    return { networkingConfig: n };
  }
  if (!mac) return { networkingConfig: p.networkingConfig };
  if (bridgeOrUser) {
    const ep = endpointForMode(mode, n, v);
    if (!ep.MacAddress) ep.MacAddress = mac;
    else if (ep.MacAddress !== mac)
      throw invalid(
        'the container-wide MAC address must match the endpoint-specific MAC address for the main network, or be left empty',
      );
  }
  delete p.config.MacAddress;
  return {
    networkingConfig: bridgeOrUser ? n : p.networkingConfig,
    warning:
      'The container-wide MacAddress field is now deprecated. It should be specified in EndpointsConfig instead.',
  };
}

/**
 * getContainersByName before 1.45: a user-defined network's Aliases also list the short id and
 * the hostname (1.45 moved them to DNSNames).
 */
export function gateInspect(json: Obj, v: string): Obj {
  if (!before(v, '1.45')) return json;
  const id = String(json.Id ?? '').slice(0, 12);
  const hostname = isObj(json.Config) ? String(json.Config.Hostname ?? '') : '';
  const ns = isObj(json.NetworkSettings) && isObj(json.NetworkSettings.Networks) ? json.NetworkSettings.Networks : {};
  for (const [name, ep] of Object.entries(ns)) {
    if (!isObj(ep) || BUILTIN_NETWORKS.has(name) || name.startsWith('container:')) continue;
    const al = Array.isArray(ep.Aliases) ? (ep.Aliases as string[]) : [];
    ep.Aliases = [...new Set([...al, id, hostname].filter((x) => x !== ''))];
  }
  return json;
}

/** postContainerUpdate: PidsLimit is ignored before 1.40, KernelMemory from 1.42 (removed there). */
export function gateUpdate<T extends { PidsLimit?: number | null; KernelMemory?: number }>(u: T, v: string): T {
  if (before(v, '1.40')) delete u.PidsLimit;
  if (!before(v, '1.42')) delete u.KernelMemory;
  return u;
}

/** stop and restart read `signal` from 1.42; the stats one-shot flag from 1.41; wait conditions from 1.30. */
export const queryGates = {
  signal: (q: URLSearchParams, v: string) => (versionAtLeast(v, '1.42') ? (q.get('signal') ?? undefined) : undefined),
  waitCondition: (q: URLSearchParams, v: string) => (versionAtLeast(v, '1.30') ? (q.get('condition') ?? '') : ''),
};
