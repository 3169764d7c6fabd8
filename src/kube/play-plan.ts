// `kube play` as a plan (pure): every container, volume and network to create, with names, labels,
// DNS aliases and published ports, computed and checked in full before anything is created.
import type { ContainerCreateRequest, PortBinding } from '../client/types.js';
import { invalid } from '../errdefs.js';
import type { PersistentVolumeClaim, PodSpec, Service, StrMap, Workload } from './types.js';
import { createOf, type ContainerFile, type PodContext, type VolumeUse } from './play-container.js';
import type { PlayObjects } from './play-objects.js';
import { PLAY_LABEL, POD_LABEL, WORKLOAD_LABEL } from './labels.js';
import { VOLUME_NAME_ANNOTATION } from './pod-volumes.js';
import { parseQuantity } from './quantity.js';

export interface PlannedContainer {
  name: string;
  body: ContainerCreateRequest;
  files: ContainerFile[];
}

export interface PlannedPod {
  name: string;
  init: PlannedContainer[];
  containers: PlannedContainer[];
}

export interface PlayPlan {
  id: string;
  network: string;
  /** Volumes to create when missing: claims (kept by down unless asked) and emptyDirs. */
  volumes: { name: string; kind: 'claim' | 'emptyDir' }[];
  pods: PlannedPod[];
  images: string[];
  warnings: string[];
}

interface Instance {
  w: Workload;
  name: string;
  labels: StrMap;
  annotations: StrMap;
  spec: PodSpec;
}

function instancesOf(w: Workload): Instance[] {
  if (w.kind === 'Pod')
    return [
      {
        w,
        name: w.metadata.name,
        labels: w.metadata.labels ?? {},
        annotations: w.metadata.annotations ?? {},
        spec: w.spec,
      },
    ];
  const t = w.spec.template;
  const labels = t.metadata?.labels ?? {};
  for (const [k, v] of Object.entries(w.spec.selector?.matchLabels ?? {}))
    if (labels[k] !== v)
      throw invalid(`${w.kind} "${w.metadata.name}": selector ${k}=${v} does not match the template's labels`);
  const n = w.spec.replicas ?? 1;
  if (!Number.isInteger(n) || n < 0)
    throw invalid(`${w.kind} "${w.metadata.name}": replicas must be a non-negative integer`);
  const first = w.kind === 'StatefulSet' ? 0 : 1;
  return Array.from({ length: n }, (_, i) => ({
    w,
    name: `${w.metadata.name}-${i + first}`,
    labels,
    annotations: t.metadata?.annotations ?? {},
    spec: t.spec,
  }));
}

const matches = (sel: StrMap | undefined, labels: StrMap) =>
  !!sel && Object.keys(sel).length > 0 && Object.entries(sel).every(([k, v]) => labels[k] === v);

function claimVolume(claims: PersistentVolumeClaim[], name: string): string {
  const c = claims.find((x) => x.metadata.name === name);
  return c?.metadata.annotations?.[VOLUME_NAME_ANNOTATION] ?? name;
}

function filesOf(
  src: { bytes: Record<string, Buffer> },
  v: { items?: { key: string; path: string }[]; defaultMode?: number },
  where: string,
) {
  const m = v.defaultMode;
  if (m !== undefined && (!Number.isInteger(m) || m < 0 || m > 0o777))
    throw invalid(`${where}: invalid defaultMode ${m}`);
  const mode = m === undefined ? {} : { mode: m };
  if (!v.items) return Object.entries(src.bytes).map(([path, data]) => ({ path, data, ...mode }));
  return v.items.map((it) => {
    if (!Object.hasOwn(src.bytes, it.key)) throw invalid(`${where}: key "${it.key}" not found`);
    if (it.path.startsWith('/') || it.path.split('/').includes('..'))
      throw invalid(`${where}: invalid item path ${it.path}`);
    return { path: it.path, data: src.bytes[it.key]!, ...mode };
  });
}

/** The pod's volumes as mounts; emptyDirs and claims also go to `plan.volumes`. */
function podVolumes(inst: Instance, o: PlayObjects, plan: PlayPlan): Map<string, VolumeUse> {
  const m = new Map<string, VolumeUse>();
  for (const v of inst.spec.volumes ?? []) {
    const where = `pod ${inst.name}: volume ${v.name}`;
    if (m.has(v.name)) throw invalid(`${where} is defined twice`);
    let use: VolumeUse;
    if (v.persistentVolumeClaim) {
      const source = claimVolume(o.claims, v.persistentVolumeClaim.claimName);
      use = { kind: 'volume', source };
      if (!plan.volumes.some((x) => x.name === source)) plan.volumes.push({ name: source, kind: 'claim' });
    } else if (v.hostPath) {
      if (!v.hostPath.path?.startsWith('/')) throw invalid(`${where}: hostPath must be absolute`);
      use = { kind: 'bind', source: v.hostPath.path };
    } else if (v.emptyDir?.medium === 'Memory') {
      const size = v.emptyDir.sizeLimit ? Math.round(parseQuantity(v.emptyDir.sizeLimit, where)) : undefined;
      use = { kind: 'tmpfs', size };
    } else if (v.emptyDir) {
      use = { kind: 'volume', source: `${inst.name}-${v.name}` };
      plan.volumes.push({ name: use.source, kind: 'emptyDir' });
    } else if (v.configMap || v.secret) {
      const ref = v.configMap ? v.configMap.name : v.secret!.secretName;
      const src = (v.configMap ? o.configMaps : o.secrets).get(ref);
      const optional = (v.configMap ?? v.secret)!.optional;
      if (!src && !optional)
        throw invalid(`${where}: ${v.configMap ? 'ConfigMap' : 'Secret'} "${ref}" is not in the file`);
      use = { kind: 'files', files: src ? filesOf(src, (v.configMap ?? v.secret)!, where) : [] };
    } else throw invalid(`${where}: no supported volume source`);
    m.set(v.name, use);
  }
  return m;
}

/** Host ports for the pod: hostPorts of its containers and LoadBalancer/NodePort services that select it. */
function bindingsOf(inst: Instance, services: Service[], published: Set<string>, warn: (m: string) => void) {
  const b: Record<string, PortBinding[]> = {};
  const add = (key: string, hostIp: string, hostPort: number) => {
    (b[key] ??= []).push({ HostIp: hostIp, HostPort: String(hostPort) });
  };
  const ports = inst.spec.containers.flatMap((c) => c.ports ?? []);
  for (const p of ports)
    if (p.hostPort) add(`${p.containerPort}/${(p.protocol ?? 'TCP').toLowerCase()}`, p.hostIP ?? '', p.hostPort);
  for (const s of services) {
    if (!matches(s.spec.selector, inst.labels) || (s.spec.type !== 'LoadBalancer' && s.spec.type !== 'NodePort'))
      continue;
    if (published.has(s.metadata.name)) {
      warn(`Service ${s.metadata.name}: ${inst.name} is not published (a host port serves one container)`);
      continue;
    }
    published.add(s.metadata.name);
    for (const sp of s.spec.ports ?? []) {
      let target = sp.targetPort ?? sp.port;
      if (typeof target === 'string') {
        const named = ports.find((p) => p.name === target);
        if (!named)
          throw invalid(`Service ${s.metadata.name}: targetPort "${target}" names no container port of ${inst.name}`);
        target = named.containerPort;
      }
      add(`${target}/${(sp.protocol ?? 'TCP').toLowerCase()}`, '', sp.nodePort ?? sp.port);
    }
  }
  return b;
}

/** The pod's containers: the first holds the network, aliases and ports; the rest share its network. */
function podOf(inst: Instance, o: PlayObjects, plan: PlayPlan, published: Set<string>): PlannedPod {
  const ctx: PodContext = {
    pod: inst.name,
    volumes: podVolumes(inst, o, plan),
    configMaps: new Map([...o.configMaps].map(([k, v]) => [k, v.text])),
    secrets: new Map([...o.secrets].map(([k, v]) => [k, v.text])),
  };
  const labels: StrMap = {
    ...inst.annotations,
    ...inst.labels,
    [PLAY_LABEL]: plan.id,
    [WORKLOAD_LABEL]: `${inst.w.kind}/${inst.w.metadata.name}`,
    [POD_LABEL]: inst.name,
  };
  const aliases = [
    inst.name,
    ...o.services.filter((s) => matches(s.spec.selector, inst.labels)).map((s) => s.metadata.name),
  ];
  const host = inst.spec.hostNetwork === true;
  const cs = inst.spec.containers ?? [];
  if (!cs.length) throw invalid(`pod ${inst.name}: no containers`);
  const one = cs.length === 1;
  const names = cs.map((c) => (one ? inst.name : `${inst.name}-${c.name}`));
  const containers = cs.map((c, i): PlannedContainer => {
    const { body, files } = createOf(c, inst.spec, ctx, false);
    body.Labels = labels;
    const hc = body.HostConfig!;
    if (i > 0) {
      hc.NetworkMode = `container:${names[0]}`;
      delete body.ExposedPorts;
      delete body.Hostname;
    } else if (host) {
      hc.NetworkMode = 'host';
      delete body.Hostname; // Docker refuses a hostname with the host's network
    } else {
      body.Hostname ??= inst.name; // a pod's hostname is its name
      hc.NetworkMode = plan.network;
      body.NetworkingConfig = { EndpointsConfig: { [plan.network]: { Aliases: [...new Set(aliases)] } } };
      const exposed = Object.fromEntries(
        cs.flatMap((x) => x.ports ?? []).map((p) => [`${p.containerPort}/${(p.protocol ?? 'TCP').toLowerCase()}`, {}]),
      );
      if (Object.keys(exposed).length) body.ExposedPorts = exposed;
      hc.PortBindings = bindingsOf(inst, o.services, published, (m) => plan.warnings.push(m));
    }
    return { name: names[i], body, files };
  });
  const init = (inst.spec.initContainers ?? []).map((c): PlannedContainer => {
    const { body, files } = createOf(c, inst.spec, ctx, true);
    body.Labels = labels;
    body.HostConfig!.NetworkMode = host ? 'host' : plan.network;
    return { name: `${inst.name}-init-${c.name}`, body, files };
  });
  return { name: inst.name, init, containers };
}

function warnServices(o: PlayObjects, instances: Instance[], warn: (m: string) => void): void {
  for (const s of o.services) {
    if (!instances.some((i) => matches(s.spec.selector, i.labels)))
      warn(`Service ${s.metadata.name} selects no pod in the file`);
    if (s.spec.type === 'LoadBalancer' || s.spec.type === 'NodePort') continue;
    for (const p of s.spec.ports ?? [])
      if (p.targetPort !== undefined && p.targetPort !== p.port)
        warn(
          `Service ${s.metadata.name}: port ${p.port} → ${p.targetPort}: on berth the name reaches the container's own port ${p.targetPort}`,
        );
  }
}

/** The whole play of `o` under the name `id`. Throws (creating nothing) on anything it cannot run. */
export function planPlay(o: PlayObjects, id: string): PlayPlan {
  const plan: PlayPlan = { id, network: `kube-${id}`, volumes: [], pods: [], images: [], warnings: [...o.warnings] };
  const instances = o.workloads.flatMap(instancesOf);
  for (const inst of instances) {
    const n = inst.w.kind === 'Pod' ? 1 : (inst.w.spec.replicas ?? 1);
    const hp = inst.spec.containers?.some((c) => c.ports?.some((p) => p.hostPort));
    if (n > 1 && hp)
      throw invalid(
        `${inst.w.kind} "${inst.w.metadata.name}": hostPort with ${n} replicas would publish one port twice`,
      );
  }
  const names = new Set<string>();
  const published = new Set<string>();
  for (const inst of instances) {
    const pod = podOf(inst, o, plan, published);
    for (const c of [...pod.init, ...pod.containers]) {
      if (names.has(c.name)) throw invalid(`two containers would be named ${c.name}`);
      names.add(c.name);
      if (!plan.images.includes(c.body.Image!)) plan.images.push(c.body.Image!);
    }
    plan.pods.push(pod);
  }
  warnServices(o, instances, (m) => plan.warnings.push(m));
  return plan;
}
