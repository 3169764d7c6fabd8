// `system df`, `system prune` and `events` (also `system events`), as docker CLI 28 prints them.
import type { Readable } from 'node:stream';
import { filtersArg } from '../../client/client.js';
import type { CliContext, Command } from '../command.js';
import { StatusError } from '../command.js';
import { get } from '../flags/parser.js';
import { type VerboseDiskUsage, verboseDiskUsage } from '../format/disk-usage.js';
import { renderRows, type Row } from '../format/render.js';
import { compile, type Template } from '../format/template.js';
import { getTimestamp } from '../format/timestamp.js';
import { humanSize } from '../format/units.js';
import { confirm, flag, pruneCommand } from './common.js';
import { readUntilInterrupt } from '../streams.js';

interface DiskUsage {
  LayersSize?: number;
  Images?: Array<{ Containers: number; Size: number; SharedSize: number }> | null;
  Containers?: Array<{ State: string; SizeRw?: number }> | null;
  Volumes?: Array<{ UsageData?: { Size: number; RefCount: number } | null }> | null;
  BuildCache?: Array<{ Size: number; InUse?: boolean; Shared?: boolean }> | null;
}

const dfHeaders = { Type: 'TYPE', TotalCount: 'TOTAL', Active: 'ACTIVE', Size: 'SIZE', Reclaimable: 'RECLAIMABLE' };

/** "<size> (<pct>%)" when there is a total, Go's integer percentage. */
function reclaim(n: number, total: number): string {
  return total > 0 ? `${humanSize(n)} (${Math.trunc((n * 100) / total)}%)` : humanSize(n);
}

/** formatter/disk_usage.go's summary rows. */
export function dfRows(du: DiskUsage): Row[] {
  const images = du.Images ?? [];
  const cs = du.Containers ?? [];
  const vols = (du.Volumes ?? []).map((v) => v.UsageData ?? { Size: -1, RefCount: 0 });
  const cache = du.BuildCache ?? [];
  const total = du.LayersSize ?? 0;
  const usedImg = images
    .filter((i) => i.Containers !== 0 && i.Size !== -1 && i.SharedSize !== -1)
    .reduce((s, i) => s + i.Size - i.SharedSize, 0);
  const active = (c: { State: string }) => ['running', 'paused', 'restarting'].includes(c.State);
  const csTotal = cs.reduce((s, c) => s + (c.SizeRw ?? 0), 0);
  const csFree = cs.filter((c) => !active(c)).reduce((s, c) => s + (c.SizeRw ?? 0), 0);
  const sized = vols.filter((v) => v.Size !== -1);
  const volTotal = sized.reduce((s, v) => s + v.Size, 0);
  const volFree = sized.filter((v) => v.RefCount === 0).reduce((s, v) => s + v.Size, 0);
  const cacheTotal = cache.reduce((s, b) => s + b.Size, 0);
  const cacheUsed = cache.filter((b) => b.InUse && !b.Shared).reduce((s, b) => s + b.Size, 0);
  const row = (Type: string, n: number, act: number, size: number, rec: string) => ({
    Type,
    TotalCount: String(n),
    Active: String(act),
    Size: humanSize(size),
    Reclaimable: rec,
  });
  return [
    row('Images', images.length, images.filter((i) => i.Containers > 0).length, total, reclaim(total - usedImg, total)),
    row('Containers', cs.length, cs.filter(active).length, csTotal, reclaim(csFree, csTotal)),
    row('Local Volumes', vols.length, vols.filter((v) => v.RefCount > 0).length, volTotal, reclaim(volFree, volTotal)),
    row(
      'Build Cache',
      cache.length,
      cache.filter((b) => b.InUse).length,
      cacheTotal,
      humanSize(cacheTotal - cacheUsed),
    ),
  ];
}

export const systemDf: Command = {
  usage: 'system df [OPTIONS]',
  desc: 'Show docker disk usage',
  flags: [flag.format, { name: 'verbose', short: 'v', type: 'bool', help: 'Show detailed information on space usage' }],
  args: { max: 0 },
  async run(ctx, p) {
    const du = await ctx.client().request<DiskUsage & VerboseDiskUsage>('GET', '/system/df');
    const f = get.str(p, 'format');
    if (get.bool(p, 'verbose')) {
      ctx.io.stdout.write(verboseDiskUsage(du, f));
      return 0;
    }
    ctx.io.stdout.write(
      renderRows(
        dfRows(du),
        f,
        'table {{.Type}}\t{{.TotalCount}}\t{{.Active}}\t{{.Size}}\t{{.Reclaimable}}',
        dfHeaders,
      ),
    );
    return 0;
  },
};

function pruneWarning(all: boolean, volumes: boolean, filters: string[]): string {
  const w = ['all stopped containers', 'all networks not used by at least one container'];
  if (volumes) w.push('all anonymous volumes not used by at least one container');
  w.push(all ? 'all images without at least one container associated to them' : 'all dangling images');
  w.push(all ? 'all build cache' : 'unused build cache');
  let s = `WARNING! This will remove:\n${w.map((x) => `  - ${x}\n`).join('')}`;
  const shown = filters.filter((f) => /^(label|label!|until)=/.test(f)).sort();
  if (shown.length) s += `\n  Items to be pruned will be filtered with:\n${shown.map((x) => `  - ${x}\n`).join('')}`;
  return `${s}`;
}

type Report = Record<string, unknown> & { SpaceReclaimed?: number };

async function pruneAll(ctx: CliContext, all: boolean, volumes: boolean, filters: string[]): Promise<number> {
  const c = ctx.client();
  const post = (path: string, f: string[]) =>
    c.request<Report>('POST', path, { query: { filters: filtersArg(f) } }).then((r) => r ?? {});
  const out = ctx.io.stdout;
  let space = 0;
  const list = (title: string, items: unknown, fmt: (x: never) => string = String) => {
    const a = (items as never[] | null) ?? [];
    if (a.length) out.write(`${title}:\n${a.map((x) => `${fmt(x)}\n`).join('')}\n`);
  };
  const cr = await post('/containers/prune', filters);
  list('Deleted Containers', cr.ContainersDeleted);
  space += cr.SpaceReclaimed ?? 0;
  list('Deleted Networks', (await post('/networks/prune', filters)).NetworksDeleted);
  if (volumes) {
    const vr = await post('/volumes/prune', filters);
    list('Deleted Volumes', vr.VolumesDeleted);
    space += vr.SpaceReclaimed ?? 0;
  }
  const ir = await post('/images/prune', [...filters, `dangling=${all ? 'false' : 'true'}`]);
  list('Deleted Images', ir.ImagesDeleted, (d: { Deleted?: string; Untagged?: string }) =>
    d.Deleted ? `deleted: ${d.Deleted}` : `untagged: ${d.Untagged}`,
  );
  space += ir.SpaceReclaimed ?? 0;
  const br = await c
    .request<Report>('POST', '/build/prune', { query: { all: all || undefined, filters: filtersArg(filters) } })
    .catch(() => ({}) as Report);
  list('Deleted build cache objects', br?.CachesDeleted);
  space += br?.SpaceReclaimed ?? 0;
  return space;
}

export const systemPrune: Command = {
  usage: 'system prune [OPTIONS]',
  desc: 'Remove unused data',
  flags: [
    { name: 'all', short: 'a', type: 'bool', help: 'Remove all unused images not just dangling ones' },
    flag.filter,
    flag.force('Do not prompt for confirmation'),
    { name: 'volumes', type: 'bool', help: 'Prune anonymous volumes' },
  ],
  args: { max: 0 },
  async run(ctx, p) {
    const filters = get.list(p, 'filter');
    const all = get.bool(p, 'all');
    const volumes = get.bool(p, 'volumes');
    if (volumes && filters.some((f) => f.startsWith('until=')))
      throw new StatusError(1, 'ERROR: The "until" filter is not supported with "--volumes"');
    if (!get.bool(p, 'force') && !(await confirm(ctx, pruneWarning(all, volumes, filters).replace(/\n$/, '\n'))))
      return 0;
    const space = await pruneAll(ctx, all, volumes, filters);
    ctx.io.stdout.write(`Total reclaimed space: ${humanSize(space)}\n`);
    return 0;
  },
};

export const builderPrune = pruneCommand({
  name: 'builder prune',
  desc: 'Remove build cache',
  warning: 'WARNING! This will remove all dangling build cache.',
  all: {
    help: 'Remove all unused build cache, not just dangling ones',
    warning: 'WARNING! This will remove all build cache.',
  },
  async prune(ctx, filters, p) {
    const r = await ctx
      .client()
      .request<{ CachesDeleted: string[] | null; SpaceReclaimed: number }>('POST', '/build/prune', {
        query: { all: get.bool(p, 'all') || undefined, filters: filtersArg(filters) },
      });
    return { title: 'Deleted build cache objects', items: r?.CachesDeleted ?? [], space: r?.SpaceReclaimed ?? 0 };
  },
});

interface EventMessage {
  Type?: string;
  Action?: string;
  Actor?: { ID?: string; Attributes?: Record<string, string> };
  time?: number;
  timeNano?: number;
}

/** jsonmessage.RFC3339NanoFixed in the local zone: 2006-01-02T15:04:05.000000000Z07:00. */
export function rfc3339NanoFixed(timeNano: bigint, offsetMin = -new Date().getTimezoneOffset()): string {
  const ms = Number(timeNano / 1_000_000n) + offsetMin * 60_000;
  const nanos = String(timeNano % 1_000_000_000n).padStart(9, '0');
  const base = new Date(ms).toISOString().slice(0, 19);
  if (offsetMin === 0) return `${base}.${nanos}Z`;
  const a = Math.abs(offsetMin);
  const zone = `${offsetMin < 0 ? '-' : '+'}${String(Math.trunc(a / 60)).padStart(2, '0')}:${String(a % 60).padStart(2, '0')}`;
  return `${base}.${nanos}${zone}`;
}

/** prettyPrintEvent: time, type, action, actor id and sorted attributes. */
export function prettyEvent(e: EventMessage, rawTimeNano?: string): string {
  let s = '';
  const tn = rawTimeNano ? BigInt(rawTimeNano) : e.time ? BigInt(e.time) * 1_000_000_000n : 0n;
  if (tn) s += `${rfc3339NanoFixed(tn)} `;
  s += `${e.Type ?? ''} ${e.Action ?? ''} ${e.Actor?.ID ?? ''}`;
  const attrs = e.Actor?.Attributes ?? {};
  const keys = Object.keys(attrs).sort();
  if (keys.length) s += ` (${keys.map((k) => `${k}=${attrs[k]}`).join(', ')})`;
  return `${s}\n`;
}

export const events: Command = {
  usage: 'system events [OPTIONS]',
  desc: 'Get real time events from the server',
  flags: [
    { ...flag.filterF, help: 'Filter output based on conditions provided' },
    flag.format,
    { name: 'since', type: 'string', help: 'Show all events created since timestamp' },
    { name: 'until', type: 'string', help: 'Stream events until this timestamp' },
  ],
  args: { max: 0 },
  async run(ctx, p) {
    const f = get.str(p, 'format');
    let t: Template | null = null;
    try {
      if (f) t = compile(f === 'json' ? '{{json .}}' : f);
    } catch (e) {
      throw new StatusError(
        64,
        `Error parsing format: ${(e as Error).message.replace(/^template parsing error: /, '')}`,
      );
    }
    const now = new Date();
    const ts = (k: string) => (get.str(p, k) ? getTimestamp(get.str(p, k), now) : undefined);
    const res = await ctx.client().stream('GET', '/events', {
      query: { since: ts('since'), until: ts('until'), filters: filtersArg(get.list(p, 'filter')) },
    });
    await readUntilInterrupt(res, async () => {
      for await (const line of rawLines(res)) {
        const e = JSON.parse(line) as EventMessage & Record<string, unknown>;
        const nano = /"timeNano":\s*(\d+)/.exec(line)?.[1];
        ctx.io.stdout.write(t ? `${t.execute(goEvent(e, nano))}\n` : prettyEvent(e, nano));
      }
    });
    return 0;
  },
};

/** events.Message with Go's field order and sorted attributes, for `{{json .}}`. */
export function goEvent(e: EventMessage & Record<string, unknown>, rawNano?: string): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  for (const k of ['status', 'id', 'from']) if (e[k]) o[k] = e[k];
  const attrs = e.Actor?.Attributes;
  const sorted = attrs
    ? Object.fromEntries(
        Object.keys(attrs)
          .sort()
          .map((k) => [k, attrs[k]]),
      )
    : attrs;
  Object.assign(o, { Type: e.Type, Action: e.Action, Actor: { ID: e.Actor?.ID ?? '', Attributes: sorted } });
  for (const k of ['scope', 'time', 'timeNano']) if (e[k] !== undefined) o[k] = e[k];
  // templates name Go's fields (.Status, .TimeNano); `{{json .}}` shows the JSON keys only
  const goNames: Record<string, unknown> = {
    Status: e.status ?? '',
    ID: e.id ?? '',
    From: e.from ?? '',
    Scope: e.scope ?? '',
    Time: e.time ?? 0,
    TimeNano: rawNano ?? e.timeNano ?? 0,
  };
  for (const [k, v] of Object.entries(goNames)) Object.defineProperty(o, k, { value: v, enumerable: false });
  return o;
}

/** The stream's JSON lines as text: timeNano exceeds 2^53, so it is read from the text itself. */
async function* rawLines(s: Readable): AsyncGenerator<string> {
  let buf = '';
  for await (const chunk of s) {
    buf += String(chunk);
    let i = buf.indexOf('\n');
    while (i >= 0) {
      const line = buf.slice(0, i).trim();
      buf = buf.slice(i + 1);
      if (line) yield line;
      i = buf.indexOf('\n');
    }
  }
  if (buf.trim()) yield buf.trim();
}
