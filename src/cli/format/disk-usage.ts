// formatter/disk_usage.go's verbose write: `system df -v` per image, container, volume and cache record.
import type { ContainerSummary, ImageSummary } from '../../client/types.js';
import { containerHeaders, containerRow } from './containers.js';
import { truncateId } from './ellipsis.js';
import { familiarName, imageHeaders, imageRow, splitRef } from './images.js';
import { renderRows, type Row, rowJSON, unescapeFormat } from './render.js';
import { volumeHeaders, volumeRow, type VolumeLike } from './resources.js';
import { compile } from './template.js';
import { humanSize, humanSizeWithPrecision, timeAgo } from './units.js';

export interface CacheRecord {
  ID: string;
  Parent?: string;
  Parents?: string[] | null;
  Type: string;
  Description: string;
  InUse: boolean;
  Shared: boolean;
  Size: number;
  CreatedAt: string;
  LastUsedAt?: string | null;
  UsageCount: number;
}

export interface VerboseDiskUsage {
  Images?: ImageSummary[] | null;
  Containers?: ContainerSummary[] | null;
  Volumes?: VolumeLike[] | null;
  BuildCache?: CacheRecord[] | null;
}

const cacheHeaders: Record<string, string> = {
  ID: 'CACHE ID',
  Parent: 'PARENT',
  CacheType: 'CACHE TYPE',
  Size: 'SIZE',
  CreatedSince: 'CREATED',
  LastUsedSince: 'LAST USED',
  UsageCount: 'USAGE',
  InUse: 'IN USE',
  Shared: 'SHARED',
  Description: 'DESCRIPTION',
};

const tables = {
  image:
    'table {{.Repository}}\t{{.Tag}}\t{{.ID}}\t{{.CreatedSince}}\t{{.Size}}\t{{.SharedSize}}\t{{.UniqueSize}}\t{{.Containers}}',
  container:
    'table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.LocalVolumes}}\t{{.Size}}\t{{.RunningFor}}\t{{.Status}}\t{{.Names}}',
  volume: 'table {{.Name}}\t{{.Links}}\t{{.Size}}',
  cache:
    'table {{.ID}}\t{{.CacheType}}\t{{.Size}}\t{{.CreatedSince}}\t{{.LastUsedSince}}\t{{.UsageCount}}\t{{.Shared}}',
};

/** Go's time.Time.String() of an RFC 3339 time, as buildCacheContext.CreatedAt prints it (UTC). */
function goTime(iso: string): string {
  const d = new Date(iso);
  return `${d.toISOString().slice(0, 19).replace('T', ' ')} +0000 UTC`;
}

/** buildCacheContext: the ID gets a `*` while in use. */
export function cacheRow(b: CacheRecord, trunc: boolean, now = Date.now()): Row {
  const parent = b.Parents?.length ? b.Parents.join(', ') : (b.Parent ?? '');
  const since = (iso: string) => timeAgo(Date.parse(iso) / 1000, now);
  return {
    ID: (trunc ? truncateId(b.ID) : b.ID) + (b.InUse ? '*' : ''),
    Parent: trunc ? truncateId(parent) : parent,
    CacheType: b.Type,
    Description: b.Description,
    Size: humanSizeWithPrecision(b.Size, 3),
    CreatedAt: goTime(b.CreatedAt),
    CreatedSince: since(b.CreatedAt),
    LastUsedAt: b.LastUsedAt ? goTime(b.LastUsedAt) : '',
    LastUsedSince: b.LastUsedAt ? since(b.LastUsedAt) : '',
    UsageCount: String(b.UsageCount),
    InUse: String(b.InUse),
    Shared: String(b.Shared),
  };
}

/** The first tag only, split as reference.ParseNormalizedNamed would; dangling images are <none>. */
function firstTag(i: ImageSummary): { repo: string; tag: string } {
  const t = (i.RepoTags ?? []).find((x) => x !== '<none>:<none>');
  if (!t || t !== i.RepoTags?.[0]) return { repo: '<none>', tag: '<none>' };
  const r = splitRef(t);
  return r.tag === undefined ? { repo: '<none>', tag: '<none>' } : { repo: familiarName(r.repo), tag: r.tag };
}

/** buildCacheSort: never-used records first, then by last use, ties by ID. */
function sortCache(a: CacheRecord, b: CacheRecord): number {
  const la = a.LastUsedAt ? Date.parse(a.LastUsedAt) : null;
  const lb = b.LastUsedAt ? Date.parse(b.LastUsedAt) : null;
  if (la === lb) return a.ID < b.ID ? -1 : a.ID > b.ID ? 1 : 0;
  if (la === null) return -1;
  if (lb === null) return 1;
  return la - lb;
}

function verboseRows(du: VerboseDiskUsage, trunc: boolean, now: number): Record<string, Row[]> {
  return {
    Images: (du.Images ?? []).map((i) => {
      const { repo, tag } = firstTag(i);
      return imageRow(i, repo, tag, '', trunc, now);
    }),
    // df never shows the virtual size
    Containers: (du.Containers ?? []).map((c) => containerRow({ ...c, SizeRootFs: 0 }, { trunc, now })),
    Volumes: (du.Volumes ?? []).map((v) => volumeRow(v)),
    BuildCache: [...(du.BuildCache ?? [])].sort(sortCache).map((b) => cacheRow(b, trunc, now)),
  };
}

/** `system df -v` with `format` ("" or "table": the four tables; "json"; a template over the lists). */
export function verboseDiskUsage(du: VerboseDiskUsage, format: string, now = Date.now()): string {
  const f = format || 'table';
  const rows = verboseRows(du, f.startsWith('table'), now);
  if (f !== 'table') {
    // the lists' items marshal as their row contexts do
    const data: Record<string, unknown> = {};
    for (const [k, rs] of Object.entries(rows)) data[k] = rs.map((r) => withJSON(r));
    const body = f === 'json' ? '{{json .}}' : unescapeFormat((f.startsWith('table') ? f.slice(5) : f).trim());
    return compile(body).execute(data);
  }
  const builder = (du.BuildCache ?? []).filter((b) => !b.Shared).reduce((s, b) => s + b.Size, 0);
  return [
    'Images space usage:\n\n',
    renderRows(rows.Images, tables.image, tables.image, imageHeaders),
    '\nContainers space usage:\n\n',
    renderRows(rows.Containers, tables.container, tables.container, containerHeaders),
    '\nLocal Volumes space usage:\n\n',
    renderRows(rows.Volumes, tables.volume, tables.volume, volumeHeaders),
    `\nBuild cache usage: ${humanSize(builder)}\n\n`,
    renderRows(rows.BuildCache, tables.cache, tables.cache, cacheHeaders),
  ].join('');
}

/** A row whose `{{json .}}` is its sorted fields, as formatter.MarshalJSON of a context. */
function withJSON(r: Row): Row {
  const o = Object.create(null) as Row;
  for (const k of Object.keys(r)) Object.defineProperty(o, k, { get: () => r[k], enumerable: true });
  Object.defineProperty(o, 'toJSON', { value: () => JSON.parse(rowJSON(r)), enumerable: false });
  return o;
}
