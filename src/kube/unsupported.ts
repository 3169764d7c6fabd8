// The Docker settings a pod cannot carry: each one set is named in a warning, never dropped silently.
import type { SourceContainer } from './source.js';
import type { Warn } from './container-spec.js';

/** HostConfig keys handled elsewhere (container-spec, pod-volumes, pod-spec) or meaningless in a pod. */
const HANDLED = new Set([
  'Binds',
  'Mounts',
  'Tmpfs',
  'PortBindings',
  'NetworkMode',
  'RestartPolicy',
  'Privileged',
  'CapAdd',
  'CapDrop',
  'ReadonlyRootfs',
  'Memory',
  'MemoryReservation',
  'NanoCpus',
  'CpuShares',
  'CpusetCpus',
  'MemorySwap',
  'ExtraHosts',
  // engine defaults that say nothing about the workload
  'LogConfig',
  'ConsoleSize',
  'Isolation',
  'CgroupnsMode',
  'MaskedPaths',
  'ReadonlyPaths',
  'Runtime',
  'AutoRemove',
  'Annotations',
  'Init',
]);

/** Is `v` the zero value Docker reports for an unset option? */
function unset(v: unknown): boolean {
  if (v === undefined || v === null || v === false || v === 0 || v === '') return true;
  if (Array.isArray(v)) return v.length === 0;
  if (typeof v === 'object') return Object.keys(v as object).length === 0;
  return false;
}

/** Warnings for every set option with no Kubernetes field. */
export function warnUnsupported(c: SourceContainer, warn: Warn): void {
  const hc = c.hostConfig;
  for (const [k, v] of Object.entries(hc)) {
    if (HANDLED.has(k) || unset(v)) continue;
    if (k === 'PidsLimit' && (v as number) < 0) continue;
    if ((k === 'IpcMode' && (v === 'private' || v === 'shareable')) || (k === 'PidMode' && v === 'private')) continue;
    if (k === 'ShmSize' && v === 64 * 2 ** 20) continue;
    if (k === 'OomKillDisable' || k === 'MemorySwappiness') continue;
    warn(`${c.name}: ${k} ${JSON.stringify(v)} has no Kubernetes equivalent`);
  }
  if (hc.Init)
    warn(`${c.name}: --init has no Kubernetes equivalent (use shareProcessNamespace or an init in the image)`);
  const lc = hc.LogConfig;
  if (lc?.Type && !['json-file', 'k8s-file', 'local', ''].includes(lc.Type))
    warn(`${c.name}: log driver ${lc.Type}: Kubernetes logs go to the node's container log files`);
  const cfg = c.config;
  if (cfg.StopSignal && cfg.StopSignal !== 'SIGTERM' && cfg.StopSignal !== (c.imageDefaults?.StopSignal ?? 'SIGTERM'))
    warn(`${c.name}: stop signal ${cfg.StopSignal}: Kubernetes always sends SIGTERM`);
  if (cfg.Domainname) warn(`${c.name}: domainname ${cfg.Domainname} (use a pod subdomain)`);
  if (cfg.MacAddress) warn(`${c.name}: mac address ${cfg.MacAddress} has no Kubernetes equivalent`);
  if (cfg.NetworkDisabled) warn(`${c.name}: a disabled network has no pod equivalent`);
  if (cfg.Healthcheck?.Test?.[0] === 'NONE' && c.imageDefaults?.Healthcheck?.Test?.length)
    warn(`${c.name}: the image's health check is disabled; Kubernetes never runs it anyway`);
}
