// `kube generate`: groups of Docker containers → Pods, Deployments or StatefulSets, with Services
// for DNS names and published ports, PersistentVolumeClaims for named volumes and Secrets for env
// files. Every Docker setting without a Kubernetes field becomes a warning.
import type { GenerateOptions, SourceContainer, SourceGroup } from './source.js';
import type { Container, Generated, KubeObject, PodSpec, Secret, StrMap, Workload } from './types.js';
import { containerOf, type PublishedPort, type Warn } from './container-spec.js';
import { dnsName, isAnnotationKey, isLabel } from './names.js';
import { PodVolumes } from './pod-volumes.js';
import { warnUnsupported } from './unsupported.js';
import { servicesOf } from './services.js';

/** The selector label every generated workload and Service uses. */
export const APP_LABEL = 'app.kubernetes.io/name';
/** Label prefixes that are Docker/compose/berth bookkeeping, recreated by whoever runs the YAML. */
const BOOKKEEPING = ['com.docker.compose.', 'io.berth.kube.', 'org.opencontainers.image.'];

/** The group's user labels as Kubernetes labels, and those Kubernetes refuses as annotations. */
export function metaOf(g: SourceGroup, warn: Warn): { labels: StrMap; annotations: StrMap } {
  const labels: StrMap = {};
  const annotations: StrMap = {};
  const c = g.containers[0];
  const img = c?.imageDefaults?.Labels ?? {};
  for (const [k, v] of Object.entries(c?.config.Labels ?? {})) {
    if (BOOKKEEPING.some((p) => k.startsWith(p)) || img[k] === v) continue;
    if (isLabel(k, v)) labels[k] = v;
    else if (isAnnotationKey(k)) annotations[k] = v;
    else warn(`${g.name}: label "${k}" is not a valid Kubernetes label or annotation key`);
  }
  return { labels, annotations };
}

function restartOf(c: SourceContainer, type: GenerateOptions['type'], warn: Warn): PodSpec['restartPolicy'] {
  const r = c.hostConfig.RestartPolicy;
  const name = r?.Name || 'no';
  if (type !== 'pod') {
    if (name !== 'always' && name !== 'unless-stopped')
      warn(
        `${c.name}: restart policy "${name}": a ${type === 'deployment' ? 'Deployment' : 'StatefulSet'} always restarts`,
      );
    return undefined;
  }
  if (name === 'on-failure') {
    if (r?.MaximumRetryCount) warn(`${c.name}: on-failure:${r.MaximumRetryCount}: Kubernetes has no retry count`);
    return 'OnFailure';
  }
  if (name === 'unless-stopped') warn(`${c.name}: restart policy unless-stopped is written as Always`);
  return name === 'no' ? 'Never' : 'Always';
}

/** Pod-level fields from the first container: network mode, hosts, hostname, grace period. */
function podLevel(c: SourceContainer, spec: PodSpec, warn: Warn): void {
  const nm = c.hostConfig.NetworkMode ?? '';
  if (nm === 'host') spec.hostNetwork = true;
  else if (nm === 'none' || nm.startsWith('container:'))
    warn(`${c.name}: network mode ${nm} has no pod equivalent (pods always have a network)`);
  const hosts = (c.hostConfig.ExtraHosts ?? []).map((h) => {
    const i = h.indexOf(':');
    return { ip: h.slice(i + 1), hostnames: [h.slice(0, i)] };
  });
  if (hosts.length) spec.hostAliases = hosts;
  const hn = c.config.Hostname;
  // inspect reports the short id as the hostname when none was set (kube play: the pod's name)
  if (hn && !/^[0-9a-f]{12}$/.test(hn) && hn !== c.name) spec.hostname = dnsName(hn);
  if (c.config.StopTimeout !== undefined && c.config.StopTimeout !== null)
    spec.terminationGracePeriodSeconds = c.config.StopTimeout;
}

interface PodParts {
  spec: PodSpec;
  objects: KubeObject[];
  ports: PublishedPort[];
}

function waitFor(dep: string, image: string): Container {
  const host = dnsName(dep);
  return {
    name: dnsName(`wait-for-${dep}`),
    image,
    command: ['sh', '-c', `until nslookup ${host} >/dev/null 2>&1; do echo waiting for ${host}; sleep 1; done`],
  };
}

/** The pod spec of a group and the claims and secrets it needs. */
function podOf(g: SourceGroup, o: GenerateOptions, warn: Warn): PodParts {
  const vols = new PodVolumes(warn);
  const objects: KubeObject[] = [];
  const ports: PublishedPort[] = [];
  const one = g.containers.length === 1;
  const containers = g.containers.map((c) => {
    warnUnsupported(c, warn);
    const name = one ? dnsName(g.name) : dnsName(c.name);
    const { container, ports: p } = containerOf(c, name, { warn, hostPorts: !o.service });
    ports.push(...p);
    const mounts = vols.mountsOf(c);
    if (mounts.length) container.volumeMounts = mounts;
    if (c.secretEnv && Object.keys(c.secretEnv).length) {
      const sname = one ? `${dnsName(g.name)}-env` : dnsName(`${g.name}-${c.name}-env`);
      const s: Secret = { apiVersion: 'v1', kind: 'Secret', metadata: { name: sname }, type: 'Opaque' };
      s.stringData = { ...c.secretEnv };
      objects.push(s);
      container.envFrom = [{ secretRef: { name: sname } }];
    }
    return container;
  });
  const spec: PodSpec = { containers };
  if (g.dependsOn.length) spec.initContainers = g.dependsOn.map((d) => waitFor(d, o.waitImage ?? 'busybox'));
  if (vols.volumes.length) spec.volumes = vols.volumes;
  const restart = restartOf(g.containers[0], o.type, warn);
  if (restart) spec.restartPolicy = restart;
  podLevel(g.containers[0], spec, warn);
  objects.push(...vols.claims);
  return { spec, objects, ports };
}

function workloadOf(g: SourceGroup, o: GenerateOptions, spec: PodSpec, meta: ReturnType<typeof metaOf>): Workload {
  const name = dnsName(g.name);
  const sel = { [APP_LABEL]: name };
  const labels = { ...meta.labels, ...sel };
  const ann = Object.keys(meta.annotations).length ? { annotations: meta.annotations } : {};
  if (o.type === 'pod') return { apiVersion: 'v1', kind: 'Pod', metadata: { name, labels, ...ann }, spec };
  const template = { metadata: { labels, ...ann }, spec };
  const metadata = { name, labels, ...ann };
  const selector = { matchLabels: sel };
  if (o.type === 'deployment')
    return { apiVersion: 'apps/v1', kind: 'Deployment', metadata, spec: { replicas: g.replicas, selector, template } };
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata,
    spec: { replicas: g.replicas, serviceName: name, selector, template },
  };
}

/** The objects for all groups, in apply order: claims and secrets, services, then workloads. */
export function generate(groups: SourceGroup[], o: GenerateOptions): Generated {
  const warnings: string[] = [];
  const warn = (m: string) => {
    if (!warnings.includes(m)) warnings.push(m);
  };
  const first: KubeObject[] = [];
  const services: KubeObject[] = [];
  const workloads: KubeObject[] = [];
  for (const g of groups) {
    if (o.type === 'pod' && g.replicas !== 1) warn(`${g.name}: ${g.replicas} replicas need --type deployment`);
    const meta = metaOf(g, warn);
    const pod = podOf(g, o, warn);
    for (const x of pod.objects)
      if (!first.some((y) => y.kind === x.kind && y.metadata.name === x.metadata.name)) first.push(x);
    services.push(...servicesOf(g, pod.ports, { ...o, forceHeadless: o.type === 'statefulset' }, warn));
    workloads.push(workloadOf(g, o, pod.spec, meta));
  }
  return { objects: [...first, ...services, ...workloads], warnings };
}
