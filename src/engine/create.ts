// `docker create`: validate, merge with the image's config, reserve the name, prepare volumes,
// network and rootfs, write the record. A failure leaves nothing behind.
import { randomBytes } from 'node:crypto';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { invalid } from '../errdefs.js';
import { writeInitialEtcFiles } from '../network/container-files.js';
import { nowRfc3339 } from '../util/time.js';
import type { Core, Deps } from './core.js';
import { type CreateRequest, defaultHostConfig, mergeConfig, validateHostConfig } from './create-config.js';
import { adaptModes } from './create-modes.js';
import { adaptToHost } from './host-support.js';
import { MASKED_PATHS, READONLY_PATHS } from '../runtime/spec/buildSpec.js';
import { hostSysInfo } from '../runtime/sysinfo.js';
import { generateName, validName } from './names.js';
import { resourceWarnings } from './resources.js';
import { parseSignal } from './signals.js';
import { createdState } from './states.js';
import type { ContainerRecord, Created, HostConfig } from './types.js';

export async function createContainer(core: Core, req: CreateRequest): Promise<Created> {
  const { d } = core;
  const c = req.config ?? {};
  if (!c.Image) throw invalid('Config cannot be empty in order to create a container');
  let name = req.name ?? '';
  if (name) {
    if (!validName.test(name))
      throw invalid(`Invalid container name (${name}), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed`);
    if (name.startsWith('/')) name = name.slice(1);
  }
  const hostConfig = hostConfigOf(req, d);
  const hostWarnings = await adaptToHost(hostConfig); // what this host's cgroups cannot honour, discarded as Docker does
  const sys = await hostSysInfo();
  hostWarnings.push(
    ...adaptModes(hostConfig, req.hostConfig, {
      cgroupMode: sys.mode,
      cgroupNamespaces: sys.cgroupNamespaces,
      idOf: (ref) => d.store.tryFind(ref)?.id,
      runtimes: d.runtime.runtimeNames?.(),
      defaults: d.modes,
    }),
  );
  validateHostConfig(hostConfig, { userNetworks: !!d.network });
  const imageId = await d.images.resolveId(String(c.Image));
  const imgCfg = await d.images.runtimeConfig(imageId);
  const id = randomBytes(32).toString('hex');
  const config = mergeConfig(id, c, imgCfg);
  const argv = [...(config.Entrypoint ?? []), ...(config.Cmd ?? [])];
  if (argv.length === 0) throw invalid('No command specified');
  if (config.StopSignal) parseSignal(config.StopSignal);
  name = reserveName(d, name, id);
  const dir = d.store.dir(id);
  const rec: ContainerRecord = {
    id,
    name,
    created: nowRfc3339(),
    path: argv[0]!,
    args: argv.slice(1),
    config,
    hostConfig,
    networkingConfig: req.networkingConfig ?? null,
    image: imageId,
    state: createdState(),
    restartCount: 0,
    manuallyStopped: false,
    hasBeenStarted: false,
    logPath: path.join(dir, 'container.log'),
    hostnamePath: path.join(dir, 'hostname'),
    hostsPath: path.join(dir, 'hosts'),
    resolvConfPath: path.join(dir, 'resolv.conf'),
    mounts: [],
    execIds: [],
  };
  try {
    if (d.volumes) rec.mounts = await d.volumes.prepare(rec);
    await d.network?.prepare(rec);
    await fsp.mkdir(dir, { recursive: true });
    await d.images.createRootfs(id, imageId);
    await writeEtcFiles(rec);
    await core.tx.save(rec);
  } catch (e) {
    d.store.releaseName(name, id);
    if (rec.mounts.length) await d.volumes?.removeAnonymous(rec).catch(() => {});
    await d.images.removeRootfs(id).catch(() => {});
    await fsp.rm(dir, { recursive: true, force: true });
    throw e;
  }
  core.tx.emit(rec, 'create');
  return { id, warnings: [...hostWarnings, ...resourceWarnings(hostConfig)] };
}

/** The request's HostConfig with Docker's defaults filled in. */
function hostConfigOf(req: CreateRequest, d: Deps): HostConfig {
  const hostConfig: HostConfig = { ...defaultHostConfig(), ...stripUndefined(req.hostConfig ?? {}) };
  if (!hostConfig.RestartPolicy) hostConfig.RestartPolicy = { Name: 'no', MaximumRetryCount: 0 };
  if (!hostConfig.RestartPolicy.Name)
    hostConfig.RestartPolicy = { Name: 'no', MaximumRetryCount: hostConfig.RestartPolicy.MaximumRetryCount ?? 0 };
  hostConfig.RestartPolicy.MaximumRetryCount ??= 0;
  if (!hostConfig.NetworkMode || hostConfig.NetworkMode === 'default') hostConfig.NetworkMode = 'bridge';
  if (d.logs.mergeConfig) hostConfig.LogConfig = d.logs.mergeConfig(hostConfig.LogConfig);
  else if (!hostConfig.LogConfig?.Type)
    hostConfig.LogConfig = { Type: 'k8s-file', Config: hostConfig.LogConfig?.Config ?? {} };
  if (hostConfig.Memory > 0 && !hostConfig.MemorySwap) hostConfig.MemorySwap = hostConfig.Memory * 2;
  if (!hostConfig.ShmSize) hostConfig.ShmSize = 67108864;
  // moby's fixMemorySwappiness: -1 ("unset") is stored as absent (PidsLimit <= 0: containers-gates)
  if (hostConfig.MemorySwappiness === -1) hostConfig.MemorySwappiness = null;
  // moby's createContainerOSSpecificSettings: inspect shows the default masked and read-only paths
  if (!hostConfig.Privileged) {
    hostConfig.MaskedPaths ??= [...MASKED_PATHS];
    hostConfig.ReadonlyPaths ??= [...READONLY_PATHS];
  }
  return hostConfig;
}

/** Reserves the name synchronously (two concurrent creates cannot both take it); generates one if empty. */
function reserveName(d: Deps, name: string, id: string): string {
  if (name) {
    d.store.reserveName(name, id);
    return name;
  }
  for (let i = 0; ; i++) {
    const n = generateName(i > 3 ? i : 0);
    if (!d.store.nameOwner(n)) {
      d.store.reserveName(n, id);
      return n;
    }
  }
}

/** hostname is the engine's; hosts and resolv.conf are network/'s (the host's view until setup). */
export async function writeEtcFiles(rec: ContainerRecord): Promise<void> {
  const host = rec.hostConfig.NetworkMode === 'host';
  const hostname = host
    ? (await fsp.readFile('/etc/hostname', 'utf8').catch(() => 'localhost\n')).trim()
    : rec.config.Hostname;
  await fsp.writeFile(rec.hostnamePath, hostname + '\n');
  await writeInitialEtcFiles(rec);
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  const out: Partial<T> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined && v !== null) (out as Record<string, unknown>)[k] = v;
  // keep explicit nulls for the list fields clients send as null
  for (const [k, v] of Object.entries(o)) if (v === null) (out as Record<string, unknown>)[k] = v;
  return out;
}
