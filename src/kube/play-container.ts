// A Kubernetes container → an Engine API create request (pure): env with its Secret/ConfigMap
// references resolved, mounts, resources, probe → health check, securityContext → user and caps.
import type { ContainerCreateRequest, HostConfig } from '../client/types.js';
import { invalid } from '../errdefs.js';
import type { Container, PodSpec, StrMap } from './types.js';
import { healthOf } from './probes.js';
import { parseQuantity } from './quantity.js';

/** How a pod volume reaches a container. */
export type VolumeUse =
  | { kind: 'bind' | 'volume'; source: string }
  | { kind: 'tmpfs'; size?: number }
  | { kind: 'files'; files: { path: string; data: Buffer; mode?: number }[] };

/** What a pod's containers can refer to: its volumes and the file's ConfigMaps and Secrets. */
export interface PodContext {
  pod: string;
  volumes: Map<string, VolumeUse>;
  configMaps: Map<string, StrMap>;
  secrets: Map<string, StrMap>;
}

export interface ContainerFile {
  path: string;
  data: Buffer;
  /** Permission bits (the volume's defaultMode; Kubernetes' default is 0644). */
  mode?: number;
}

function lookup(ctx: PodContext, where: string, kind: 'configMap' | 'secret', name: string, key?: string) {
  const m = (kind === 'secret' ? ctx.secrets : ctx.configMaps).get(name);
  if (!m) return { missing: `${kind === 'secret' ? 'Secret' : 'ConfigMap'} "${name}" is not in the file` };
  if (key === undefined) return { map: m };
  if (!Object.hasOwn(m, key)) return { missing: `${where}: key "${key}" is not in ${kind} "${name}"` };
  return { value: m[key] };
}

/** The container's environment, envFrom first (explicit env wins, as in Kubernetes). */
export function envOf(c: Container, ctx: PodContext, where: string): string[] {
  const env = new Map<string, string>();
  for (const f of c.envFrom ?? []) {
    const ref = f.secretRef ?? f.configMapRef;
    if (!ref) continue;
    const r = lookup(ctx, where, f.secretRef ? 'secret' : 'configMap', ref.name);
    if (r.missing && !ref.optional) throw invalid(`${where}: envFrom: ${r.missing}`);
    for (const [k, v] of Object.entries(r.map ?? {})) env.set(`${f.prefix ?? ''}${k}`, v);
  }
  for (const e of c.env ?? []) {
    const ref = e.valueFrom?.secretKeyRef ?? e.valueFrom?.configMapKeyRef;
    if (!ref) {
      env.set(e.name, e.value ?? '');
      continue;
    }
    const r = lookup(ctx, where, e.valueFrom?.secretKeyRef ? 'secret' : 'configMap', ref.name, ref.key);
    if (r.value !== undefined) env.set(e.name, r.value);
    else if (!ref.optional) throw invalid(`${where}: env ${e.name}: ${r.missing}`);
  }
  return [...env].map(([k, v]) => `${k}=${v}`);
}

/** Mounts as Binds/Tmpfs, and the files (ConfigMap, Secret) to copy in before start. */
export function mountsOf(c: Container, ctx: PodContext, where: string) {
  const binds: string[] = [];
  const tmpfs: Record<string, string> = {};
  const files: ContainerFile[] = [];
  for (const m of c.volumeMounts ?? []) {
    const v = ctx.volumes.get(m.name);
    if (!v) throw invalid(`${where}: volumeMount "${m.name}" names no volume of the pod`);
    if (!m.mountPath?.startsWith('/')) throw invalid(`${where}: volumeMount "${m.name}": mountPath must be absolute`);
    if (v.kind === 'tmpfs') tmpfs[m.mountPath] = v.size ? `size=${v.size}` : '';
    else if (v.kind === 'files')
      for (const f of v.files) files.push({ ...f, path: `${m.mountPath.replace(/\/+$/, '')}/${f.path}` });
    else binds.push(`${v.source}:${m.mountPath}${m.readOnly ? ':ro' : ''}`);
  }
  return { binds, tmpfs, files };
}

function resourcesOf(c: Container, where: string): Partial<HostConfig> {
  const hc: Partial<HostConfig> = {};
  const l = c.resources?.limits ?? {};
  const r = c.resources?.requests ?? {};
  if (l.memory !== undefined) hc.Memory = Math.round(parseQuantity(l.memory, `${where}: limits.memory`));
  if (l.cpu !== undefined) hc.NanoCpus = Math.round(parseQuantity(l.cpu, `${where}: limits.cpu`) * 1e9);
  if (r.memory !== undefined) hc.MemoryReservation = Math.round(parseQuantity(r.memory, `${where}: requests.memory`));
  if (r.cpu !== undefined)
    hc.CpuShares = Math.max(2, Math.round(parseQuantity(r.cpu, `${where}: requests.cpu`) * 1024));
  for (const k of [...Object.keys(l), ...Object.keys(r)])
    if (k !== 'memory' && k !== 'cpu') throw invalid(`${where}: resource "${k}" is not supported`);
  return hc;
}

function securityOf(c: Container): Partial<ContainerCreateRequest> & { hc: Partial<HostConfig> } {
  const s = c.securityContext;
  const hc: Partial<HostConfig> = {};
  if (!s) return { hc };
  if (s.privileged) hc.Privileged = true;
  if (s.readOnlyRootFilesystem) hc.ReadonlyRootfs = true;
  if (s.capabilities?.add?.length) hc.CapAdd = s.capabilities.add;
  if (s.capabilities?.drop?.length) hc.CapDrop = s.capabilities.drop;
  const user =
    s.runAsUser === undefined ? undefined : `${s.runAsUser}${s.runAsGroup === undefined ? '' : `:${s.runAsGroup}`}`;
  return user ? { User: user, hc } : { hc };
}

const RESTART: Record<string, 'always' | 'on-failure' | 'no'> = {
  Always: 'always',
  OnFailure: 'on-failure',
  Never: 'no',
};

/** The create request of one container of a pod (network settings are added by the planner). */
export function createOf(c: Container, spec: PodSpec, ctx: PodContext, init: boolean) {
  const where = `pod ${ctx.pod}: container ${c.name}`;
  if (!c.image) throw invalid(`${where}: no image`);
  const { binds, tmpfs, files } = mountsOf(c, ctx, where);
  const sec = securityOf(c);
  const { hc: secHc, ...secCfg } = sec;
  const body: ContainerCreateRequest = {
    Image: c.image,
    ...(c.command ? { Entrypoint: c.command, Cmd: c.args ?? [] } : c.args ? { Cmd: c.args } : {}),
    Env: envOf(c, ctx, where),
    Tty: c.tty === true,
    OpenStdin: c.stdin === true,
    ...secCfg,
    HostConfig: {
      Binds: binds,
      ...(Object.keys(tmpfs).length ? { Tmpfs: tmpfs } : {}),
      RestartPolicy: { Name: init ? 'no' : (RESTART[spec.restartPolicy ?? 'Always'] ?? 'always') },
      ...resourcesOf(c, where),
      ...secHc,
      ...(spec.hostAliases?.length
        ? { ExtraHosts: spec.hostAliases.flatMap((a) => a.hostnames.map((h) => `${h}:${a.ip}`)) }
        : {}),
    },
  };
  if (c.workingDir) body.WorkingDir = c.workingDir;
  if (spec.hostname) body.Hostname = spec.hostname;
  if (spec.terminationGracePeriodSeconds !== undefined) body.StopTimeout = spec.terminationGracePeriodSeconds;
  const health = healthOf(c.livenessProbe ?? c.readinessProbe);
  if (health) body.Healthcheck = health;
  const exposed = Object.fromEntries(
    (c.ports ?? []).map((p) => [`${p.containerPort}/${(p.protocol ?? 'TCP').toLowerCase()}`, {}]),
  );
  if (Object.keys(exposed).length) body.ExposedPorts = exposed;
  return { body, files };
}
