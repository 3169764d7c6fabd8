// dockerd-like command line for berthd (and the daemon.json keys that mirror it).
import fs from 'node:fs';
import { isIP } from 'node:net';
import { invalid } from '../errdefs.js';
import { validateDefaultModes } from './config-modes.js';
import type { NetworkOptions } from '../network/deps.js';
import { addRuntimeFlag, runtimeFromJson } from '../runtime/oci-runtimes.js';

/** dockerd's flags; the network ones (--bip, --fixed-cidr, --iptables, …) are network/'s options. */
export interface DaemonOptions extends Omit<NetworkOptions, 'bridgeName'> {
  hosts: string[];
  dataRoot: string;
  execRoot: string;
  pidfile: string;
  configFile: string;
  logLevel: 'debug' | 'info' | 'warn' | 'error' | 'fatal';
  defaultRuntime: string;
  group: string;
  /** Configured runtimes (name → binary); runc and crun are known without (runtime/oci-runtimes.ts). */
  runtimes: Record<string, string>;
  /** daemon.json's runtimeArgs of a configured runtime. */
  runtimeArgs: Record<string, string[]>;
  logDriver: string;
  logOpts: Record<string, string>;
  insecureRegistries: string[];
  /** dockerd's --default-ipc-mode / --default-cgroupns-mode ('' = moby's default; config-modes.ts). */
  defaultIpcMode: string;
  defaultCgroupnsMode: string;
  /** dockerd's --experimental: /info and /version say so, and experimental API features (build squash) are on. */
  experimental: boolean;
  /** --web host:port: the web dashboard's address (src/web), off when empty. */
  web: string;
}

export function defaults(): DaemonOptions {
  return {
    hosts: [],
    dataRoot: '/var/lib/berth',
    execRoot: '/run/berth',
    pidfile: '',
    configFile: '/etc/berth/daemon.json',
    logLevel: 'info',
    defaultRuntime: 'runc',
    group: 'berth',
    runtimes: {},
    runtimeArgs: {},
    logDriver: 'json-file',
    logOpts: {},
    insecureRegistries: [],
    defaultIpcMode: '',
    defaultCgroupnsMode: '',
    experimental: false,
    web: '',
    iptables: true,
    ipForward: true,
    userlandProxy: true,
    defaultAddressPools: [],
  };
}

const USAGE = `Usage:	berthd [OPTIONS]

A Docker-compatible container engine

Options:
      --config-file string        Daemon configuration file (default "/etc/berth/daemon.json")
      --data-root string          Root directory of persistent state (default "/var/lib/berth")
      --exec-root string          Root directory for execution state files (default "/run/berth")
  -G, --group string              Group for the unix socket (default "berth")
  -H, --host list                 Daemon socket(s) to connect to
  -l, --log-level string          Set the logging level ("debug"|"info"|"warn"|"error"|"fatal") (default "info")
  -D, --debug                     Enable debug mode
  -p, --pidfile string            Path to use for daemon PID file (default "<exec-root>/berthd.pid")
      --default-runtime string    Default OCI runtime for containers (default "runc")
      --add-runtime name=path     Register an additional OCI compatible runtime
      --log-driver string         Default driver for container logs
      --log-opt map               Default log driver options for containers
      --insecure-registry list    Enable insecure registry communication
      --experimental              Enable experimental features
      --default-ipc-mode string   Default mode for containers ipc ("shareable" | "private")
      --default-cgroupns-mode string  Default mode for containers cgroup namespace ("host" | "private")
      --web host:port             Serve the web dashboard there (token in <data-root>/web-token)
      --bip, --fixed-cidr, --default-address-pool, --iptables, --ip-forward, --userland-proxy  (networking)
      --host-gateway-ip ip        IP address that the special 'host-gateway' string in --add-host resolves to
  -v, --version                   Print version information and quit
`;

type Key = keyof DaemonOptions;
const valued: Record<string, Key> = {
  '-H': 'hosts',
  '--host': 'hosts',
  '--data-root': 'dataRoot',
  '-g': 'dataRoot',
  '--graph': 'dataRoot',
  '--exec-root': 'execRoot',
  '-p': 'pidfile',
  '--pidfile': 'pidfile',
  '--config-file': 'configFile',
  '-l': 'logLevel',
  '--log-level': 'logLevel',
  '--default-runtime': 'defaultRuntime',
  '-G': 'group',
  '--group': 'group',
  '--log-driver': 'logDriver',
  '--insecure-registry': 'insecureRegistries',
  '--bip': 'bip',
  '--fixed-cidr': 'fixedCidr',
  '--default-address-pool': 'defaultAddressPools',
  '--host-gateway-ip': 'hostGatewayIp',
  '--default-ipc-mode': 'defaultIpcMode',
  '--default-cgroupns-mode': 'defaultCgroupnsMode',
  '--web': 'web',
};
const boolFlags: Record<string, Key> = {
  '--experimental': 'experimental',
  '--iptables': 'iptables',
  '--ip-forward': 'ipForward',
  '--userland-proxy': 'userlandProxy',
};

export interface ParsedArgs {
  options: DaemonOptions;
  help: boolean;
  version: boolean;
  /** Which keys were given on the command line (they win over daemon.json, and conflicts are errors like dockerd). */
  given: Set<string>;
}

export function parseArgs(argv: string[]): ParsedArgs {
  const o = defaults();
  const given = new Set<string>();
  let help = false;
  let version = false;
  for (let i = 0; i < argv.length; i++) {
    let a = argv[i]!;
    let val: string | undefined;
    const eq = a.indexOf('=');
    if (a.startsWith('--') && eq > 0) {
      val = a.slice(eq + 1);
      a = a.slice(0, eq);
    } else if (/^-[A-Za-z]./.test(a) && !a.startsWith('--')) {
      val = a.slice(2);
      a = a.slice(0, 2);
    }
    if (a === '-h' || a === '--help') help = true;
    else if (a === '-v' || a === '--version') version = true;
    else if (a === '-D' || a === '--debug') o.logLevel = 'debug';
    else if (a === '--add-runtime' || a === '--log-opt') {
      const v = val ?? argv[++i];
      if (v === undefined) throw invalid(`flag needs an argument: ${a}`);
      const j = v.indexOf('=');
      if (a === '--add-runtime') {
        addRuntimeFlag(o.runtimes, v);
        given.add('runtimes');
        continue;
      }
      if (j <= 0) throw invalid(`invalid ${a} value "${v}": expected key=value`);
      o.logOpts[v.slice(0, j)] = v.slice(j + 1);
    } else if (Object.hasOwn(boolFlags, a)) {
      const k = boolFlags[a]!;
      const v = val ?? 'true';
      if (!['true', 'false', '1', '0'].includes(v)) throw invalid(`invalid boolean value "${v}" for ${a}`);
      (o as unknown as Record<string, unknown>)[k] = v === 'true' || v === '1';
      given.add(k);
    } else if (Object.hasOwn(valued, a)) {
      const k = valued[a]!;
      const v = val ?? argv[++i];
      if (v === undefined) throw invalid(`flag needs an argument: ${a}`);
      given.add(k);
      if (k === 'hosts' || k === 'insecureRegistries' || k === 'defaultAddressPools') (o[k] as string[]).push(v);
      else if (k === 'logLevel') {
        if (!['debug', 'info', 'warn', 'error', 'fatal'].includes(v))
          throw invalid(`Unable to parse logging level: ${v}`);
        o.logLevel = v as DaemonOptions['logLevel'];
      } else if (k === 'hostGatewayIp' && !isIP(v))
        throw invalid(
          `invalid argument "${v}" for "--host-gateway-ip" flag: invalid string being converted to IP address: ${v}`,
        );
      else (o as unknown as Record<string, unknown>)[k] = v;
    } else throw invalid(`unknown flag: ${a}\nSee 'berthd --help'.`);
  }
  return { options: o, help, version, given };
}

const jsonKeys: Record<string, Key> = {
  hosts: 'hosts',
  'data-root': 'dataRoot',
  'exec-root': 'execRoot',
  pidfile: 'pidfile',
  'log-level': 'logLevel',
  debug: 'logLevel',
  'default-runtime': 'defaultRuntime',
  group: 'group',
  'log-driver': 'logDriver',
  'log-opts': 'logOpts',
  'insecure-registries': 'insecureRegistries',
  experimental: 'experimental',
  bip: 'bip',
  'fixed-cidr': 'fixedCidr',
  iptables: 'iptables',
  'ip-forward': 'ipForward',
  'userland-proxy': 'userlandProxy',
  'default-address-pools': 'defaultAddressPools',
  'host-gateway-ip': 'hostGatewayIp',
  runtimes: 'runtimes',
  'default-ipc-mode': 'defaultIpcMode',
  'default-cgroupns-mode': 'defaultCgroupnsMode',
  web: 'web',
};

const jsonKindOf = (v: unknown) =>
  v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v === 'boolean' ? 'bool' : typeof v;
const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = { ok: (v: unknown) => typeof v === 'string', go: 'string' };
const bool = { ok: (v: unknown) => typeof v === 'boolean', go: 'bool' };
const strs = { ok: (v: unknown) => Array.isArray(v) && v.every((x) => typeof x === 'string'), go: '[]string' };
/** dockerd's Config field types: a wrong one in daemon.json is its decoder error, not a TypeError at start. */
const JSON_TYPES: Record<string, { ok: (v: unknown) => boolean; go: string }> = {
  hosts: strs,
  'data-root': str,
  'exec-root': str,
  pidfile: str,
  'log-level': str,
  debug: bool,
  'default-runtime': str,
  group: str,
  'log-driver': str,
  'log-opts': { ok: (v) => isObj(v) && Object.values(v).every((x) => typeof x === 'string'), go: 'map[string]string' },
  'insecure-registries': strs,
  experimental: bool,
  'default-ipc-mode': str,
  'default-cgroupns-mode': str,
  web: str,
  bip: str,
  'fixed-cidr': str,
  iptables: bool,
  'ip-forward': bool,
  'userland-proxy': bool,
  'default-address-pools': {
    ok: (v) => Array.isArray(v) && v.every((x) => isObj(x) && typeof x.base === 'string' && typeof x.size === 'number'),
    go: '[]*ipamutils.NetworkToSplit',
  },
  // Go decodes a net.IP from its text and refuses anything else
  'host-gateway-ip': { ok: (v) => typeof v === 'string' && isIP(v) !== 0, go: 'net.IP' },
  runtimes: {
    ok: (v) =>
      isObj(v) &&
      Object.values(v).every(
        (r) =>
          isObj(r) &&
          (r.path === undefined || typeof r.path === 'string') &&
          (r.runtimeType === undefined || typeof r.runtimeType === 'string') &&
          (r.runtimeArgs === undefined || strs.ok(r.runtimeArgs)),
      ),
    go: 'map[string]types.Runtime',
  },
};

/** Merge daemon.json (if present) under the command line; a key set in both is an error, as with dockerd. */
export function applyConfigFile(p: ParsedArgs, explicit: boolean): void {
  const file = p.options.configFile;
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    if (explicit) throw invalid(`unable to configure the daemon: open ${file}: ${(e as Error).message}`);
    validateDefaultModes(p.options); // dockerd's config.Validate of the flags alone
    return;
  }
  let cfg: unknown;
  try {
    cfg = JSON.parse(text);
  } catch (e) {
    throw invalid(`unable to configure the daemon with file ${file}: ${(e as Error).message}`);
  }
  if (cfg === null) cfg = {}; // Go decodes null as an empty configuration
  if (!isObj(cfg))
    throw invalid(
      `unable to configure the daemon with file ${file}: json: cannot unmarshal ${jsonKindOf(cfg)} into Go value of type map[string]interface {}`,
    );
  for (const [k, v] of Object.entries(cfg)) {
    const key = Object.hasOwn(jsonKeys, k) ? jsonKeys[k] : undefined;
    if (!key) throw invalid(`the following directives don't match any configuration option: ${k}`);
    if (v === null) continue; // null is a field's zero value for Go's decoder
    const want = JSON_TYPES[k]!;
    if (!want.ok(v))
      throw invalid(
        `unable to configure the daemon with file ${file}: json: cannot unmarshal ${jsonKindOf(v)} into Go struct field Config.${k} of type ${want.go}`,
      );
    if (p.given.has(key))
      throw invalid(
        `the following directives are specified both as a flag and in the configuration file: ${k}: (from flag: …, from file: ${JSON.stringify(v)})`,
      );
    if (k === 'debug') {
      if (v) p.options.logLevel = 'debug';
    } else if (k === 'runtimes') {
      for (const [n, r] of Object.entries(v as Record<string, Record<string, unknown>>)) {
        const rt = runtimeFromJson(n, r);
        p.options.runtimes[n] = rt.path;
        if (rt.runtimeArgs.length > 0) p.options.runtimeArgs[n] = rt.runtimeArgs;
      }
    } else if (k === 'default-address-pools') {
      p.options.defaultAddressPools = (v as Array<{ base: string; size: number }>).map(
        (x) => `base=${x.base},size=${x.size}`,
      );
    } else (p.options as unknown as Record<string, unknown>)[key] = v;
  }
  try {
    validateDefaultModes(p.options);
  } catch (e) {
    const why = `merged configuration validation from file and command line flags failed: ${(e as Error).message}`;
    throw invalid(`unable to configure the daemon with file ${file}: ${why}`, e);
  }
}

export { USAGE };
