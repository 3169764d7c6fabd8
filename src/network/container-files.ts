// The container's /etc/hosts and /etc/resolv.conf: network/ owns their content and writes them.
// At create (before any network exists) they hold the host's view; setup() rewrites them for the
// container's networks; connecting to a user network switches resolv.conf to the embedded DNS.
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import { buildHosts, buildResolvConf } from './etc.js';
import type { ContainerView } from './types.js';

/** Where a container's files live (engine's ContainerRecord fits structurally). */
export interface EtcFilePaths {
  hostsPath: string;
  resolvConfPath: string;
}

/** The HostConfig fields the create-time files read. */
export type EtcHostConfig = Pick<
  ContainerView['hostConfig'],
  'NetworkMode' | 'ExtraHosts' | 'Dns' | 'DnsSearch' | 'DnsOptions'
>;

export interface EtcFiles {
  hosts?: string;
  resolvConf?: string;
}

/** Write whichever of the two files is given (an undefined one is left as it is). */
export async function writeEtcFiles(c: EtcFilePaths, f: EtcFiles): Promise<void> {
  if (f.hosts !== undefined) await fsp.writeFile(c.hostsPath, f.hosts);
  if (f.resolvConf !== undefined) await fsp.writeFile(c.resolvConfPath, f.resolvConf);
}

/** The files a container gets at create: the host's for host mode; else localhost plus --add-host. */
export async function initialEtcFiles(h: EtcHostConfig, hostEtc = '/etc'): Promise<Required<EtcFiles>> {
  const hosts =
    h.NetworkMode === 'host'
      ? await fsp.readFile(`${hostEtc}/hosts`, 'utf8').catch(() => '127.0.0.1\tlocalhost\n')
      : buildHosts({ extraHosts: h.ExtraHosts ?? [], links: [] });
  const host = await fsp.readFile(`${hostEtc}/resolv.conf`, 'utf8').catch(() => '');
  return { hosts, resolvConf: initialResolvConf(h, host) };
}

/** Create-time resolv.conf from the host's: Docker drops loopback resolvers a container cannot reach. */
export function initialResolvConf(h: EtcHostConfig, hostResolv: string): string {
  let host = hostResolv;
  if (h.NetworkMode !== 'host') {
    const lines = host.split('\n').filter((l) => !/^\s*nameserver\s+(127\.|::1)/.test(l));
    host = lines.join('\n');
    if (!/^\s*nameserver\s/m.test(host)) host = host.trimEnd() + '\nnameserver 8.8.8.8\nnameserver 8.8.4.4\n';
  }
  if (h.Dns?.length || h.DnsSearch?.length || h.DnsOptions?.length) {
    let out = '';
    const ns = h.Dns?.length ? h.Dns : [...host.matchAll(/^\s*nameserver\s+(\S+)/gm)].map((m) => m[1]!);
    for (const n of ns) out += `nameserver ${n}\n`;
    if (h.DnsSearch?.length) out += `search ${h.DnsSearch.join(' ')}\n`;
    if (h.DnsOptions?.length) out += `options ${h.DnsOptions.join(' ')}\n`;
    return out;
  }
  return host.endsWith('\n') ? host : host + '\n';
}

/** Create-time files, written: what the engine calls at create instead of writing them itself. */
export async function writeInitialEtcFiles(c: EtcFilePaths & { hostConfig: EtcHostConfig }): Promise<void> {
  await writeEtcFiles(c, await initialEtcFiles(c.hostConfig));
}

/** A file's text, '' when it cannot be read (a container's files, the host's resolv.conf). */
export function readEtcText(p: string): string {
  try {
    return fs.readFileSync(p, 'utf8');
  } catch {
    return '';
  }
}

/** Joining a user network starts the embedded resolver for the container (libnetwork does), once. */
export async function useEmbeddedDns(
  c: EtcFilePaths & { hostConfig: { DnsSearch: string[] | null; DnsOptions: string[] | null } },
  hostResolv: string,
): Promise<void> {
  if (/^\s*nameserver\s+127\.0\.0\.11/m.test(readEtcText(c.resolvConfPath))) return;
  const h = c.hostConfig;
  const search = h.DnsSearch ?? [];
  const resolvConf = buildResolvConf({
    host: hostResolv,
    embedded: true,
    dns: [],
    search,
    options: h.DnsOptions ?? [],
  });
  await writeEtcFiles(c, { resolvConf });
}
