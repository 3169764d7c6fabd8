// `run`/`create` flags → the Engine API's create request, as docker/cli's opts/parse.go builds it.
import { readFileSync } from 'node:fs';
import type { FlagSpec, Parsed } from '../flags/parser.js';
import { bytesOf, nanoCpusOf, resourceFlags, resourcesOf } from './resources.js';
import { get } from '../flags/parser.js';
import { flagTable } from '../flags/table.js';
import type { ContainerCreateRequest, HostConfig, MountSpec, PortBinding, RestartPolicy } from '../../client/types.js';
import { ramInBytes } from '../format/units.js';
import { parseGoDuration } from '../../util/go-duration.js';
import { ULIMIT_NAMES } from '../../util/go-units.js';
import { keyValueMap } from './key-value.js';

/** run/create flags in the order --help prints them. */
export const createFlags: FlagSpec[] = [
  ...flagTable(`
    interactive,i        bool            Keep STDIN open even if not attached
    tty,t                bool            Allocate a pseudo-TTY
    name                 string          Assign a name to the container
    env,e                list            Set environment variables
    env-file             list            Read in a file of environment variables
    hostname,h           string          Container host name
    domainname           string
    user,u               string          Username or UID (format: <name|uid>[:<group|gid>])
    workdir,w            string          Working directory inside the container
    entrypoint           string          Overwrite the default ENTRYPOINT of the image
    label,l              list            Set meta data on a container
    label-file           list
    restart              string=no       Restart policy to apply when a container exits
    rm                   bool            Automatically remove the container when it exits
    init                 bool            Run an init inside the container
    privileged           bool
    cap-add              list
    cap-drop             list
    read-only            bool
    security-opt         list
    network              string=default  Connect a container to a network
    net                  string
    network-alias        list            Add network-scoped alias for the container
    net-alias            list
    memory,m             string          Memory limit
    memory-swap          string
    cpus                 string          Number of CPUs
    cpu-shares,c         int
    cpuset-cpus          string
  `),
  ...resourceFlags,
  ...flagTable(
    `
    pids-limit           int
    stop-signal          string
    stop-timeout         int
    volume,v             list            Bind mount a volume
    mount                list
    tmpfs                list
    volumes-from         list
    publish,p            list            Publish a container's port(s) to the host
    publish-all,P        bool
    expose               list
    dns                  list
    add-host             list
    link                 list
    log-driver           string
    log-opt              list
    runtime              string
    platform             string
    pull                 string=missing
    quiet,q              bool
    attach,a             list
    health-cmd           string
    health-interval      string
    health-timeout       string
    health-retries       int
    health-start-period  string
    no-healthcheck       bool
    ip                   string
    shm-size             string
    ulimit               list
    device               list
    oom-kill-disable     bool
    memory-reservation   string
    cgroupns             string
    pid                  string
    ipc                  string
    uts                  string
    userns               string
    sysctl               list
  `,
    { sysctl: { check: validateSysctl } },
  ),
];

/** The docker CLI's opts.ValidateSysctl: key=value with a namespaced key, else refused client-side. */
const SYSCTLS = new Set(['msgmax', 'msgmnb', 'msgmni', 'sem', 'shmall', 'shmmax', 'shmmni', 'shm_rmid_forced']);
export function validateSysctl(v: string): void {
  const key = v.split('=')[0];
  const namespaced =
    (key.startsWith('kernel.') && SYSCTLS.has(key.slice(7))) || key.startsWith('net.') || key.startsWith('fs.mqueue.');
  if (!v.includes('=') || !namespaced) throw new Error(`sysctl '${v}' is not allowed`);
}

export const runOnlyFlags: FlagSpec[] = flagTable(`
  detach,d     bool       Run container in background and print container ID
  detach-keys  string     Override the key sequence for detaching a container
  sig-proxy    bool=true
`);

export class OptError extends Error {
  override name = 'OptError';
}

function readKV(path: string): string[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new OptError(`open ${path}: no such file or directory`);
  }
  return text
    .split('\n')
    .map((l) => l.replace(/^\s+/, ''))
    .filter((l) => l && !l.startsWith('#'));
}

/** `-e KEY` takes KEY from the caller's environment, and is dropped when unset. */
export function parseEnv(list: string[], envFiles: string[], env: NodeJS.ProcessEnv = process.env): string[] {
  const out: string[] = [];
  for (const raw of [...envFiles.flatMap(readKV), ...list]) {
    if (raw.startsWith('=')) throw new OptError(`invalid environment variable: ${raw}`);
    if (raw.includes('=')) out.push(raw);
    else if (env[raw] !== undefined) out.push(`${raw}=${env[raw]}`);
  }
  return out;
}

export function parseLabels(list: string[], files: string[]): Record<string, string> {
  return keyValueMap([...files.flatMap(readKV), ...list]);
}

/** strconv.ParseInt(s, 10, 64) with Go's error text. */
function parseInt64(s: string): number {
  if (!/^[+-]?\d+$/.test(s)) throw new Error(`strconv.ParseInt: parsing ${JSON.stringify(s)}: invalid syntax`);
  const v = BigInt(s);
  if (v > 2n ** 63n - 1n || v < -(2n ** 63n))
    throw new Error(`strconv.ParseInt: parsing ${JSON.stringify(s)}: value out of range`);
  return Number(v);
}

/** `--ulimit name=soft[:hard]`, docker/go-units ParseUlimit (soft and hard were NaN for junk). */
export function parseUlimit(u: string): { Name: string; Soft: number; Hard: number } {
  const fail = (m: string) => new OptError(`invalid argument "${u}" for "--ulimit" flag: ${m}`);
  const i = u.indexOf('=');
  if (i < 0) throw fail(`invalid ulimit argument: ${u}`);
  const name = u.slice(0, i);
  const vals = u.slice(i + 1).split(':');
  if (!ULIMIT_NAMES.has(name)) throw fail(`invalid ulimit type: ${name}`);
  if (vals.length > 2)
    throw fail(`too many limit value arguments - ${u.slice(i + 1)}, can only have up to two, \`soft[:hard]\``);
  let soft: number;
  let hard: number;
  try {
    hard = vals.length === 2 ? parseInt64(vals[1]) : NaN;
    soft = parseInt64(vals[0]);
  } catch (e) {
    throw fail((e as Error).message);
  }
  if (vals.length === 1) hard = soft;
  if (hard !== -1 && soft > hard)
    throw fail(`ulimit soft limit must be less than or equal to hard limit: ${soft} > ${hard}`);
  return { Name: name, Soft: soft, Hard: hard };
}

export function parseRestart(s: string): RestartPolicy {
  if (s === '' || s === 'no') return { Name: 'no', MaximumRetryCount: 0 };
  const [name, count, extra] = s.split(':');
  if (extra !== undefined) throw new OptError(`invalid restart policy format: maximum retry count must be an integer`);
  if (name !== 'always' && name !== 'unless-stopped' && name !== 'on-failure')
    throw new OptError(`invalid restart policy format: unknown policy '${name}'`);
  if (count !== undefined) {
    if (!/^\d+$/.test(count))
      throw new OptError(`invalid restart policy format: maximum retry count must be an integer`);
    if (name !== 'on-failure')
      throw new OptError(`invalid restart policy format: maximum retry count can only be used with 'on-failure'`);
  }
  return { Name: name, MaximumRetryCount: count ? Number(count) : 0 };
}

/** A port or range; `what` names it in docker's error ("containerPort", "hostPort"). */
function portRange(s: string, what = 'containerPort'): [number, number] {
  const [a, b] = s.split('-');
  const lo = Number(a);
  const hi = b === undefined ? lo : Number(b);
  if (!/^\d+$/.test(a) || (b !== undefined && !/^\d+$/.test(b)) || lo > hi || hi > 65535)
    throw new OptError(`invalid ${what}: ${s}`);
  return [lo, hi];
}

/** `-p [ip:][hostPort:]containerPort[/proto]` with ranges → ExposedPorts + PortBindings. */
export function parsePublish(specs: string[]): {
  exposed: Record<string, object>;
  bindings: Record<string, PortBinding[]>;
} {
  const exposed: Record<string, object> = {};
  const bindings: Record<string, PortBinding[]> = {};
  for (const spec of specs) {
    let rest = spec;
    let proto = 'tcp';
    const slash = rest.lastIndexOf('/');
    if (slash >= 0) {
      proto = rest.slice(slash + 1).toLowerCase();
      rest = rest.slice(0, slash);
      if (!['tcp', 'udp', 'sctp'].includes(proto)) throw new OptError(`invalid proto: ${proto}`);
    }
    let ip = '';
    let hostPart = '';
    let containerPart: string;
    const ipv6 = /^\[([^\]]+)\]:(.*)$/.exec(rest);
    if (ipv6) {
      ip = ipv6[1];
      rest = ipv6[2];
      const i = rest.lastIndexOf(':');
      hostPart = rest.slice(0, i);
      containerPart = rest.slice(i + 1);
    } else {
      const parts = rest.split(':');
      if (parts.length === 1) containerPart = parts[0];
      else if (parts.length === 2) [hostPart, containerPart] = parts;
      else if (parts.length === 3) [ip, hostPart, containerPart] = parts;
      else throw new OptError(`invalid port format: ${spec}`);
    }
    if (!containerPart) throw new OptError(`no port specified: ${spec}<empty>`);
    const [clo, chi] = portRange(containerPart);
    let hlo = 0;
    let hhi = 0;
    if (hostPart) [hlo, hhi] = portRange(hostPart, 'hostPort');
    const n = chi - clo;
    if (hostPart && hhi - hlo !== n && n !== 0)
      throw new OptError(`invalid ranges specified for container and host Ports: ${containerPart} and ${hostPart}`);
    for (let i = 0; i <= n; i++) {
      const key = `${clo + i}/${proto}`;
      exposed[key] = {};
      let hostPort = '';
      if (hostPart) hostPort = n === 0 && hhi !== hlo ? `${hlo}-${hhi}` : String(hlo + i);
      (bindings[key] ??= []).push({ HostIp: ip, HostPort: hostPort });
    }
  }
  return { exposed, bindings };
}

/** `--mount type=bind,source=/a,target=/b,readonly` (csv). */
export function parseMount(spec: string): MountSpec {
  const m: MountSpec = { Type: 'volume', Target: '' };
  for (const field of spec.split(',')) {
    const i = field.indexOf('=');
    const k = (i < 0 ? field : field.slice(0, i)).trim().toLowerCase();
    const v = i < 0 ? '' : field.slice(i + 1);
    switch (k) {
      case 'type':
        m.Type = v;
        break;
      case 'source':
      case 'src':
        m.Source = v;
        break;
      case 'target':
      case 'destination':
      case 'dst':
        m.Target = v;
        break;
      case 'readonly':
      case 'ro':
        m.ReadOnly = i < 0 ? true : /^(1|true)$/i.test(v);
        break;
      case 'bind-propagation':
        m.BindOptions = { ...m.BindOptions, Propagation: v };
        break;
      case 'volume-nocopy':
        m.VolumeOptions = { ...m.VolumeOptions, NoCopy: i < 0 || /^(1|true)$/i.test(v) };
        break;
      case 'tmpfs-size':
        m.TmpfsOptions = { ...m.TmpfsOptions, SizeBytes: ramInBytes(v) };
        break;
      case 'tmpfs-mode':
        m.TmpfsOptions = { ...m.TmpfsOptions, Mode: parseInt(v, 8) };
        break;
      default:
        throw new OptError(`invalid field '${k}' must be a key=value pair`);
    }
  }
  if (!m.Target) throw new OptError('target is required');
  return m;
}

const nanos = parseGoDuration;

export interface CreateSpec {
  body: ContainerCreateRequest;
  name: string;
  platform: string;
}

/** Build the create request from parsed flags and positional [IMAGE, CMD...]. */
export function buildCreate(
  p: Parsed,
  args: string[],
  detach: boolean,
  env: NodeJS.ProcessEnv = process.env,
): CreateSpec {
  const [image, ...cmd] = args;
  const interactive = get.bool(p, 'interactive');
  const attach = get.list(p, 'attach').map((s) => s.toLowerCase());
  if (detach && attach.length) throw new OptError('Conflicting options: -a and -d');
  const attachStdin = detach ? false : attach.length ? attach.includes('stdin') : interactive;
  const attachStdout = detach ? false : attach.length ? attach.includes('stdout') : true;
  const attachStderr = detach ? false : attach.length ? attach.includes('stderr') : true;

  const restart = parseRestart(get.str(p, 'restart'));
  if (get.bool(p, 'rm') && restart.Name !== 'no') throw new OptError('Conflicting options: --restart and --rm');

  const published = parsePublish(get.list(p, 'publish'));
  for (const e of get.list(p, 'expose')) {
    const [port, proto = 'tcp'] = e.split('/');
    const [lo, hi] = portRange(port);
    for (let i = lo; i <= hi; i++) published.exposed[`${i}/${proto}`] = {};
  }

  const binds: string[] = [];
  const volumes: Record<string, object> = {};
  for (const v of get.list(p, 'volume')) {
    if (v.includes(':')) binds.push(v);
    else volumes[v] = {};
  }

  const tmpfs = keyValueMap(get.list(p, 'tmpfs'), ':');

  const network = p.set.has('net') ? get.str(p, 'net') : get.str(p, 'network');
  const hc = hostConfigOf(p, { network, binds, published, restart, tmpfs });

  const body: ContainerCreateRequest = {
    Hostname: get.str(p, 'hostname'),
    Domainname: get.str(p, 'domainname'),
    User: get.str(p, 'user'),
    AttachStdin: attachStdin,
    AttachStdout: attachStdout,
    AttachStderr: attachStderr,
    ExposedPorts: published.exposed,
    Tty: get.bool(p, 'tty'),
    OpenStdin: interactive,
    StdinOnce: interactive && attachStdin,
    Env: parseEnv(get.list(p, 'env'), get.list(p, 'env-file'), env),
    Cmd: cmd.length ? cmd : null,
    Image: image,
    Volumes: volumes,
    WorkingDir: get.str(p, 'workdir'),
    Entrypoint: p.set.has('entrypoint') ? [get.str(p, 'entrypoint')] : null,
    Labels: parseLabels(get.list(p, 'label'), get.list(p, 'label-file')),
    HostConfig: hc,
    NetworkingConfig: { EndpointsConfig: {} },
  };
  if (get.str(p, 'stop-signal')) body.StopSignal = get.str(p, 'stop-signal');
  if (p.set.has('stop-timeout')) body.StopTimeout = get.int(p, 'stop-timeout');
  const health = healthcheckOf(p);
  if (health) body.Healthcheck = health;
  const aliases = [...get.list(p, 'network-alias'), ...get.list(p, 'net-alias')];
  const ip = get.str(p, 'ip');
  if ((aliases.length || ip) && !['default', 'bridge', 'host', 'none'].includes(network)) {
    body.NetworkingConfig = {
      EndpointsConfig: { [network]: { Aliases: aliases, ...(ip ? { IPAMConfig: { IPv4Address: ip } } : {}) } },
    };
  }
  return { body, name: get.str(p, 'name'), platform: get.str(p, 'platform') };
}

/** HostConfig from the flags; `o` carries what buildCreate parsed first (its errors come first). */
function hostConfigOf(
  p: Parsed,
  o: {
    network: string;
    binds: string[];
    published: ReturnType<typeof parsePublish>;
    restart: RestartPolicy;
    tmpfs: Record<string, string>;
  },
): HostConfig {
  const { network, binds, published, restart, tmpfs } = o;
  const hc: HostConfig = {
    Binds: binds.length ? binds : null,
    NetworkMode: network,
    PortBindings: published.bindings,
    RestartPolicy: restart,
    AutoRemove: get.bool(p, 'rm'),
    VolumesFrom: get.list(p, 'volumes-from'),
    CapAdd: get.list(p, 'cap-add'),
    CapDrop: get.list(p, 'cap-drop'),
    Dns: get.list(p, 'dns'),
    ExtraHosts: get.list(p, 'add-host'),
    Links: get.list(p, 'link'),
    Privileged: get.bool(p, 'privileged'),
    PublishAllPorts: get.bool(p, 'publish-all'),
    ReadonlyRootfs: get.bool(p, 'read-only'),
    SecurityOpt: get.list(p, 'security-opt'),
    Mounts: get.list(p, 'mount').map(parseMount),
    Memory: bytesOf(p, 'memory'),
    MemorySwap: bytesOf(p, 'memory-swap', true),
    NanoCpus: nanoCpusOf(p, (m) => new OptError(m)),
    CpuShares: get.int(p, 'cpu-shares'),
    CpusetCpus: get.str(p, 'cpuset-cpus'),
  };
  if (p.set.has('pids-limit')) hc.PidsLimit = get.int(p, 'pids-limit');
  if (p.set.has('init')) hc.Init = get.bool(p, 'init');
  if (Object.keys(tmpfs).length) hc.Tmpfs = tmpfs;
  if (get.str(p, 'log-driver') || get.list(p, 'log-opt').length) {
    const cfg: Record<string, string> = {};
    for (const o of get.list(p, 'log-opt')) {
      const i = o.indexOf('=');
      if (i < 0) throw new OptError(`invalid key/value pair format in logging opts: ${o}`);
      cfg[o.slice(0, i)] = o.slice(i + 1);
    }
    hc.LogConfig = { Type: get.str(p, 'log-driver'), Config: cfg };
  }
  if (get.str(p, 'runtime')) hc.Runtime = get.str(p, 'runtime');
  if (get.str(p, 'shm-size')) hc.ShmSize = ramInBytes(get.str(p, 'shm-size'));
  for (const k of ['pid', 'ipc', 'uts', 'userns', 'cgroupns'] as const) {
    const v = get.str(p, k);
    if (v)
      hc[
        k === 'pid'
          ? 'PidMode'
          : k === 'ipc'
            ? 'IpcMode'
            : k === 'uts'
              ? 'UTSMode'
              : k === 'userns'
                ? 'UsernsMode'
                : 'CgroupnsMode'
      ] = v;
  }
  if (get.bool(p, 'oom-kill-disable')) hc.OomKillDisable = true;
  Object.assign(hc, resourcesOf(p));
  if (get.str(p, 'memory-reservation')) hc.MemoryReservation = ramInBytes(get.str(p, 'memory-reservation'));
  if (get.list(p, 'sysctl').length)
    hc.Sysctls = Object.fromEntries(
      get.list(p, 'sysctl').map((s) => [s.slice(0, s.indexOf('=')), s.slice(s.indexOf('=') + 1)]),
    );
  if (get.list(p, 'ulimit').length) hc.Ulimits = get.list(p, 'ulimit').map(parseUlimit);
  return hc;
}

/** --health-* and --no-healthcheck as the create body's Healthcheck (undefined: the image's). */
function healthcheckOf(p: Parsed): ContainerCreateRequest['Healthcheck'] {
  if (get.bool(p, 'no-healthcheck')) return { Test: ['NONE'] };
  if (!get.str(p, 'health-cmd')) return undefined;
  return {
    Test: ['CMD-SHELL', get.str(p, 'health-cmd')],
    Interval: get.str(p, 'health-interval') ? nanos(get.str(p, 'health-interval')) : 0,
    Timeout: get.str(p, 'health-timeout') ? nanos(get.str(p, 'health-timeout')) : 0,
    StartPeriod: get.str(p, 'health-start-period') ? nanos(get.str(p, 'health-start-period')) : 0,
    Retries: get.int(p, 'health-retries'),
  };
}
