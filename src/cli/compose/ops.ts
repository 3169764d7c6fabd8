// Project operations over the Engine API client: the state converges to the compose model
// (networks, volumes, images, containers per service and replica), found again through labels.
import { spawn } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import type { Client } from '../../client/client.js';
import { filtersArg, jsonLines } from '../../client/client.js';
import { ClientError } from '../../client/client-error.js';
import type { ContainerSummary } from '../../client/types.js';
import { COMPOSE_VERSION, L, configHash, containerPlan, imageName } from './convert.js';
import type { Project, Service } from './types.js';

export interface Out {
  /** Progress lines (stderr, like Compose v2). */
  event(kind: string, name: string, status: string): void;
  /** Build output. */
  write(text: string): void;
}

export class OpError extends Error {
  override name = 'OpError';
}

type Obj = Record<string, unknown>;

export function nameOf(c: ContainerSummary): string {
  return (c.Names[0] ?? '').replace(/^\//, '');
}

export function numberOf(c: ContainerSummary): number {
  return Number(c.Labels?.[L.number] ?? 0);
}

/** The project's containers (all states), optionally one service's, sorted by service then number. */
export async function projectContainers(
  c: Client,
  project: string,
  o: { service?: string; oneoff?: boolean | 'any'; all?: boolean } = {},
): Promise<ContainerSummary[]> {
  const f = [`label=${L.project}=${project}`];
  if (o.service) f.push(`label=${L.service}=${o.service}`);
  const oneoff = o.oneoff ?? false;
  if (oneoff !== 'any') f.push(`label=${L.oneoff}=${oneoff ? 'True' : 'False'}`);
  const list = await c.containerList({ all: o.all ?? true, filters: filtersArg(f) });
  return list.sort((a, b) => {
    const sa = a.Labels?.[L.service] ?? '';
    const sb = b.Labels?.[L.service] ?? '';
    return sa < sb ? -1 : sa > sb ? 1 : numberOf(a) - numberOf(b);
  });
}

/** Dependencies first. */
export function orderServices(p: Project, names?: string[]): Service[] {
  const byName = new Map(p.services.map((s) => [s.name, s]));
  const out: Service[] = [];
  const seen = new Set<string>();
  const visit = (s: Service, path: string[]) => {
    if (seen.has(s.name)) return;
    if (path.includes(s.name)) throw new OpError(`dependency cycle detected: ${[...path, s.name].join(' -> ')}`);
    for (const d of Object.keys(s.depends_on)) {
      const ds = byName.get(d) ?? p.disabled.find((x) => x.name === d);
      if (ds) visit(ds, [...path, s.name]);
    }
    seen.add(s.name);
    out.push(s);
  };
  const wanted = names?.length ? names : p.services.map((s) => s.name);
  for (const n of wanted) {
    const s = byName.get(n) ?? p.disabled.find((x) => x.name === n);
    if (!s) throw new OpError(`no such service: ${n}`);
    visit(s, []);
  }
  return out;
}

export function serviceByName(p: Project, n: string): Service {
  const s = p.services.find((x) => x.name === n) ?? p.disabled.find((x) => x.name === n);
  if (!s) throw new OpError(`no such service: ${n}`);
  return s;
}

async function exists(fn: () => Promise<unknown>): Promise<boolean> {
  try {
    await fn();
    return true;
  } catch (e) {
    if (e instanceof ClientError && e.status === 404) return false;
    throw e;
  }
}

export async function ensureNetworks(c: Client, p: Project, out: Out, used: Set<string>): Promise<void> {
  for (const [key, n] of Object.entries(p.networks)) {
    if (!used.has(key)) continue;
    if (await exists(() => c.request('GET', `/networks/${encodeURIComponent(n.name)}`))) continue;
    if (n.external) throw new OpError(`network ${n.name} declared as external, but could not be found`);
    const raw = n.raw;
    await c.request('POST', '/networks/create', {
      body: {
        Name: n.name,
        Driver: n.driver ?? 'bridge',
        Options: n.driver_opts ?? {},
        Internal: raw.internal === true,
        Attachable: raw.attachable === true,
        EnableIPv6: raw.enable_ipv6 === true,
        IPAM: ipam(raw.ipam),
        Labels: { ...n.labels, [L.project]: p.name, [L.network]: key, [L.version]: COMPOSE_VERSION },
        CheckDuplicate: true,
      },
    });
    out.event('Network', n.name, 'Created');
  }
}

function ipam(v: unknown): Obj | undefined {
  if (!v || typeof v !== 'object') return undefined;
  const o = v as Obj;
  const config = Array.isArray(o.config)
    ? o.config.map((x: Obj) => ({ Subnet: x.subnet, Gateway: x.gateway, IPRange: x.ip_range }))
    : [];
  return { Driver: o.driver ?? 'default', Config: config, Options: o.options ?? {} };
}

export async function ensureVolumes(c: Client, p: Project, out: Out, used: Set<string>): Promise<void> {
  for (const [key, v] of Object.entries(p.volumes)) {
    if (!used.has(key)) continue;
    if (await exists(() => c.request('GET', `/volumes/${encodeURIComponent(v.name)}`))) continue;
    if (v.external) throw new OpError(`external volume "${v.name}" not found`);
    await c.request('POST', '/volumes/create', {
      body: {
        Name: v.name,
        Driver: v.driver ?? 'local',
        DriverOpts: v.driver_opts ?? {},
        Labels: { ...v.labels, [L.project]: p.name, [L.volume]: key, [L.version]: COMPOSE_VERSION },
      },
    });
    out.event('Volume', v.name, 'Created');
  }
}

/** Build a service's image with the legacy /build endpoint (context sent as a tar). */
export async function buildService(
  c: Client,
  p: Project,
  s: Service,
  out: Out,
  o: { noCache?: boolean; pull?: boolean } = {},
): Promise<void> {
  const b = s.build;
  if (!b) return;
  if (!existsSync(b.context) || !statSync(b.context).isDirectory())
    throw new OpError(`unable to prepare context: path "${b.context}" not found`);
  const dockerfile = b.dockerfile ? relative(b.context, resolve(b.context, b.dockerfile)) : undefined;
  const tar = spawn('tar', ['-c', '-C', b.context, '.'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const tag = imageName(p, s);
  const res = await c.stream('POST', '/build', {
    query: {
      t: [tag],
      dockerfile,
      buildargs: JSON.stringify(b.args),
      labels: JSON.stringify({ ...b.labels, [L.project]: p.name, [L.service]: s.name }),
      target: b.target,
      nocache: o.noCache || undefined,
      pull: o.pull || undefined,
      rm: '1',
    },
    body: tar.stdout,
    contentType: 'application/x-tar',
  });
  for await (const m of jsonLines(res)) {
    if (m.errorDetail || m.error) throw new OpError(`failed to build ${s.name}: ${m.errorDetail?.message ?? m.error}`);
    if (m.stream !== undefined) out.write(m.stream);
  }
  out.event('Image', tag, 'Built');
}

export async function pullImage(c: Client, image: string, out: Out): Promise<void> {
  const i = image.lastIndexOf(':');
  const slash = image.lastIndexOf('/');
  const [fromImage, tag] = i > slash ? [image.slice(0, i), image.slice(i + 1)] : [image, 'latest'];
  const res = await c.imageCreate({ fromImage, tag });
  for await (const m of jsonLines(res))
    if (m.errorDetail || m.error) throw new OpError(String(m.errorDetail?.message ?? m.error));
  out.event('Image', image, 'Pulled');
}

/** Make sure the image exists: build (when `build:` and missing or forced), else pull when missing. */
export async function ensureImage(
  c: Client,
  p: Project,
  s: Service,
  out: Out,
  o: { build?: boolean; noBuild?: boolean; pull?: string },
): Promise<void> {
  const img = imageName(p, s);
  const have = await exists(() => c.imageInspect(img));
  if (s.build && !o.noBuild && (o.build || !have)) return buildService(c, p, s, out);
  const policy = o.pull ?? String(s.raw.pull_policy ?? 'missing');
  if (policy === 'always' || (!have && policy !== 'never')) {
    try {
      await pullImage(c, img, out);
    } catch (e) {
      if (have) return;
      throw new OpError(`pull access denied for ${img}: ${(e as Error).message}`);
    }
  } else if (!have) throw new OpError(`No such image: ${img}`);
}

export async function createContainer(
  c: Client,
  p: Project,
  s: Service,
  n: number,
  out: Out,
  o: { oneoff?: boolean; name?: string; patch?: (b: Obj) => void } = {},
): Promise<string> {
  const plan = containerPlan(p, s, n, o);
  o.patch?.(plan.body as Obj);
  const { Id } = await c.containerCreate(plan.body, { name: plan.name });
  for (const n2 of plan.extraNetworks)
    await c.request('POST', `/networks/${encodeURIComponent(n2.name)}/connect`, {
      body: {
        Container: Id,
        EndpointConfig: { Aliases: n2.aliases, ...(n2.ipv4 ? { IPAMConfig: { IPv4Address: n2.ipv4 } } : {}) },
      },
    });
  if (!o.oneoff) out.event('Container', plan.name, 'Created');
  return Id;
}

/** Block until each dependency satisfies its condition (healthy, completed, started). */
export async function waitDependencies(c: Client, p: Project, s: Service, timeoutMs = 120_000): Promise<void> {
  for (const [d, { condition }] of Object.entries(s.depends_on)) {
    if (condition === 'service_started') continue;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const cs = await projectContainers(c, p.name, { service: d });
      let ok = cs.length > 0;
      for (const x of cs) {
        const i = await c.containerInspect(x.Id);
        if (condition === 'service_healthy') {
          const h = (i.State as { Health?: { Status?: string } }).Health?.Status;
          if (h === undefined) throw new OpError(`container ${nameOf(x)} has no healthcheck configured`);
          if (h === 'unhealthy') throw new OpError(`dependency failed to start: container ${nameOf(x)} is unhealthy`);
          if (h !== 'healthy') ok = false;
        } else {
          if (i.State.Running || i.State.Status === 'created') ok = false;
          else if (i.State.ExitCode !== 0)
            throw new OpError(`service "${d}" didn't complete successfully: exit ${i.State.ExitCode}`);
        }
      }
      if (ok) break;
      if (Date.now() > deadline) throw new OpError(`timeout waiting for dependency ${d}`);
      await new Promise((r) => setTimeout(r, 300));
    }
  }
}

export interface UpOptions {
  services?: string[];
  scale?: Record<string, number>;
  build?: boolean;
  noBuild?: boolean;
  forceRecreate?: boolean;
  noRecreate?: boolean;
  noDeps?: boolean;
  noStart?: boolean;
  removeOrphans?: boolean;
  pull?: string;
}

/** Converge: networks, volumes, images, then each service in dependency order. Returns touched container ids. */
export async function up(c: Client, p: Project, out: Out, o: UpOptions = {}): Promise<string[]> {
  const services =
    o.noDeps && o.services?.length ? o.services.map((n) => serviceByName(p, n)) : orderServices(p, o.services);
  const nets = new Set<string>();
  const vols = new Set<string>();
  for (const s of services) {
    for (const n of Object.keys(s.networks)) nets.add(n);
    for (const v of s.volumes) if (v.type === 'volume' && v.source) vols.add(v.source);
  }
  await ensureNetworks(c, p, out, nets);
  await ensureVolumes(c, p, out, vols);
  for (const s of services) await ensureImage(c, p, s, out, o);
  const ids: string[] = [];
  for (const s of services) {
    const want = o.scale?.[s.name] ?? s.replicas;
    const hash = configHash(s);
    const existing = await projectContainers(c, p.name, { service: s.name });
    if (want > 1 && s.raw.container_name)
      throw new OpError(
        `services.${s.name}: can't set container_name and ${s.name} as container name must be unique: invalid compose project`,
      );
    if (!o.noStart) await waitDependencies(c, p, s);
    const keep: { id: string; name: string; running: boolean }[] = [];
    // surplus replicas (scale down) stop in parallel, as each may take the whole stop timeout
    const surplus = existing.filter((x, i) => numberOf(x) > want || i >= want);
    await Promise.all(surplus.map((x) => removeOne(c, x, out, true)));
    for (const x of existing) {
      if (surplus.includes(x)) continue;
      const stale = !o.noRecreate && (o.forceRecreate || x.Labels?.[L.hash] !== hash);
      if (stale) {
        await removeOne(c, x, out, true, 'Recreate');
        const id = await createContainer(c, p, s, numberOf(x), out);
        keep.push({ id, name: nameOf(x), running: false });
        out.event('Container', nameOf(x), 'Recreated');
      } else keep.push({ id: x.Id, name: nameOf(x), running: x.State === 'running' });
    }
    const used = new Set(keep.map((k) => k.name));
    for (let n = 1; keep.length < want; n++) {
      const plan = containerPlan(p, s, n);
      if (used.has(plan.name)) continue;
      const id = await createContainer(c, p, s, n, out);
      keep.push({ id, name: plan.name, running: false });
      used.add(plan.name);
    }
    for (const k of keep) {
      ids.push(k.id);
      if (o.noStart) continue;
      if (k.running) {
        out.event('Container', k.name, 'Running');
        continue;
      }
      out.event('Container', k.name, 'Starting');
      await c.containerStart(k.id);
      out.event('Container', k.name, 'Started');
    }
  }
  if (o.removeOrphans) await removeOrphans(c, p, out);
  return ids;
}

export async function removeOrphans(c: Client, p: Project, out: Out): Promise<void> {
  const known = new Set([...p.services, ...p.disabled].map((s) => s.name));
  for (const x of await projectContainers(c, p.name))
    if (!known.has(x.Labels?.[L.service] ?? '')) await removeOne(c, x, out, true);
}

export async function removeOne(
  c: Client,
  x: ContainerSummary,
  out: Out,
  stop: boolean,
  verb = '',
  volumes = false,
): Promise<void> {
  const name = nameOf(x);
  if (stop && (x.State === 'running' || x.State === 'paused' || x.State === 'restarting')) {
    out.event('Container', name, 'Stopping');
    await c.containerStop(x.Id);
    out.event('Container', name, 'Stopped');
  }
  if (!verb) out.event('Container', name, 'Removing');
  await c.containerRemove(x.Id, { force: true, v: volumes });
  if (!verb) out.event('Container', name, 'Removed');
}

export interface DownOptions {
  volumes?: boolean;
  rmi?: 'local' | 'all' | '';
  removeOrphans?: boolean;
  timeout?: number;
}

export async function down(c: Client, p: Project, out: Out, o: DownOptions = {}): Promise<void> {
  const known = new Set([...p.services, ...p.disabled].map((s) => s.name));
  const all = await projectContainers(c, p.name, { oneoff: 'any' });
  // reverse dependency order: dependents stop first
  const order = orderServices({ ...p, services: [...p.services, ...p.disabled], disabled: [] })
    .map((s) => s.name)
    .reverse();
  all.sort((a, b) => order.indexOf(a.Labels?.[L.service] ?? '') - order.indexOf(b.Labels?.[L.service] ?? ''));
  const rm = async (x: ContainerSummary) => {
    if (x.State === 'running' || x.State === 'paused' || x.State === 'restarting') {
      out.event('Container', nameOf(x), 'Stopping');
      await c.containerStop(x.Id, o.timeout === undefined ? {} : { t: o.timeout });
      out.event('Container', nameOf(x), 'Stopped');
    }
    out.event('Container', nameOf(x), 'Removing');
    await c.containerRemove(x.Id, { force: true, v: o.volumes });
    out.event('Container', nameOf(x), 'Removed');
  };
  // dependents first; the replicas of one service in parallel
  const groups = new Map<string, ContainerSummary[]>();
  for (const x of all) {
    const svc = x.Labels?.[L.service] ?? '';
    if (!known.has(svc) && !o.removeOrphans) continue;
    groups.set(svc, [...(groups.get(svc) ?? []), x]);
  }
  for (const g of groups.values()) await Promise.all(g.map(rm));
  for (const n of Object.values(p.networks)) {
    if (n.external) continue;
    await unlessGone(async () => {
      await c.request('GET', `/networks/${encodeURIComponent(n.name)}`);
      out.event('Network', n.name, 'Removing');
      await c.request('DELETE', `/networks/${encodeURIComponent(n.name)}`);
      out.event('Network', n.name, 'Removed');
    });
  }
  if (o.volumes)
    for (const v of Object.values(p.volumes)) {
      if (v.external) continue;
      await unlessGone(async () => {
        await c.request('DELETE', `/volumes/${encodeURIComponent(v.name)}`);
        out.event('Volume', v.name, 'Removed');
      });
    }
  if (o.rmi) {
    const imgs = new Set<string>();
    for (const s of [...p.services, ...p.disabled]) if (o.rmi === 'all' || !s.image) imgs.add(imageName(p, s));
    for (const i of imgs)
      await unlessGone(async () => {
        await c.imageRemove(i);
        out.event('Image', i, 'Removed');
      });
  }
}

/** Runs one step of `down`; a 404 means it is gone already, which is what down wants. */
async function unlessGone(step: () => Promise<void>): Promise<void> {
  try {
    await step();
  } catch (e) {
    if (!(e instanceof ClientError && e.status === 404)) throw e;
  }
}
