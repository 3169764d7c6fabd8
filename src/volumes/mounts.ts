// Mount syntax (`-v`, `--mount`, `--tmpfs`, `--volumes-from`, image VOLUME) → Docker's MountPoint
// records at create, and MountPoint records → OCI mounts at start. Parsers are pure; resolve() does
// the side effects (creating volumes and missing `-v` host dirs) only after everything validated.
import fs from 'node:fs';
import { posix } from 'node:path';
import { invalid } from '../errdefs.js';
import { VALID_VOLUME_NAME, invalidNameMessage } from './driver.js';
import { mkdirp } from '../util/mkdirp.js';

/** Docker's inspect `Mounts` entry (same shape as engine/types.ts MountPoint). */
export interface MountPoint {
  Type: string;
  Name?: string;
  Source: string;
  Destination: string;
  Driver?: string;
  Mode: string;
  RW: boolean;
  Propagation: string;
}

/** HostConfig.Mounts entry (`--mount`), Docker's wire shape. */
export interface MountSpecIn {
  Type: string;
  Source?: string;
  Target: string;
  ReadOnly?: boolean;
  Consistency?: string;
  BindOptions?: { Propagation?: string; NonRecursive?: boolean; CreateMountpoint?: boolean };
  VolumeOptions?: {
    NoCopy?: boolean;
    Labels?: Record<string, string>;
    DriverConfig?: { Name?: string; Options?: Record<string, string> };
  };
  TmpfsOptions?: { SizeBytes?: number; Mode?: number };
}

export interface MountRequest {
  binds: string[];
  mounts: MountSpecIn[];
  tmpfs: Record<string, string>;
  volumesFrom: string[];
  /** Config.Volumes keys (the image's VOLUMEs and `-v /path`). */
  volumes: string[];
}

export interface OciMount {
  destination: string;
  type: string;
  source: string;
  options: string[];
}

const PROPAGATIONS = ['shared', 'rshared', 'slave', 'rslave', 'private', 'rprivate'];
const CONSISTENCY = ['consistent', 'cached', 'delegated', 'default'];

const invalidSpec = (spec: string) => `invalid volume specification: '${spec}'`;

function cleanDest(p: string): string {
  return posix.normalize(p).replace(/(.)\/+$/, '$1');
}

function checkDest(dest: string, type: string, spec?: string): string {
  const wrap = (m: string) => invalid(spec !== undefined ? `${invalidSpec(spec)}: ${m}` : m);
  if (!dest) throw wrap(`invalid mount config for type "${type}": field Target must not be empty`);
  if (!dest.startsWith('/'))
    throw wrap(`invalid mount config for type "${type}": invalid mount path: '${dest}' mount path must be absolute`);
  const d = cleanDest(dest);
  if (d === '/') throw wrap(`invalid mount config for type "${type}": invalid specification: destination can't be '/'`);
  return d;
}

export interface ParsedMode {
  rw: boolean;
  propagation: string;
  nocopy: boolean;
}

/** Validate a `-v` mode string ("ro", "z,ro", "rslave", "nocopy" …); throws `invalid mode: x`. */
export function parseMode(mode: string): ParsedMode {
  const out: ParsedMode = { rw: true, propagation: '', nocopy: false };
  if (mode === '') return out;
  let rwSeen = false;
  let labelSeen = false;
  let consSeen = false;
  for (const m of mode.split(',')) {
    if (m === 'rw' || m === 'ro') {
      if (rwSeen) throw invalid(`invalid mode: ${mode}`);
      rwSeen = true;
      out.rw = m === 'rw';
    } else if (m === 'z' || m === 'Z') {
      if (labelSeen) throw invalid(`invalid mode: ${mode}`);
      labelSeen = true;
    } else if (PROPAGATIONS.includes(m)) {
      if (out.propagation) throw invalid(`invalid mode: ${mode}`);
      out.propagation = m;
    } else if (CONSISTENCY.includes(m)) {
      if (consSeen) throw invalid(`invalid mode: ${mode}`);
      consSeen = true;
    } else if (m === 'nocopy') {
      if (out.nocopy) throw invalid(`invalid mode: ${mode}`);
      out.nocopy = true;
    } else throw invalid(`invalid mode: ${mode}`);
  }
  return out;
}

/** One parsed mount before volumes exist: `source` is a host path (bind), a volume name or '' (anonymous). */
export interface PlannedMount {
  type: 'bind' | 'volume' | 'tmpfs';
  source: string;
  destination: string;
  mode: string;
  rw: boolean;
  propagation: string;
  nocopy: boolean;
  /** `-v` creates a missing host dir; `--mount` refuses it. */
  createHostDir: boolean;
  driver?: string;
  driverOpts?: Record<string, string>;
  labels?: Record<string, string>;
}

/** A `-v` / HostConfig.Binds entry: `/host:/ctr[:mode]`, `name:/ctr[:mode]` or `/ctr`. */
export function parseBind(spec: string): PlannedMount {
  const arr = spec.split(':');
  if (arr.length > 3 || arr[0] === '') throw invalid(invalidSpec(spec));
  let src = '';
  let dst: string;
  let mode = '';
  if (arr.length === 1) dst = arr[0]!;
  else if (arr.length === 2) {
    // "/foo:rw": a destination with a mode is not a volume
    if (
      /^(rw|ro|z|Z|nocopy|shared|rshared|slave|rslave|private|rprivate)(,|$)/.test(arr[1]!) &&
      !arr[1]!.startsWith('/')
    )
      throw invalid(invalidSpec(spec));
    [src, dst] = [arr[0]!, arr[1]!];
  } else [src, dst, mode] = [arr[0]!, arr[1]!, arr[2]!];
  const m = parseMode(mode);
  const type = src.startsWith('/') ? 'bind' : 'volume';
  const destination = checkDest(dst, type, spec);
  if (type === 'volume' && src && !VALID_VOLUME_NAME.test(src)) throw invalid(invalidNameMessage(src));
  if (type === 'bind' && m.nocopy) throw invalid(`invalid mode: ${mode}`);
  return {
    type,
    source: type === 'bind' ? posix.normalize(src).replace(/(.)\/+$/, '$1') : src,
    destination,
    mode: type === 'volume' && mode === '' && src ? 'z' : mode,
    rw: m.rw,
    propagation: type === 'bind' ? m.propagation || 'rprivate' : '',
    nocopy: m.nocopy,
    createHostDir: true,
  };
}

type GoKind = 'string' | 'bool' | 'number' | 'object' | 'map';
const MOUNT_FIELDS: Record<string, GoKind> = {
  Type: 'string',
  Source: 'string',
  Target: 'string',
  ReadOnly: 'bool',
  Consistency: 'string',
  BindOptions: 'object',
  VolumeOptions: 'object',
  TmpfsOptions: 'object',
  'BindOptions.Propagation': 'string',
  'BindOptions.NonRecursive': 'bool',
  'BindOptions.CreateMountpoint': 'bool',
  'VolumeOptions.NoCopy': 'bool',
  'VolumeOptions.Labels': 'map',
  'VolumeOptions.DriverConfig': 'object',
  'VolumeOptions.DriverConfig.Name': 'string',
  'VolumeOptions.DriverConfig.Options': 'map',
  'TmpfsOptions.SizeBytes': 'number',
  'TmpfsOptions.Mode': 'number',
};
const jsonKind = (v: unknown) => (Array.isArray(v) ? 'array' : typeof v === 'boolean' ? 'bool' : typeof v);

/** The field types Go's decoder enforces on HostConfig.Mounts (null is a zero value there), so a
 *  request that skipped the edge's schema still gets a 400, not a TypeError. */
function checkMountTypes(m: unknown, at = ''): void {
  if (m === null || typeof m !== 'object' || Array.isArray(m))
    throw invalid(`json: cannot unmarshal ${jsonKind(m)} into Go value of type mount.Mount`);
  for (const [k, v] of Object.entries(m)) {
    const want = MOUNT_FIELDS[at + k];
    if (want === undefined || v === null || v === undefined) continue;
    const ok =
      want === 'object' || want === 'map'
        ? typeof v === 'object' &&
          !Array.isArray(v) &&
          (want === 'object' || Object.values(v).every((x) => typeof x === 'string'))
        : jsonKind(v) === want && (want !== 'number' || Number.isFinite(v));
    if (!ok)
      throw invalid(
        `json: cannot unmarshal ${jsonKind(v)} into Go struct field Mount.${at}${k} of type ${want === 'map' ? 'map[string]string' : want}`,
      );
    if (want === 'object') checkMountTypes(v, `${at}${k}.`);
  }
}

/** A `--mount` / HostConfig.Mounts entry, validated like moby's mount validator. */
export function parseMountSpec(m: MountSpecIn): PlannedMount {
  checkMountTypes(m);
  const t = m.Type;
  const bad = (s: string) => invalid(`invalid mount config for type "${t}": ${s}`);
  if (t !== 'bind' && t !== 'volume' && t !== 'tmpfs') throw invalid(`mount type unknown: "${t}"`);
  const destination = checkDest(m.Target ?? '', t);
  if (t !== 'bind' && m.BindOptions) throw bad('field BindOptions must not be specified');
  if (t !== 'volume' && m.VolumeOptions) throw bad('field VolumeOptions must not be specified');
  if (t !== 'tmpfs' && m.TmpfsOptions) throw bad('field TmpfsOptions must not be specified');
  const rw = !m.ReadOnly;
  if (t === 'bind') {
    const src = m.Source ?? '';
    if (!src) throw bad('field Source must not be empty');
    if (!src.startsWith('/')) throw bad(`invalid mount path: '${src}' mount path must be absolute`);
    const prop = m.BindOptions?.Propagation ?? '';
    if (prop && !PROPAGATIONS.includes(prop)) throw bad(`invalid propagation mode: ${prop}`);
    return {
      type: 'bind',
      source: posix.normalize(src).replace(/(.)\/+$/, '$1'),
      destination,
      mode: '',
      rw,
      propagation: prop || 'rprivate',
      nocopy: false,
      createHostDir: !!m.BindOptions?.CreateMountpoint,
    };
  }
  if (t === 'volume') {
    const src = m.Source ?? '';
    if (src && !VALID_VOLUME_NAME.test(src)) throw invalid(invalidNameMessage(src));
    return {
      type: 'volume',
      source: src,
      destination,
      mode: 'z',
      rw,
      propagation: '',
      nocopy: !!m.VolumeOptions?.NoCopy,
      createHostDir: false,
      driver: m.VolumeOptions?.DriverConfig?.Name || undefined,
      driverOpts: m.VolumeOptions?.DriverConfig?.Options,
      labels: m.VolumeOptions?.Labels,
    };
  }
  if (m.Source) throw bad('field Source must not be specified');
  return { type: 'tmpfs', source: '', destination, mode: '', rw, propagation: '', nocopy: false, createHostDir: false };
}

/** `--tmpfs /run:rw,size=64m` data → mount options, Docker's defaults first. */
export function tmpfsOptions(data: string): string[] {
  const opts = ['noexec', 'nosuid', 'nodev'];
  for (const o of data
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean)) {
    const neg: Record<string, string> = { exec: 'noexec', suid: 'nosuid', dev: 'nodev' };
    if (neg[o]) {
      const i = opts.indexOf(neg[o]!);
      if (i >= 0) opts.splice(i, 1);
      continue;
    }
    if (
      !/^(ro|rw|noexec|nosuid|nodev|sync|async|dirsync|atime|noatime|diratime|nodiratime|relatime|norelatime|strictatime|nostrictatime|mand|nomand|(size|mode|uid|gid|nr_inodes|nr_blocks|mpol)=.+)$/.test(
        o,
      )
    )
      throw invalid(`invalid tmpfs option ["${o}"]`);
    opts.push(o);
  }
  return opts;
}

/** `--mount type=tmpfs` options. */
export function tmpfsSpecOptions(m: MountSpecIn | undefined, rw: boolean): string[] {
  const opts = ['noexec', 'nosuid', 'nodev', rw ? 'rw' : 'ro'];
  if (m?.TmpfsOptions?.SizeBytes) opts.push(`size=${m.TmpfsOptions.SizeBytes}`);
  if (m?.TmpfsOptions?.Mode) opts.push(`mode=${(m.TmpfsOptions.Mode & 0o7777).toString(8)}`);
  return opts;
}

/** `--volumes-from c[:ro|:rw]`. */
export function parseVolumesFrom(spec: string): { ref: string; mode: '' | 'ro' | 'rw' } {
  const i = spec.lastIndexOf(':');
  if (i < 0) return { ref: spec, mode: '' };
  const mode = spec.slice(i + 1);
  if (mode !== 'ro' && mode !== 'rw' && mode !== 'z' && mode !== 'Z' && !/^(ro|rw)?,?[zZ]?$/.test(mode))
    throw invalid(`invalid mode: ${mode}`);
  return { ref: spec.slice(0, i), mode: mode.includes('ro') ? 'ro' : mode.includes('rw') ? 'rw' : '' };
}

export interface ResolveDeps {
  /** Mounts of another container (for --volumes-from); throws not-found with Docker's text. */
  containerMounts(ref: string): MountPoint[];
  createVolume(o: {
    name: string;
    driver?: string;
    opts?: Record<string, string>;
    labels?: Record<string, string>;
  }): Promise<{ Name: string; Driver: string; Mountpoint: string }>;
  /** Drop an anonymous volume created by a resolve() that then failed. */
  removeVolume(name: string): Promise<void>;
}

type Planned = Map<string, PlannedMount | MountPoint>;

/** --volumes-from: the other container's volume and bind mounts, with the mode given. */
function planVolumesFrom(req: MountRequest, deps: ResolveDeps, planned: Planned): void {
  for (const spec of req.volumesFrom) {
    const { ref, mode } = parseVolumesFrom(spec);
    let theirs: MountPoint[];
    try {
      theirs = deps.containerMounts(ref);
    } catch (e) {
      // a 404 here would make the CLI try to pull the image: Docker answers 400
      throw invalid((e as Error).message, e);
    }
    for (const mp of theirs) {
      if (mp.Type !== 'volume' && mp.Type !== 'bind') continue; // tmpfs mounts are not shared
      const copy: MountPoint = { ...mp };
      if (mode) {
        copy.RW = mode === 'rw';
        copy.Mode = mode;
      }
      planned.set(mp.Destination, copy);
    }
  }
}

/** -v binds and --mount (which may not collide), --tmpfs, then anonymous VOLUMEs nothing covers. */
function planExplicit(req: MountRequest, planned: Planned): void {
  const explicit = new Set<string>();
  const add = (p: PlannedMount) => {
    if (explicit.has(p.destination)) throw invalid(`Duplicate mount point: ${p.destination}`);
    explicit.add(p.destination);
    planned.set(p.destination, p);
  };
  for (const b of req.binds) {
    const p = parseBind(b);
    // `-v a:/x -v a:/x` twice is harmless (the CLI may send both); different sources are not
    const prev = planned.get(p.destination);
    if (explicit.has(p.destination) && prev && 'source' in prev && prev.source === p.source && prev.mode === p.mode)
      continue;
    add(p);
  }
  for (const m of req.mounts) {
    const p = parseMountSpec(m);
    if (p.type === 'bind' && !p.createHostDir && !fs.existsSync(p.source))
      throw invalid(`invalid mount config for type "bind": bind source path does not exist: ${p.source}`);
    add(p);
  }
  for (const dest of Object.keys(req.tmpfs)) {
    const d = checkDest(dest, 'tmpfs');
    if (explicit.has(d)) throw invalid(`Duplicate mount point: ${d}`);
    tmpfsOptions(req.tmpfs[dest] ?? '');
    planned.delete(d); // --tmpfs shadows a --volumes-from mount at the same place
  }
  for (const v of req.volumes) {
    const d = checkDest(v, 'volume');
    if (planned.has(d) || Object.keys(req.tmpfs).some((t) => cleanDest(t) === d)) continue;
    planned.set(d, {
      type: 'volume',
      source: '',
      destination: d,
      mode: '',
      rw: true,
      propagation: '',
      nocopy: false,
      createHostDir: false,
    });
  }
}

/** A planned mount made real: a bind's host dir, a (named or anonymous) volume, a tmpfs. */
async function realize(p: PlannedMount, deps: ResolveDeps, created: string[]): Promise<MountPoint> {
  if (p.type === 'bind') {
    if (p.createHostDir && !fs.existsSync(p.source)) await mkdirp(p.source, 0o755); // fs.mkdir -p spins forever under /proc
    return {
      Type: 'bind',
      Source: p.source,
      Destination: p.destination,
      Mode: p.mode,
      RW: p.rw,
      Propagation: p.propagation,
    };
  }
  if (p.type === 'volume') {
    const v = await deps.createVolume({ name: p.source, driver: p.driver, opts: p.driverOpts, labels: p.labels });
    if (!p.source) created.push(v.Name);
    return {
      Type: 'volume',
      Name: v.Name,
      Source: v.Mountpoint,
      Destination: p.destination,
      Driver: v.Driver,
      Mode: p.mode,
      RW: p.rw,
      Propagation: '',
    };
  }
  return { Type: 'tmpfs', Source: '', Destination: p.destination, Mode: '', RW: p.rw, Propagation: '' };
}

/**
 * The container's mounts in Docker's order and shadowing: --volumes-from first, then -v binds and
 * --mount (which may not collide with each other), then --tmpfs, then image/anonymous VOLUMEs for
 * destinations nothing else covers.
 */
export async function resolveMounts(req: MountRequest, deps: ResolveDeps): Promise<MountPoint[]> {
  // 1. parse and validate everything before any side effect
  const planned: Planned = new Map();
  planVolumesFrom(req, deps, planned);
  planExplicit(req, planned);
  // 2. create what is missing; anonymous volumes made here go again if a later one fails
  const created: string[] = [];
  const out: MountPoint[] = [];
  try {
    for (const p of planned.values()) out.push('createHostDir' in p ? await realize(p, deps, created) : p);
  } catch (e) {
    for (const n of created) await deps.removeVolume(n).catch(() => {});
    throw e;
  }
  return out;
}

/** Whether a volume mount wants the image's content copied into it (not with `nocopy`). */
export function wantsCopy(mp: MountPoint, specs: MountSpecIn[]): boolean {
  if (mp.Type !== 'volume') return false;
  if (mp.Mode.split(',').includes('nocopy')) return false;
  const s = specs.find((x) => x.Type === 'volume' && cleanDest(x.Target) === mp.Destination);
  return !s?.VolumeOptions?.NoCopy;
}

/** MountPoints (+ --tmpfs) → OCI mounts; `volumePath` gives a mounted volume's host path. */
export function ociMounts(
  mps: MountPoint[],
  specs: MountSpecIn[],
  tmpfs: Record<string, string>,
  volumePath: (mp: MountPoint) => string,
): OciMount[] {
  const out: OciMount[] = [];
  for (const mp of mps) {
    const rw = mp.RW ? 'rw' : 'ro';
    if (mp.Type === 'tmpfs') {
      const s = specs.find((x) => x.Type === 'tmpfs' && cleanDest(x.Target) === mp.Destination);
      out.push({ destination: mp.Destination, type: 'tmpfs', source: 'tmpfs', options: tmpfsSpecOptions(s, mp.RW) });
    } else if (mp.Type === 'volume') {
      out.push({
        destination: mp.Destination,
        type: 'bind',
        source: volumePath(mp),
        options: ['rbind', 'rprivate', rw],
      });
    } else {
      const s = specs.find((x) => x.Type === 'bind' && cleanDest(x.Target) === mp.Destination);
      const rec = s?.BindOptions?.NonRecursive ? 'bind' : 'rbind';
      out.push({
        destination: mp.Destination,
        type: 'bind',
        source: mp.Source,
        options: [rec, mp.Propagation || 'rprivate', rw],
      });
    }
  }
  for (const [dest, data] of Object.entries(tmpfs))
    out.push({ destination: cleanDest(dest), type: 'tmpfs', source: 'tmpfs', options: tmpfsOptions(data) });
  return out;
}
