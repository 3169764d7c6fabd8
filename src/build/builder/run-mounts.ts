// `RUN --mount=type=cache|bind,…` as BuildKit parses them. The builder turns each into a host
// directory bind-mounted into the RUN container (HostConfig.Binds); mount targets never reach the
// committed layer.
import { lstat, readdir, rmdir, unlink } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { invalid } from '../../errdefs.js';

export interface RunMount {
  type: 'cache' | 'bind';
  target: string;
  /** Path inside the context / `from` stage or image (default: its root). */
  source: string;
  from?: string;
  readOnly: boolean;
  /** cache: the cache's identity (default: the target). */
  id: string;
  sharing: 'shared' | 'private' | 'locked';
  mode: number;
  uid: number;
  gid: number;
}

const KEYS: Record<string, string> = {
  dst: 'target',
  destination: 'target',
  src: 'source',
  ro: 'readonly',
  rw: 'readwrite',
};

/** One `--mount=` value (BuildKit's CSV syntax). */
export function parseRunMount(spec: string): RunMount {
  const kv = new Map<string, string | undefined>();
  for (const field of spec.split(',')) {
    if (!field) continue;
    const eq = field.indexOf('=');
    const k = (eq < 0 ? field : field.slice(0, eq)).trim().toLowerCase();
    kv.set(KEYS[k] ?? k, eq < 0 ? undefined : field.slice(eq + 1));
  }
  const type = (kv.get('type') ?? 'bind').toLowerCase();
  if (type !== 'cache' && type !== 'bind')
    throw invalid(`unsupported mount type "${type}": only bind and cache mounts are supported by berth's builder`);
  const target = kv.get('target');
  if (!target) throw invalid('mount target must be specified');
  const bool = (k: string) => {
    if (!kv.has(k)) return undefined;
    const v = kv.get(k);
    if (v === undefined || /^(1|t|true)$/i.test(v)) return true;
    if (/^(0|f|false)$/i.test(v)) return false;
    throw invalid(`invalid value for ${k}: ${v}`);
  };
  const int = (k: string, d: number, base = 10) => {
    const v = kv.get(k);
    if (v === undefined) return d;
    const n = parseInt(v, base);
    // strconv.ParseUint(v, base, 32) as BuildKit reads them: a 20-digit uid is refused here, not by chown
    if (!Number.isFinite(n) || n < 0 || n > 0xffffffff || !(base === 8 ? /^[0-7]+$/ : /^[0-9]+$/).test(v))
      throw invalid(`invalid value for ${k}: ${v}`);
    return n;
  };
  const rw = bool('readwrite');
  const ro = bool('readonly');
  const sharing = (kv.get('sharing') ?? 'shared').toLowerCase();
  if (sharing !== 'shared' && sharing !== 'private' && sharing !== 'locked')
    throw invalid(`unsupported sharing value "${sharing}"`);
  const dest = posix.resolve('/', target);
  for (const k of kv.keys()) {
    if (
      ![
        'type',
        'target',
        'source',
        'from',
        'readonly',
        'readwrite',
        'id',
        'sharing',
        'mode',
        'uid',
        'gid',
        'required',
      ].includes(k)
    )
      throw invalid(`unexpected key '${k}' in '${spec}'`);
  }
  return {
    type,
    target: dest,
    source: kv.get('source') ?? '',
    from: kv.get('from') || undefined,
    // bind mounts are read-only unless rw; cache mounts are writable unless ro
    readOnly: type === 'bind' ? !(rw ?? ro === false) : (ro ?? rw === false),
    id: kv.get('id') || dest,
    sharing,
    mode: int('mode', 0o755, 8),
    uid: int('uid', 0),
    gid: int('gid', 0),
  };
}

/** runc creates the mount points (dirs or files) in the upper dir; an empty one is not part of the RUN's changes. */
export async function dropMountStubs(upper: string, targets: string[]): Promise<void> {
  for (const t of targets) {
    const p = join(upper, t.replace(/^\/+/, ''));
    const s = await lstat(p).catch(() => null);
    if (s?.isDirectory() && (await readdir(p)).length === 0) await rmdir(p).catch(() => {});
    else if (s?.isFile() && s.size === 0) await unlink(p).catch(() => {});
  }
}
