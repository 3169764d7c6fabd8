// What `docker info` reports (moby daemon/info.go): counts from the stores, the host's kernel,
// OS and cgroup support, and the daemon's configuration, gathered as data. The Docker JSON is
// api/wire/info.ts's.
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { hostSysInfo, infoSummary, type SysInfoSummary } from '../runtime/sysinfo.js';

export interface InfoCounts {
  total: number;
  running: number;
  paused: number;
  stopped: number;
}

/** The daemon's configuration as info shows it. */
export interface InfoConfig {
  version: string;
  dataRoot: string;
  debug: boolean;
  logDriver: string;
  defaultRuntime: string;
  /** Runtime name → binary path. */
  runtimes: Record<string, string>;
  /** berthd --experimental (absent: off). */
  experimental?: boolean;
  /** dockerd's default-cgroupns-mode ('' or absent: private on cgroup v2, host on v1). */
  defaultCgroupnsMode?: string;
}

/** Facts about the host, replaceable by fakes in tests. */
export interface HostProbe {
  cgroups(): Promise<SysInfoSummary>;
  ipv4Forwarding(): Promise<boolean>;
  openFds(): number;
  osRelease(): Record<string, string>;
  kernelVersion: string;
  arch: string;
  ncpu: number;
  memTotal: number;
  hostname(): string;
  env: Record<string, string | undefined>;
}

export interface InfoDeps {
  containers(): InfoCounts;
  imageCount(): Promise<number>;
  config: InfoConfig;
  host?: HostProbe;
  now?: () => Date;
}

export interface SystemInfo {
  id: string;
  containers: InfoCounts;
  images: number;
  cgroups: SysInfoSummary;
  ipv4Forwarding: boolean;
  openFds: number;
  systemTime: string;
  kernelVersion: string;
  operatingSystem: string;
  osVersion: string;
  architecture: string;
  ncpu: number;
  memTotal: number;
  name: string;
  proxies: { http: string; https: string; no: string };
  config: InfoConfig;
}

/** /etc/os-release as a map (quotes around values dropped); {} when absent. */
export function parseOsRelease(text: string): Record<string, string> {
  return Object.fromEntries(
    text
      .split('\n')
      .filter((l) => l.includes('='))
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1).replace(/^"|"$/g, '')]),
  );
}

export const hostProbe: HostProbe = {
  cgroups: async () => infoSummary(await hostSysInfo()),
  ipv4Forwarding: async () =>
    (await fsp.readFile('/proc/sys/net/ipv4/ip_forward', 'utf8').catch(() => '0')).trim() === '1',
  openFds: () => fs.readdirSync('/proc/self/fd').length,
  osRelease: () => {
    try {
      return parseOsRelease(fs.readFileSync('/etc/os-release', 'utf8'));
    } catch {
      return {};
    }
  },
  kernelVersion: os.release(),
  arch: os.machine(),
  ncpu: os.cpus().length,
  memTotal: os.totalmem(),
  hostname: () => os.hostname(),
  env: process.env,
};

/** The engine's id, made once and kept in <data-root>/engine-id. */
export function engineId(dataRoot: string): string {
  const f = path.join(dataRoot, 'engine-id');
  try {
    return fs.readFileSync(f, 'utf8').trim();
  } catch {
    const id = crypto.randomUUID();
    try {
      fs.writeFileSync(f, id);
    } catch {
      // a full disk must not fail /info; the id is written by a later call
      fs.rmSync(f, { force: true });
    }
    return id;
  }
}

export class InfoService {
  private readonly host: HostProbe;

  constructor(private readonly d: InfoDeps) {
    this.host = d.host ?? hostProbe;
  }

  async info(): Promise<SystemInfo> {
    const h = this.host;
    const containers = this.d.containers();
    const images = await this.d.imageCount();
    const cgroups = await h.cgroups();
    const rel = h.osRelease();
    return {
      id: engineId(this.d.config.dataRoot),
      containers,
      images,
      cgroups,
      ipv4Forwarding: await h.ipv4Forwarding(),
      openFds: h.openFds(),
      systemTime: (this.d.now?.() ?? new Date()).toISOString(),
      kernelVersion: h.kernelVersion,
      operatingSystem: rel.PRETTY_NAME ?? 'Linux',
      osVersion: rel.VERSION_ID ?? '',
      architecture: h.arch,
      ncpu: h.ncpu,
      memTotal: h.memTotal,
      name: h.hostname(),
      proxies: { http: h.env.HTTP_PROXY ?? '', https: h.env.HTTPS_PROXY ?? '', no: h.env.NO_PROXY ?? '' },
      config: this.d.config,
    };
  }
}
