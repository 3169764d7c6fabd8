// Docker's create-time rules: defaults, merging the image's config into the container's, validation.
import { invalid, notFound } from '../errdefs.js';
import type { ImageRuntimeConfig } from './ports.js';
import {
  validateEnv,
  validateExtraHosts,
  validateHealthcheck,
  validateHostname,
  validateLateResources,
  validateModes,
  validatePortBindings,
  validateStorageOpt,
  validateWorkingDir,
} from './create-checks.js';
import { validateResources } from './resources.js';
import type { ContainerConfig, HostConfig } from './types.js';

export interface CreateRequest {
  name?: string;
  config: Partial<ContainerConfig> & Record<string, unknown>;
  hostConfig?: Partial<HostConfig> | null;
  networkingConfig?: unknown;
}

export function defaultHostConfig(): HostConfig {
  return {
    Binds: null,
    ContainerIDFile: '',
    LogConfig: { Type: '', Config: {} },
    NetworkMode: 'bridge',
    PortBindings: {},
    RestartPolicy: { Name: 'no', MaximumRetryCount: 0 },
    AutoRemove: false,
    VolumeDriver: '',
    VolumesFrom: null,
    ConsoleSize: [0, 0],
    CapAdd: null,
    CapDrop: null,
    CgroupnsMode: 'host',
    // absent stays absent, as moby stores the request (the docker CLI itself sends [])
    Dns: null,
    DnsOptions: null,
    DnsSearch: null,
    ExtraHosts: null,
    GroupAdd: null,
    IpcMode: 'private',
    Cgroup: '',
    Links: null,
    OomScoreAdj: 0,
    PidMode: '',
    Privileged: false,
    PublishAllPorts: false,
    ReadonlyRootfs: false,
    SecurityOpt: null,
    UTSMode: '',
    UsernsMode: '',
    ShmSize: 67108864,
    Runtime: 'runc',
    Isolation: '',
    CpuShares: 0,
    Memory: 0,
    NanoCpus: 0,
    CgroupParent: '',
    BlkioWeight: 0,
    BlkioWeightDevice: [],
    BlkioDeviceReadBps: [],
    BlkioDeviceWriteBps: [],
    BlkioDeviceReadIOps: [],
    BlkioDeviceWriteIOps: [],
    CpuPeriod: 0,
    CpuQuota: 0,
    CpuRealtimePeriod: 0,
    CpuRealtimeRuntime: 0,
    CpusetCpus: '',
    CpusetMems: '',
    Devices: [],
    DeviceCgroupRules: null,
    DeviceRequests: null,
    MemoryReservation: 0,
    MemorySwap: 0,
    MemorySwappiness: null,
    OomKillDisable: null,
    PidsLimit: null,
    Ulimits: null,
    CpuCount: 0,
    CpuPercent: 0,
    IOMaximumIOps: 0,
    IOMaximumBandwidth: 0,
    MaskedPaths: undefined,
    ReadonlyPaths: undefined,
  };
}

const envKey = (e: string) => {
  const i = e.indexOf('=');
  return i < 0 ? e : e.slice(0, i);
};

/** Image env first, the container's entries replace same-named ones (Docker's ReplaceOrAppendEnvValues). */
export function mergeEnv(base: string[], overrides: string[]): string[] {
  const out: Array<string | null> = [...base];
  const idx = new Map(out.map((e, i) => [envKey(e!), i]));
  for (const e of overrides) {
    const k = envKey(e);
    const i = idx.get(k);
    if (!e.includes('=')) {
      // "-e NAME" without a value that the client could not resolve: drop it, as Docker does
      // (marked, removed at the end, so the other indexes stay valid)
      if (i !== undefined) out[i] = null;
      idx.delete(k);
      continue;
    }
    if (i !== undefined) out[i] = e;
    else {
      idx.set(k, out.length);
      out.push(e);
    }
  }
  return out.filter((e): e is string => e !== null);
}

/**
 * The stored Config.Env (moby daemon/commit.go merge): the request's entries as given, names without
 * a value included, then the image's entries whose name the request does not use. Only the
 * process environment drops a bare name (containerEnv).
 */
export function configEnv(image: readonly string[], request: readonly string[]): string[] {
  if (request.length === 0) return [...image];
  const used = new Set(request.map(envKey));
  return [...request, ...image.filter((e) => !used.has(envKey(e)))];
}

export function mergeConfig(id: string, c: CreateRequest['config'], img: ImageRuntimeConfig): ContainerConfig {
  // moby's verifyContainerSettings checks on the request's own Config, before anything is made
  validateEnv(c.Env);
  validateWorkingDir(c.WorkingDir);
  validateHostname(c.Hostname);
  validateHealthcheck(c.Healthcheck as Parameters<typeof validateHealthcheck>[0]);
  const cfg: ContainerConfig = {
    Hostname: c.Hostname || id.slice(0, 12),
    Domainname: c.Domainname ?? '',
    User: c.User || img.User || '',
    AttachStdin: !!c.AttachStdin,
    AttachStdout: !!c.AttachStdout,
    AttachStderr: !!c.AttachStderr,
    Tty: !!c.Tty,
    OpenStdin: !!c.OpenStdin,
    StdinOnce: !!c.StdinOnce,
    Env: configEnv(img.Env ?? [], c.Env ?? []),
    Cmd: null,
    Image: String(c.Image ?? ''),
    Volumes: { ...(img.Volumes ?? {}), ...(c.Volumes ?? {}) },
    WorkingDir: c.WorkingDir || img.WorkingDir || '',
    Entrypoint: null,
    OnBuild: c.OnBuild ?? null,
    Labels: { ...(img.Labels ?? {}), ...(c.Labels ?? {}) },
  };
  const exposed = { ...(img.ExposedPorts ?? {}), ...(c.ExposedPorts ?? {}) };
  if (Object.keys(exposed).length) cfg.ExposedPorts = exposed;
  if (Object.keys(cfg.Volumes!).length === 0) cfg.Volumes = null;
  // An explicit entrypoint drops the image's Cmd (Docker); an empty-string entrypoint clears the image's.
  const userEp = c.Entrypoint;
  const userCmd = c.Cmd?.length ? c.Cmd : null;
  if (userEp !== undefined && userEp !== null && userEp.length === 0) {
    // an empty entrypoint list clears the image's but keeps its Cmd (moby's merge)
    cfg.Cmd = userCmd ?? (img.Cmd?.length ? img.Cmd : null);
  } else if (userEp !== undefined && userEp !== null) {
    const ep = userEp.length === 1 && userEp[0] === '' ? null : userEp;
    cfg.Entrypoint = ep?.length ? ep : null;
    cfg.Cmd = userCmd;
  } else {
    cfg.Entrypoint = img.Entrypoint?.length ? img.Entrypoint : null;
    cfg.Cmd = userCmd ?? (img.Cmd?.length ? img.Cmd : null);
  }
  const stop = c.StopSignal || img.StopSignal;
  if (stop) cfg.StopSignal = stop;
  if (typeof c.StopTimeout === 'number') cfg.StopTimeout = c.StopTimeout;
  if (c.Healthcheck || img.Healthcheck)
    cfg.Healthcheck = (c.Healthcheck ?? img.Healthcheck) as ContainerConfig['Healthcheck'];
  if (c.MacAddress) cfg.MacAddress = c.MacAddress;
  if (c.Shell || img.Shell) cfg.Shell = (c.Shell ?? img.Shell) as string[];
  if (c.ArgsEscaped) cfg.ArgsEscaped = true;
  return cfg;
}

/** `userNetworks`: a network port resolves other network names (then only the built-in forms are checked here). */
export function validateHostConfig(h: HostConfig, o: { userNetworks?: boolean } = {}): void {
  const rp = h.RestartPolicy;
  switch (rp.Name) {
    case '':
    case 'no':
    case 'always':
    case 'unless-stopped':
      if (rp.MaximumRetryCount !== 0)
        throw invalid(
          `invalid restart policy: maximum retry count can only be used with 'on-failure'${rp.MaximumRetryCount < 0 ? ' and cannot be negative' : ''}`,
        );
      break;
    case 'on-failure':
      if (rp.MaximumRetryCount < 0) throw invalid('invalid restart policy: maximum retry count cannot be negative');
      break;
    default:
      throw invalid(
        `invalid restart policy: unknown policy '${String(rp.Name)}'; use one of 'no', 'always', 'on-failure', or 'unless-stopped'`,
      );
  }
  if (h.AutoRemove && rp.Name && rp.Name !== 'no')
    throw invalid(`invalid restart policy: can't create 'AutoRemove' container with restart policy`);
  validatePortBindings(h.PortBindings);
  validateExtraHosts(h.ExtraHosts);
  validateModes(h as Parameters<typeof validateModes>[0]);
  validateStorageOpt(h.StorageOpt);
  // moby: any non-zero memory below 6MB, negative included
  if (h.Memory !== 0 && h.Memory < 6 * 1024 * 1024) throw invalid('Minimum memory limit allowed is 6MB');
  if (h.MemorySwap > 0 && h.Memory > 0 && h.MemorySwap < h.Memory)
    throw invalid('Minimum memoryswap limit should be larger than memory limit, see usage');
  if (h.MemorySwap > 0 && !h.Memory)
    throw invalid('You should always set the Memory limit when using Memoryswap limit, see usage');
  if (h.NanoCpus && (h.CpuQuota || h.CpuPeriod))
    throw invalid('Conflicting options: Nano CPUs and CPU Period cannot both be set');
  validateResources(h);
  validateLateResources(h);
  if (h.CpuPeriod && (h.CpuPeriod < 1000 || h.CpuPeriod > 1000000))
    throw invalid('CPU cfs period can not be less than 1ms (i.e. 1000) or larger than 1s (i.e. 1000000)');
  if (h.CpuQuota && h.CpuQuota > 0 && h.CpuQuota < 1000)
    throw invalid('CPU cfs quota can not be less than 1ms (i.e. 1000)');
  if (h.ShmSize < 0) throw invalid('SHM size can not be less than 0');
  if (h.OomScoreAdj < -1000 || h.OomScoreAdj > 1000)
    throw invalid(`Invalid value ${h.OomScoreAdj}, range for oom score adj is [-1000, 1000]`);
  const nm = h.NetworkMode || 'default';
  if (!o.userNetworks && !['default', 'bridge', 'host', 'none'].includes(nm) && !nm.startsWith('container:'))
    throw notFound(`network ${nm} not found`);
  if (nm.startsWith('container:') && nm.length === 'container:'.length)
    throw invalid('Invalid network mode: invalid container format container:<name|id>');
  for (const c of [...(h.CapAdd ?? []), ...(h.CapDrop ?? [])]) {
    if (!/^(CAP_)?[A-Z_]+$/i.test(c)) throw invalid(`unknown capability: "${c}"`);
  }
}
