// One Docker container config → one Kubernetes container: image, command/args, env, working dir,
// user (securityContext), ports, resources and probes. What has no field is reported by warn().
import type { ContainerConfig, HostConfig } from '../client/types.js';
import type { SourceContainer } from './source.js';
import type { Container, ContainerPort, EnvVar, SecurityContext, StrMap } from './types.js';
import { isEnvName } from './names.js';
import { probeOf } from './probes.js';
import { bytesQuantity, cpuQuantity } from './quantity.js';

export type Warn = (m: string) => void;

const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

/**
 * Entrypoint → command, Cmd → args, leaving out what the image already says. Kubernetes drops the
 * image's CMD when a command is given, so args are always written then; without the image's config
 * a Cmd alone stays args (the image's entrypoint still runs, as in Docker).
 */
export function commandOf(c: Partial<ContainerConfig>, img: Partial<ContainerConfig> | undefined): Partial<Container> {
  const ep = c.Entrypoint ?? [];
  const cmd = c.Cmd ?? [];
  const imgEp = img?.Entrypoint ?? [];
  if (ep.length && (!img || !same(ep, imgEp))) return { command: ep, ...(cmd.length ? { args: cmd } : {}) };
  // the image's entrypoint was cleared (`--entrypoint ''`): the command is all there is
  if (!ep.length && imgEp.length) return cmd.length ? { command: cmd } : {};
  return cmd.length && (!img || !same(cmd, img.Cmd ?? [])) ? { args: cmd } : {};
}

/** Plain env vars, minus the image's and minus those that go to the env-file Secret. */
export function envOf(c: SourceContainer, warn: Warn): EnvVar[] {
  const img = new Set(c.imageDefaults?.Env ?? []);
  const out: EnvVar[] = [];
  for (const e of c.config.Env ?? []) {
    if (img.has(e)) continue;
    const i = e.indexOf('=');
    const name = i < 0 ? e : e.slice(0, i);
    const value = i < 0 ? '' : e.slice(i + 1);
    if (c.secretEnv && Object.hasOwn(c.secretEnv, name) && c.secretEnv[name] === value) continue;
    if (!isEnvName(name)) warn(`${c.name}: environment variable name "${name}" is not valid in Kubernetes`);
    else out.push({ name, value });
  }
  return out;
}

/** user[:group] → runAsUser/runAsGroup; names cannot be expressed (Kubernetes needs ids). */
export function securityOf(c: SourceContainer, warn: Warn): SecurityContext | undefined {
  const hc = c.hostConfig;
  const sc: SecurityContext = {};
  const user = c.config.User ?? '';
  if (user && user !== (c.imageDefaults?.User ?? '')) {
    const [u, g] = user.split(':');
    if (/^\d+$/.test(u)) sc.runAsUser = Number(u);
    else warn(`${c.name}: user "${u}" is a name; securityContext.runAsUser needs a numeric id`);
    if (g !== undefined) {
      if (/^\d+$/.test(g)) sc.runAsGroup = Number(g);
      else warn(`${c.name}: group "${g}" is a name; securityContext.runAsGroup needs a numeric id`);
    }
  }
  if (hc.Privileged) sc.privileged = true;
  if (hc.ReadonlyRootfs) sc.readOnlyRootFilesystem = true;
  const caps = (l: string[] | undefined) => l?.map((x) => x.toUpperCase().replace(/^CAP_/, ''));
  if (hc.CapAdd?.length || hc.CapDrop?.length)
    sc.capabilities = {
      ...(hc.CapAdd?.length ? { add: caps(hc.CapAdd) } : {}),
      ...(hc.CapDrop?.length ? { drop: caps(hc.CapDrop) } : {}),
    };
  return Object.keys(sc).length ? sc : undefined;
}

export interface PublishedPort {
  containerPort: number;
  protocol: 'TCP' | 'UDP' | 'SCTP';
  hostPort?: number;
  hostIP?: string;
}

/** Exposed ports with their first host binding (more bindings of one port are warned about). */
export function portsOf(c: SourceContainer, warn: Warn): PublishedPort[] {
  const keys = new Set([...Object.keys(c.config.ExposedPorts ?? {}), ...Object.keys(c.hostConfig.PortBindings ?? {})]);
  const out: PublishedPort[] = [];
  for (const k of keys) {
    const [p, proto = 'tcp'] = k.split('/');
    const protocol = proto.toUpperCase() as PublishedPort['protocol'];
    const b = c.hostConfig.PortBindings?.[k] ?? [];
    if (b.length > 1) warn(`${c.name}: port ${k} is published ${b.length} times; only the first is kept`);
    const first = b[0];
    const hostPort = first?.HostPort ? Number(first.HostPort.split('-')[0]) : undefined;
    if (first && !hostPort) warn(`${c.name}: port ${k} is published on a random host port; Kubernetes needs a number`);
    const hostIP = first?.HostIp && first.HostIp !== '0.0.0.0' && first.HostIp !== '::' ? first.HostIp : undefined;
    out.push({ containerPort: Number(p), protocol, ...(hostPort ? { hostPort } : {}), ...(hostIP ? { hostIP } : {}) });
  }
  return out.sort((a, b) => a.containerPort - b.containerPort);
}

/** Memory/NanoCpus → limits; MemoryReservation → requests; the rest of the cgroup knobs are warned. */
export function resourcesOf(c: SourceContainer, warn: Warn): Container['resources'] | undefined {
  const hc: HostConfig = c.hostConfig;
  const limits: StrMap = {};
  const requests: StrMap = {};
  if (hc.Memory) limits.memory = bytesQuantity(hc.Memory);
  if (hc.NanoCpus) limits.cpu = cpuQuantity(hc.NanoCpus);
  const res = hc.MemoryReservation;
  if (typeof res === 'number' && res > 0) requests.memory = bytesQuantity(res);
  if (hc.CpuShares) warn(`${c.name}: cpu shares ${hc.CpuShares} have no Kubernetes equivalent (use requests.cpu)`);
  if (hc.CpusetCpus) warn(`${c.name}: cpuset ${hc.CpusetCpus} has no Kubernetes equivalent`);
  // Docker's default swap limit is twice the memory limit: only a chosen one is worth a warning
  if (hc.MemorySwap && hc.MemorySwap > 0 && hc.Memory && hc.MemorySwap !== 2 * hc.Memory)
    warn(`${c.name}: memory+swap limit has no Kubernetes equivalent`);
  if (!Object.keys(limits).length && !Object.keys(requests).length) return undefined;
  return { ...(Object.keys(limits).length ? { limits } : {}), ...(Object.keys(requests).length ? { requests } : {}) };
}

/** The container, without volume mounts and env-file refs (the pod builder adds those). */
export function containerOf(
  c: SourceContainer,
  name: string,
  o: { warn: Warn; hostPorts: boolean },
): { container: Container; ports: PublishedPort[] } {
  const cfg = c.config;
  const ports = portsOf(c, o.warn);
  const k: Container = { name, image: cfg.Image ?? '', ...commandOf(cfg, c.imageDefaults) };
  if (!k.image) o.warn(`${c.name}: no image`);
  if (cfg.WorkingDir && cfg.WorkingDir !== (c.imageDefaults?.WorkingDir ?? '')) k.workingDir = cfg.WorkingDir;
  const env = envOf(c, o.warn);
  if (env.length) k.env = env;
  if (ports.length)
    k.ports = ports.map((p): ContainerPort => {
      const q: ContainerPort = { containerPort: p.containerPort, protocol: p.protocol };
      if (o.hostPorts && p.hostPort) Object.assign(q, { hostPort: p.hostPort }, p.hostIP ? { hostIP: p.hostIP } : {});
      return q;
    });
  const resources = resourcesOf(c, o.warn);
  if (resources) k.resources = resources;
  const probe = probeOf(cfg.Healthcheck, o.warn, c.name);
  if (probe) Object.assign(k, { livenessProbe: probe, readinessProbe: probe });
  const sc = securityOf(c, o.warn);
  if (sc) k.securityContext = sc;
  if (cfg.Tty) k.tty = true;
  if (cfg.OpenStdin) k.stdin = true;
  return { container: k, ports };
}
