// Runs a play plan on a daemon through the Engine API client, and `kube down`. Everything created
// is labelled with the play's name and recorded; a failure part-way removes what was made.
import { pack } from 'tar-stream';
import { jsonLines, type Client } from '../client/client.js';
import { ClientError } from '../client/client-error.js';
import { conflict, invalid } from '../errdefs.js';
import { PLAY_LABEL, VOLUME_KIND_LABEL } from './labels.js';
import type { ContainerFile } from './play-container.js';
import type { PlannedContainer, PlayPlan } from './play-plan.js';

export interface PlayDeps {
  client: Client;
  /** One progress line ("Container web-1  Started"). */
  log: (line: string) => void;
  /** How long an init container may run (default 120 s). */
  initTimeoutMs?: number;
}

type Undo = () => Promise<unknown>;

const labelFilter = (id: string) => JSON.stringify({ label: [`${PLAY_LABEL}=${id}`] });
const isStatus = (e: unknown, s: number) => e instanceof ClientError && e.status === s;

async function exists(client: Client, path: string): Promise<boolean> {
  try {
    await client.request('GET', path);
    return true;
  } catch (e) {
    if (isStatus(e, 404)) return false;
    throw e;
  }
}

/** A tar of the files at their absolute paths (parents included), for PUT archive at "/". */
async function tarOf(files: ContainerFile[]): Promise<Buffer> {
  const p = pack();
  const chunks: Buffer[] = [];
  p.on('data', (c: unknown) => chunks.push(c as Buffer));
  const done = new Promise<void>((res, rej) => p.on('end', res).on('error', rej));
  const dirs = new Set<string>();
  for (const f of files) {
    const parts = f.path.replace(/^\/+/, '').split('/');
    for (let i = 1; i < parts.length; i++) {
      const d = parts.slice(0, i).join('/');
      if (!dirs.has(d)) dirs.add(d), p.entry({ name: `${d}/`, type: 'directory', mode: 0o755 });
    }
    p.entry({ name: parts.join('/'), mode: f.mode ?? 0o644 }, f.data);
  }
  p.finalize();
  await done;
  return Buffer.concat(chunks);
}

/** The pull query for an image reference: name and tag, a registry's port and digests kept whole. */
export function pullQuery(image: string): { fromImage: string; tag?: string } {
  if (image.includes('@')) return { fromImage: image };
  const at = image.lastIndexOf(':');
  return at > image.lastIndexOf('/')
    ? { fromImage: image.slice(0, at), tag: image.slice(at + 1) }
    : { fromImage: image, tag: 'latest' };
}

async function pullMissing(plan: PlayPlan, d: PlayDeps): Promise<void> {
  for (const image of plan.images) {
    if (await exists(d.client, `/images/${encodeURIComponent(image)}/json`)) continue;
    d.log(`Image ${image}  Pulling`);
    const res = await d.client.imageCreate(pullQuery(image));
    for await (const m of jsonLines(res)) if (m.error) throw invalid(`pull ${image}: ${m.error}`);
  }
}

async function createContainer(c: PlannedContainer, d: PlayDeps, undo: Undo[]): Promise<string> {
  const { Id } = await d.client.containerCreate(c.body, { name: c.name });
  undo.push(() => d.client.containerRemove(Id, { force: true, v: true }));
  if (c.files.length)
    await d.client.request('PUT', `/containers/${Id}/archive`, {
      query: { path: '/' },
      body: await tarOf(c.files),
      contentType: 'application/x-tar',
    });
  return Id;
}

async function runInit(c: PlannedContainer, d: PlayDeps, undo: Undo[]): Promise<void> {
  const id = await createContainer(c, d, undo);
  const { result } = await d.client.containerWaitBegin(id, 'next-exit');
  await d.client.containerStart(id);
  d.log(`Container ${c.name}  Started`);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, rej) => {
    timer = setTimeout(
      () => rej(invalid(`init container ${c.name} did not finish in time`)),
      d.initTimeoutMs ?? 120_000,
    );
  });
  try {
    const r = await Promise.race([result, timeout]);
    if (r.StatusCode !== 0) throw invalid(`init container ${c.name} exited with ${r.StatusCode}`);
  } finally {
    clearTimeout(timer);
  }
  await d.client.containerRemove(id, { force: true, v: true });
  undo.pop();
  d.log(`Container ${c.name}  Exited`);
}

async function createShared(plan: PlayPlan, d: PlayDeps, undo: Undo[]): Promise<void> {
  for (const v of plan.volumes) {
    if (await exists(d.client, `/volumes/${encodeURIComponent(v.name)}`)) continue;
    await d.client.request('POST', '/volumes/create', {
      body: { Name: v.name, Labels: { [PLAY_LABEL]: plan.id, [VOLUME_KIND_LABEL]: v.kind } },
    });
    undo.push(() => d.client.request('DELETE', `/volumes/${encodeURIComponent(v.name)}`));
    d.log(`Volume ${v.name}  Created`);
  }
  if (plan.pods.some((p) => p.containers[0]?.body.HostConfig?.NetworkMode === plan.network)) {
    const r = await d.client.request<{ Id: string }>('POST', '/networks/create', {
      body: { Name: plan.network, Driver: 'bridge', CheckDuplicate: true, Labels: { [PLAY_LABEL]: plan.id } },
    });
    undo.push(() => d.client.request('DELETE', `/networks/${r.Id}`));
    d.log(`Network ${plan.network}  Created`);
  }
}

/** Creates and starts everything in the plan; on failure removes what it made and rethrows. */
export async function runPlay(plan: PlayPlan, d: PlayDeps): Promise<void> {
  const running = await d.client.containerList({ all: true, filters: labelFilter(plan.id) });
  if (running.length || (await exists(d.client, `/networks/${plan.network}`)))
    throw conflict(`kube play "${plan.id}" already exists: run kube down first`);
  await pullMissing(plan, d);
  const undo: Undo[] = [];
  try {
    await createShared(plan, d, undo);
    for (const pod of plan.pods) {
      for (const c of pod.init) await runInit(c, d, undo);
      const ids: string[] = [];
      for (const c of pod.containers) ids.push(await createContainer(c, d, undo));
      for (const [i, id] of ids.entries()) {
        await d.client.containerStart(id);
        d.log(`Container ${pod.containers[i].name}  Started`);
      }
    }
  } catch (e) {
    for (const u of undo.reverse()) await u().catch(() => undefined);
    throw e;
  }
}

/** Removes the play's containers, network and emptyDir volumes (claims too when `volumes`). */
export async function downPlay(id: string, client: Client, o: { volumes: boolean; log: (l: string) => void }) {
  const cs = await client.containerList({ all: true, filters: labelFilter(id) });
  for (const c of cs) {
    await client.containerRemove(c.Id, { force: true, v: true });
    o.log(`Container ${c.Names[0]?.replace(/^\//, '') ?? c.Id}  Removed`);
  }
  const nets = await client.request<{ Id: string; Name: string }[]>('GET', '/networks', {
    query: { filters: labelFilter(id) },
  });
  for (const n of nets ?? []) {
    await client.request('DELETE', `/networks/${n.Id}`);
    o.log(`Network ${n.Name}  Removed`);
  }
  const vols = await client.request<{ Volumes: { Name: string; Labels?: Record<string, string> | null }[] | null }>(
    'GET',
    '/volumes',
    { query: { filters: labelFilter(id) } },
  );
  for (const v of vols?.Volumes ?? []) {
    if (v.Labels?.[VOLUME_KIND_LABEL] === 'claim' && !o.volumes) continue;
    await client.request('DELETE', `/volumes/${encodeURIComponent(v.Name)}`);
    o.log(`Volume ${v.Name}  Removed`);
  }
  return cs.length;
}
