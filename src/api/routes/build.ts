// POST /build: the legacy builder's API. The context tar is streamed in; the JSON stream
// ({"stream":…}, {"aux":{"ID":…}}, in-band errors) starts with the first line of output, so errors
// found before that (bad Dockerfile, unknown target) get a normal error status like Docker's.
import { readdir } from 'node:fs/promises';
import type { Writable } from 'node:stream';
import type { Builder } from '../../build/builder/builder.js';
import { BUILD_SNAP } from '../../build/builder/build-state.js';
import { pruneOptions, type CacheMounts, type CacheRecord } from '../../build/builder/cache-mounts.js';
import { RunFailedError, type BuildOptions } from '../../build/builder/options.js';
import type { PullPort, RunPort, RunResources } from '../../build/builder/ports.js';
import type { ContainerService } from '../../engine/service.js';
import { invalid, notImplemented, unavailable } from '../../errdefs.js';
import type { ImageService } from '../../images/store.js';
import { platformQuery } from '../../util/platform.js';
import { messageOf } from '../errors.js';
import { qbool, qfilters, type Route } from '../router.js';

export interface BuildRouteDeps {
  images: ImageService;
  containers: ContainerService;
  tmpDir: string;
  /** `docker build --pull`: pulls a FROM image through the distribution service. */
  puller?: PullPort;
  /** RUN --mount=type=cache directories (shared with `system df`); default: beside tmpDir. */
  cacheMounts?: CacheMounts;
  log?: (level: 'debug' | 'info' | 'warn' | 'error', m: string) => void;
  /** berthd --experimental: `squash=1` is refused without it, as by moby. */
  experimental?: boolean;
}

/** RUN steps through the engine: create → attach → start → wait, like any container. */
export function engineRunner(containers: ContainerService): RunPort {
  return {
    async run(spec, hooks, signal) {
      const cancelled = () => {
        if (signal.aborted) throw unavailable('build cancelled');
      };
      cancelled();
      const { id: Id } = await containers.create({
        config: {
          Image: spec.image,
          Cmd: spec.cmd,
          Entrypoint: [''],
          Env: spec.env,
          WorkingDir: spec.workdir,
          User: spec.user,
          AttachStdout: true,
          AttachStderr: true,
          Labels: {},
        },
        hostConfig: {
          ...spec.resources,
          NetworkMode: spec.networkMode || 'default',
          ExtraHosts: spec.extraHosts.length ? spec.extraHosts : null,
          Binds: spec.binds?.length ? spec.binds : null,
        } as never,
      });
      hooks.created(Id);
      // A build cancelled (its client went away) while this container was being created: it never
      // starts, the caller removes it. An abort listener added now would not fire, and the step
      // would run to its end first (moby kills and removes the step's container on cancel).
      cancelled();
      const detach = new AbortController();
      const attached = containers.attach(
        Id,
        { stdin: false, stdout: true, stderr: true, stream: true, logs: false },
        { write: (s, chunk) => hooks.output(chunk, s), signal: detach.signal },
      );
      const onAbort = () => void containers.kill(Id, 'KILL').catch(() => {});
      signal.addEventListener('abort', onAbort, { once: true });
      try {
        await containers.start(Id);
        // a kill while the start was under way found nothing running yet
        if (signal.aborted) onAbort();
        const r = await containers.wait(Id, 'not-running', new AbortController().signal);
        // let the last output drain (the attach ends at the container's exit)
        await Promise.race([attached, new Promise((res) => setTimeout(res, 2000))]);
        return r.statusCode;
      } finally {
        signal.removeEventListener('abort', onAbort);
        detach.abort();
      }
    },
    remove: (id) => containers.remove(id, { force: true, volumes: true }),
  };
}

/** The build's resource flags as the CLI sends them (0 or '' when not given: left out). */
function runResources(q: URLSearchParams): RunResources | undefined {
  const r: RunResources = {};
  const num = (k: string, key: 'Memory' | 'MemorySwap' | 'CpuShares' | 'CpuPeriod' | 'CpuQuota' | 'ShmSize') => {
    const v = q.get(k);
    if (!v || v === '0') return;
    if (!/^-?\d+$/.test(v)) throw invalid(`strconv.ParseInt: parsing ${JSON.stringify(v)}: invalid syntax`);
    r[key] = Number(v);
  };
  num('memory', 'Memory');
  num('memswap', 'MemorySwap');
  num('cpushares', 'CpuShares');
  num('cpuperiod', 'CpuPeriod');
  num('cpuquota', 'CpuQuota');
  num('shmsize', 'ShmSize');
  if (q.get('cpusetcpus')) r.CpusetCpus = q.get('cpusetcpus')!;
  if (q.get('cpusetmems')) r.CpusetMems = q.get('cpusetmems')!;
  if (q.get('cgroupparent')) r.CgroupParent = q.get('cgroupparent')!;
  const ul = q.get('ulimits');
  if (ul && ul !== 'null' && ul !== '[]') {
    let v: unknown;
    try {
      v = JSON.parse(ul);
    } catch {
      throw invalid(`error reading ulimits: ${ul}`);
    }
    const ok = (u: unknown) => !!u && typeof u === 'object' && typeof (u as { Name?: unknown }).Name === 'string';
    if (!Array.isArray(v) || !v.every(ok)) throw invalid(`error reading ulimits: ${ul}`);
    r.Ulimits = v as RunResources['Ulimits'];
  }
  return Object.keys(r).length ? r : undefined;
}

/** `cachefrom`: a JSON array of image names (docker-py, the CLI's --cache-from). */
function jsonList(v: string | null, what: string): string[] | undefined {
  if (!v) return undefined;
  try {
    const a: unknown = JSON.parse(v);
    if (Array.isArray(a) && a.every((x) => typeof x === 'string')) return a;
  } catch {
    /* below */
  }
  throw invalid(`error reading ${what}: ${v}`);
}

function jsonMap(v: string | null, what: string): Record<string, string | null> {
  if (!v) return {};
  try {
    const o: unknown = JSON.parse(v);
    if (o && typeof o === 'object' && !Array.isArray(o)) return o as Record<string, string | null>;
  } catch {
    /* below */
  }
  throw invalid(`error reading ${what}: ${v}`);
}

/** A cache mount as a BuildCache record of `GET /system/df` (BuildKit's exec.cachemount). */
export function buildCacheJson(r: CacheRecord): object {
  return {
    ID: r.id,
    Parent: '',
    Parents: [],
    Type: 'exec.cachemount',
    Description: r.description,
    InUse: r.inUse,
    Shared: false,
    Size: r.size,
    CreatedAt: r.createdAt,
    LastUsedAt: r.lastUsedAt,
    UsageCount: r.usageCount,
  };
}

/**
 * The builder (two dozen modules, worker threads, zlib) loads on the first build, or at start only
 * when a build cut short left snapshots or scratch directories for its sweep: a daemon that never
 * builds does not pay for it in memory.
 */
function lazyBuilder(d: BuildRouteDeps): () => Promise<Builder> {
  let builder: Promise<Builder> | undefined;
  const load = () =>
    (builder ??= import('../../build/builder/builder.js').then((m) => {
      const b = new m.Builder({
        images: d.images,
        runner: engineRunner(d.containers),
        tmpDir: d.tmpDir,
        puller: d.puller,
        log: d.log,
        cacheMounts: d.cacheMounts,
      });
      void b.cleanup().catch((e) => d.log?.('warn', `build cleanup: ${(e as Error).message}`));
      return b;
    }));
  void buildLeftovers(d)
    .then(async (found) => {
      if (found) await load();
    })
    .catch((e) => d.log?.('warn', `build cleanup: ${(e as Error).message}`));
  return load;
}

/** Whether a build cut short left anything for Builder.cleanup to sweep (its own test, without loading it). */
export async function buildLeftovers(d: Pick<BuildRouteDeps, 'images' | 'tmpDir'>): Promise<boolean> {
  const dirs = await readdir(d.tmpDir).catch(() => [] as string[]);
  if (dirs.some((n) => n.startsWith(BUILD_SNAP))) return true;
  return (await d.images.snapshots.list()).some((s) => s.key.startsWith(BUILD_SNAP));
}

export function buildRoutes(d: BuildRouteDeps): Route[] {
  const builder = lazyBuilder(d);
  const cacheMounts = async () => d.cacheMounts ?? (await builder()).cache;
  return [
    {
      // `docker builder prune [-a] [--filter until=…] [--keep-storage N]`, `docker system prune`:
      // the legacy builder's cache is images (pruned by image prune); what this prunes is the
      // RUN --mount=type=cache directories, as BuildKit does
      method: 'POST',
      path: '/build/prune',
      handler: async (ctx) => {
        const q = ctx.query;
        const o = pruneOptions(qfilters(q), qbool(q, 'all'), q.get('keep-storage'));
        const r = await (await cacheMounts()).prune(o);
        ctx.reply.json(200, { CachesDeleted: r.deleted.length ? r.deleted : null, SpaceReclaimed: r.reclaimed });
      },
    },
    {
      method: 'POST',
      path: '/build',
      handler: async (ctx) => {
        const q = ctx.query;
        if (q.get('version') === '2')
          throw notImplemented('BuildKit is not supported by berth; use the legacy builder (DOCKER_BUILDKIT=0)');
        if (q.get('remote'))
          throw notImplemented('building from a remote context is not supported; send the context as a tar');
        const squash = qbool(q, 'squash');
        if (squash && !d.experimental) throw invalid('squash is only supported with experimental mode');
        const platform = platformQuery(q.get('platform'), ctx.apiVersion) ?? undefined;
        const tags = q.getAll('t').filter(Boolean);
        const labels = jsonMap(q.get('labels'), 'labels') as Record<string, string>;
        const o: BuildOptions = {
          dockerfile: q.get('dockerfile') || 'Dockerfile',
          tags,
          buildArgs: jsonMap(q.get('buildargs'), 'build args'),
          target: q.get('target') || undefined,
          labels,
          noCache: qbool(q, 'nocache'),
          rm: qbool(q, 'rm', true),
          forceRm: qbool(q, 'forcerm'),
          pull: qbool(q, 'pull'),
          quiet: qbool(q, 'q'),
          networkMode: q.get('networkmode') && q.get('networkmode') !== 'default' ? q.get('networkmode')! : undefined,
          extraHosts: q
            .getAll('extrahosts')
            .flatMap((h) => h.split(','))
            .filter(Boolean),
          cacheFrom: jsonList(q.get('cachefrom'), 'cache from'),
          resources: runResources(q),
          squash,
          platform,
        };
        let out: Writable | null = null;
        const write = (v: object) => {
          out ??= ctx.reply.stream(200, 'application/json');
          out.write(JSON.stringify(v) + '\r\n');
        };
        try {
          await (await builder()).build(
            ctx.body,
            o,
            { stream: (s) => write({ stream: s }), aux: (v) => write({ aux: v }) },
            ctx.signal,
          );
        } catch (e) {
          if (!out) throw e;
          const m = messageOf(e);
          const detail: { message: string; code?: number } = { message: m };
          if (e instanceof RunFailedError) detail.code = e.code;
          write({ errorDetail: detail, error: m });
        }
        if (out) (out as Writable).end();
        else ctx.reply.stream(200, 'application/json').end();
      },
    },
  ];
}
