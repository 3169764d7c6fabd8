// Service → Engine API container create body, with the com.docker.compose.* labels docker-compose
// also uses, so both tools see the same containers.
import { createHash } from 'node:crypto';
import type { ContainerCreateRequest, HostConfig } from '../../client/types.js';
import { parsePublish, parseRestart } from '../opts/run-opts.js';
import { parseBytes, parseDuration } from './units.js';
import type { Project, Service } from './types.js';
import { keyValueMap } from '../opts/key-value.js';

export const L = {
  project: 'com.docker.compose.project',
  service: 'com.docker.compose.service',
  number: 'com.docker.compose.container-number',
  oneoff: 'com.docker.compose.oneoff',
  hash: 'com.docker.compose.config-hash',
  version: 'com.docker.compose.version',
  workingDir: 'com.docker.compose.project.working_dir',
  configFiles: 'com.docker.compose.project.config_files',
  network: 'com.docker.compose.network',
  volume: 'com.docker.compose.volume',
  dependsOn: 'com.docker.compose.depends_on',
  image: 'com.docker.compose.image',
} as const;

export const COMPOSE_VERSION = '2.24.0-berth';

type Obj = Record<string, unknown>;
const str = (v: unknown): string | undefined => (v === undefined || v === null ? undefined : String(v));
const strs = (v: unknown): string[] | undefined =>
  Array.isArray(v) ? v.map(String) : v === undefined ? undefined : [String(v)];

/** The image a service runs: `image:` or `<project>-<service>` for build-only services. */
export function imageName(p: Project, s: Service): string {
  return s.image ?? `${p.name}-${s.name}`;
}

/** Hash of everything that makes a container (recreate when it changes). */
export function configHash(s: Service): string {
  const { profiles: _p, replicas: _r, raw, ...rest } = s;
  const r = { ...raw };
  for (const k of ['scale', 'profiles', 'depends_on']) delete r[k];
  if (r.deploy && typeof r.deploy === 'object') {
    const d = { ...(r.deploy as Obj) };
    delete d.replicas;
    r.deploy = d;
  }
  return createHash('sha256')
    .update(JSON.stringify({ ...rest, raw: r, depends_on: undefined }))
    .digest('hex');
}

function healthcheck(h: unknown, where: string): ContainerCreateRequest['Healthcheck'] | undefined {
  if (!h || typeof h !== 'object') return undefined;
  const o = h as Obj;
  if (o.disable === true) return { Test: ['NONE'] };
  const hc: NonNullable<ContainerCreateRequest['Healthcheck']> = {};
  if (o.test !== undefined)
    hc.Test = typeof o.test === 'string' ? ['CMD-SHELL', o.test] : (o.test as unknown[]).map(String);
  if (o.interval !== undefined) hc.Interval = parseDuration(o.interval as string, `${where}.interval`);
  if (o.timeout !== undefined) hc.Timeout = parseDuration(o.timeout as string, `${where}.timeout`);
  if (o.start_period !== undefined) hc.StartPeriod = parseDuration(o.start_period as string, `${where}.start_period`);
  if (o.retries !== undefined) hc.Retries = Number(o.retries);
  return hc;
}

export interface ContainerPlan {
  name: string;
  body: ContainerCreateRequest;
  /** Networks to connect after create (the first one goes in NetworkingConfig). */
  extraNetworks: { name: string; aliases: string[]; ipv4?: string }[];
}

/** The create request for replica `n` of a service (or a one-off `run` container when oneoff). */
export function containerPlan(
  p: Project,
  s: Service,
  n: number,
  o: { oneoff?: boolean; name?: string } = {},
): ContainerPlan {
  const r = s.raw;
  const where = `services.${s.name}`;
  const name = o.name ?? (r.container_name && !o.oneoff ? String(r.container_name) : `${p.name}-${s.name}-${n}`);
  const labels = labelsOf(p, s, n, o.oneoff === true);
  const { exposed, bindings } = parsePublish(s.ports);
  for (const e of strs(r.expose) ?? []) exposed[e.includes('/') ? e : `${e}/tcp`] = {};
  const { binds, volumes, tmpfs } = storageOf(p, s);
  const netNames = Object.keys(s.networks);
  const hc = hostConfigOf(p, s, { oneoff: o.oneoff === true, binds, tmpfs, bindings, netNames });
  const first = netNames[0];
  const endpoint = (k: string) => ({
    Aliases: o.oneoff ? [...s.networks[k].aliases] : [s.name, ...s.networks[k].aliases],
    ...(s.networks[k].ipv4_address ? { IPAMConfig: { IPv4Address: s.networks[k].ipv4_address } } : {}),
  });
  const body: ContainerCreateRequest = {
    Hostname: str(r.hostname),
    Domainname: str(r.domainname),
    User: str(r.user),
    ExposedPorts: exposed,
    Tty: r.tty === true,
    OpenStdin: r.stdin_open === true,
    Env: Object.entries(s.environment).map(([k, v]) => `${k}=${v}`),
    Cmd: s.command,
    Entrypoint: s.entrypoint,
    Image: imageName(p, s),
    Volumes: volumes,
    WorkingDir: str(r.working_dir),
    Labels: labels,
    StopSignal: str(r.stop_signal),
    StopTimeout:
      r.stop_grace_period === undefined
        ? undefined
        : Math.round(parseDuration(r.stop_grace_period as string, `${where}.stop_grace_period`) / 1e9),
    Healthcheck: healthcheck(r.healthcheck, `${where}.healthcheck`),
    HostConfig: hc,
    NetworkingConfig:
      first && r.network_mode === undefined
        ? { EndpointsConfig: { [p.networks[first].name]: endpoint(first) } }
        : undefined,
  };
  const extraNetworks =
    r.network_mode === undefined
      ? netNames
          .slice(1)
          .map((k) => ({ name: p.networks[k].name, aliases: endpoint(k).Aliases, ipv4: s.networks[k].ipv4_address }))
      : [];
  return { name, body, extraNetworks };
}

/** Compose's labels on replica `n`: how `up` finds the container again and tells if it changed. */
function labelsOf(p: Project, s: Service, n: number, oneoff: boolean): Record<string, string> {
  return {
    ...s.labels,
    [L.project]: p.name,
    [L.service]: s.name,
    [L.number]: String(n),
    [L.oneoff]: oneoff ? 'True' : 'False',
    [L.hash]: configHash(s),
    [L.version]: COMPOSE_VERSION,
    [L.workingDir]: p.workingDir,
    [L.configFiles]: p.configFiles.join(','),
    [L.dependsOn]: Object.entries(s.depends_on)
      .map(([d, c]) => `${d}:${c.condition}:false`)
      .join(','),
    [L.image]: imageName(p, s),
  };
}

/** The service's volumes as Binds (named and bind mounts), anonymous Volumes and Tmpfs. */
function storageOf(
  p: Project,
  s: Service,
): { binds: string[]; volumes: Record<string, object>; tmpfs: Record<string, string> } {
  const r = s.raw;
  const binds: string[] = [];
  const volumes: Record<string, object> = {};
  const tmpfs: Record<string, string> = {};
  for (const v of s.volumes) {
    if (v.type === 'tmpfs') tmpfs[v.target] = '';
    else if (!v.source) volumes[v.target] = {};
    else {
      const src = v.type === 'volume' ? p.volumes[v.source].name : v.source;
      binds.push(`${src}:${v.target}${v.readOnly ? ':ro' : ''}`);
    }
  }
  Object.assign(tmpfs, keyValueMap(strs(r.tmpfs) ?? [], ':'));
  return { binds, volumes, tmpfs };
}

/** The service's HostConfig; `o` carries what containerPlan derived first. */
function hostConfigOf(
  p: Project,
  s: Service,
  o: {
    oneoff: boolean;
    binds: string[];
    tmpfs: Record<string, string>;
    bindings: HostConfig['PortBindings'];
    netNames: string[];
  },
): HostConfig {
  const { binds, tmpfs, bindings, netNames } = o;
  const r = s.raw;
  const where = `services.${s.name}`;
  const deploy = (r.deploy as Obj | undefined) ?? {};
  const limits = ((deploy.resources as Obj | undefined)?.limits as Obj | undefined) ?? {};
  const networkMode = str(r.network_mode) ?? (netNames[0] ? p.networks[netNames[0]].name : 'none');
  const memory = r.mem_limit ?? limits.memory;
  const cpus = r.cpus ?? limits.cpus;
  const logging = r.logging as Obj | undefined;
  return {
    Binds: binds,
    NetworkMode: networkMode,
    PortBindings: bindings,
    RestartPolicy: parseRestart(o.oneoff ? 'no' : (str(r.restart) ?? 'no')),
    Privileged: r.privileged === true,
    CapAdd: strs(r.cap_add),
    CapDrop: strs(r.cap_drop),
    ReadonlyRootfs: r.read_only === true,
    SecurityOpt: strs(r.security_opt),
    Init: r.init === undefined ? null : r.init === true,
    Memory: memory === undefined ? undefined : parseBytes(memory as string, `${where}.mem_limit`),
    MemorySwap:
      r.memswap_limit === undefined ? undefined : parseBytes(r.memswap_limit as string, `${where}.memswap_limit`),
    NanoCpus: cpus === undefined ? undefined : Math.round(Number(cpus) * 1e9),
    CpuShares: r.cpu_shares === undefined ? undefined : Number(r.cpu_shares),
    CpusetCpus: str(r.cpuset),
    PidsLimit: r.pids_limit === undefined ? undefined : Number(r.pids_limit),
    Tmpfs: Object.keys(tmpfs).length ? tmpfs : undefined,
    Dns: strs(r.dns),
    DnsSearch: strs(r.dns_search),
    ExtraHosts: Array.isArray(r.extra_hosts)
      ? r.extra_hosts.map(String)
      : r.extra_hosts
        ? Object.entries(r.extra_hosts as Obj).map(([h, ip]) => `${h}:${String(ip)}`)
        : undefined,
    Links: strs(r.links)?.map((l) => {
      const [svc, alias = svc] = l.split(':');
      return `${p.name}-${svc}-1:${alias}`;
    }),
    LogConfig: logging
      ? { Type: str(logging.driver) ?? '', Config: (logging.options as Record<string, string>) ?? {} }
      : undefined,
    ShmSize: r.shm_size === undefined ? undefined : parseBytes(r.shm_size as string, `${where}.shm_size`),
    Sysctls: r.sysctls as Record<string, string> | undefined,
    PidMode: str(r.pid),
    IpcMode: str(r.ipc),
    GroupAdd: strs(r.group_add),
    OomScoreAdj: r.oom_score_adj === undefined ? undefined : Number(r.oom_score_adj),
    Ulimits: r.ulimits
      ? Object.entries(r.ulimits as Obj).map(([n, v]) =>
          typeof v === 'object'
            ? { Name: n, Soft: Number((v as Obj).soft), Hard: Number((v as Obj).hard) }
            : { Name: n, Soft: Number(v), Hard: Number(v) },
        )
      : undefined,
    Devices: strs(r.devices)?.map((d) => {
      const [h, c = h, perm = 'rwm'] = d.split(':');
      return { PathOnHost: h, PathInContainer: c, CgroupPermissions: perm };
    }),
  };
}
