// /containers/* and /exec/* routes: decode the request, call the engine, encode Docker's response.
import os from 'node:os';
import type { Duplex } from 'node:stream';
import { EngineError, conflict, invalid, msg } from '../../errdefs.js';
import type { CreateRequest } from '../../engine/create-config.js';
import type { ExecConfig, ExecService } from '../../engine/exec.js';
import type { AttachClient, ContainerService } from '../../engine/service.js';
import { healthOf } from '../../engine/health.js';
import { isRunningish } from '../../engine/states.js';
import type { ContainerArchive } from '../../engine/archive.js';
import type { ContainerStats } from '../../engine/stats.js';
import type { ContainerRecord, Status } from '../../engine/types.js';
import { parseUnixTimestamp } from '../../logs/common/timestamps.js';
import { parseFilters, matchLabels, matchRegexp } from '../filters.js';
import { type Ctx, type Route, qbool, qint } from '../router.js';
import { versionAtLeast } from '../server.js';
import { parseDetachKeys } from '../stream/detach.js';
import { pipeOut } from '../stream/pipe-out.js';
import { encodeLogBatch } from '../stream/log-frames.js';
import { frame } from '../wire/stdcopy.js';
import { type NetworkView, inspectJson, summaryJson } from '../wire/containers.js';
import { statsJson } from '../wire/stats.js';

export interface ContainerRouteDeps {
  containers: ContainerService;
  execs: ExecService;
  /** Image id → the reference to show in `ps` (the container's configured image name is used first). */
  imageIdFor: (ref: string) => Promise<string | null>;
  stats: Pick<ContainerStats, 'stream'>;
  archive: Pick<ContainerArchive, 'stat' | 'get' | 'put'>;
  sizes: (rec: ContainerRecord) => Promise<{ rw: number; rootFs: number }>;
  /** NetworkSettings and ps Ports (network layer). */
  network?: (rec: ContainerRecord) => NetworkView;
}

const STATUSES: readonly Status[] = ['created', 'restarting', 'running', 'removing', 'paused', 'exited', 'dead'];
const PS_FILTERS = ['id', 'name', 'label', 'status', 'exited', 'ancestor', 'before', 'since', 'volume', 'network', 'publish', 'expose', 'health', 'isolation', 'is-task'];

const LOGS_IN_FLIGHT = 4 * 1024 * 1024;
/** Output an attach/exec client may fall behind by before it is disconnected. */
const CLIENT_BACKLOG_MAX = 64 * 1024 * 1024;

function streamType(ctx: Ctx, tty: boolean): string {
  if (tty) return 'application/vnd.docker.raw-stream';
  return versionAtLeast(ctx.apiVersion, '1.42') ? 'application/vnd.docker.multiplexed-stream' : 'application/vnd.docker.raw-stream';
}

function clientFor(ctx: Ctx, sock: Duplex, tty: boolean, withInput: boolean): AttachClient {
  const ac = new AbortController();
  const abort = () => ac.abort();
  sock.once('close', abort);
  sock.on('error', abort); // every error, not only the first: a later one must not go unheard
  ctx.signal.addEventListener('abort', abort);
  // the client may have left before the hijack: neither 'close' nor 'abort' will fire again
  if (ctx.signal.aborted || sock.destroyed) abort();
  // without stdin nobody reads the socket: drain it so a client's close is still noticed
  if (!withInput) sock.resume();
  return {
    write(stream, chunk) {
      if (sock.destroyed || sock.writableEnded) return;
      // conmon's attach socket cannot be paused: a client this far behind a flooding container
      // is cut off rather than buffered for without bound
      if (sock.writableLength > CLIENT_BACKLOG_MAX) {
        sock.destroy();
        return;
      }
      sock.write(tty ? chunk : frame(stream === 'stdout' ? 1 : 2, chunk));
    },
    input: withInput ? sock : null,
    signal: ac.signal,
    // the logs replay (attach logs=1) reads from disk faster than any client: wait for it
    ready: () =>
      sock.writableLength <= LOGS_IN_FLIGHT || sock.destroyed
        ? Promise.resolve()
        : new Promise<void>((r) => {
            const done = () => {
              sock.off('drain', done);
              sock.off('close', done);
              r();
            };
            sock.on('drain', done);
            sock.on('close', done);
          }),
  };
}

function endSocket(sock: Duplex): void {
  if (sock.destroyed) return;
  sock.end();
  // the CLI half-closes too; make sure the fd goes away even if it doesn't
  setTimeout(() => sock.destroy(), 2000).unref();
}

export function containerRoutes(d: ContainerRouteDeps): Route[] {
  const c = d.containers;
  const numCpus = os.cpus().length;
  return [
    {
      method: 'GET',
      path: '/containers/json',
      handler: async (ctx) => {
        const f = parseFilters(ctx.query.get('filters'), PS_FILTERS);
        for (const s of f.get('status') ?? []) if (!STATUSES.includes(s as Status)) throw invalid(`invalid filter 'status=${s}'`);
        for (const e of f.get('exited') ?? []) if (!/^-?\d+$/.test(e)) throw invalid(`invalid filter 'exited=${e}'`);
        const all = qbool(ctx.query, 'all') || f.has('status') || f.has('exited');
        const limit = qint(ctx.query, 'limit') ?? -1;
        const withSize = qbool(ctx.query, 'size');
        let recs = c.d.store.all().sort((a, b) => (a.created < b.created ? 1 : a.created > b.created ? -1 : 0));
        const created = (ref: string) => {
          const r = c.find(ref);
          return r.created;
        };
        const before = f.get('before')?.map(created);
        const since = f.get('since')?.map(created);
        const ancestors: string[] = [];
        for (const a of f.get('ancestor') ?? []) {
          const id = await d.imageIdFor(a);
          if (id) ancestors.push(id);
          else ancestors.push('\0none');
        }
        recs = recs.filter((r) => {
          if (!all && !isRunningish(r.state.status)) return false;
          if (!matchRegexp(f, 'id', r.id)) return false;
          if (!matchRegexp(f, 'name', '/' + r.name)) return false;
          if (!matchLabels(f, 'label', r.config.Labels)) return false;
          if (f.has('status') && !f.get('status')!.includes(r.state.status)) return false;
          if (f.has('exited') && !(r.state.status === 'exited' && f.get('exited')!.includes(String(r.state.exitCode)))) return false;
          if (before && !before.every((b) => r.created < b)) return false;
          if (since && !since.every((s) => r.created > s)) return false;
          if (f.has('ancestor') && !ancestors.includes(r.image)) return false;
          if (f.has('network') && !f.get('network')!.includes(r.hostConfig.NetworkMode)) return false;
          if (f.has('volume') && !f.get('volume')!.some((v) => r.mounts.some((m) => m.Name === v || m.Destination === v || m.Source === v))) return false;
          if (f.has('isolation') && !f.get('isolation')!.includes('default')) return false;
          if (f.has('health') && !f.get('health')!.includes(healthOf(r)?.Status ?? 'none')) return false;
          if (f.has('is-task') && f.get('is-task')!.includes('true')) return false;
          if (f.has('publish') || f.has('expose')) {
            const exposed = Object.keys(r.config.ExposedPorts ?? {});
            const want = [...(f.get('publish') ?? []), ...(f.get('expose') ?? [])];
            if (!want.some((w) => exposed.includes(w.includes('/') ? w : `${w}/tcp`))) return false;
          }
          return true;
        });
        if (limit > 0) recs = recs.slice(0, limit);
        const out = [];
        for (const r of recs) out.push(summaryJson(r, { imageRef: r.config.Image, size: withSize ? await d.sizes(r) : undefined, network: d.network?.(r) }));
        ctx.reply.json(200, out);
      },
    },
    {
      method: 'POST',
      path: '/containers/create',
      handler: async (ctx) => {
        const body = ((await ctx.json<Record<string, unknown>>()) ?? {}) as Record<string, unknown>;
        const { HostConfig, NetworkingConfig, ...config } = body;
        const req: CreateRequest = {
          name: ctx.query.get('name') ?? undefined,
          config: config as CreateRequest['config'],
          hostConfig: (HostConfig ?? null) as CreateRequest['hostConfig'],
          networkingConfig: NetworkingConfig,
        };
        const r = await c.create(req);
        ctx.reply.json(201, r);
      },
    },
    {
      method: 'POST',
      path: '/containers/prune',
      handler: async (ctx) => {
        const f = parseFilters(ctx.query.get('filters'), ['label', 'label!', 'until']);
        const until = f.get('until')?.map(parseUntil);
        const r = await c.prune((rec) => {
          if (!matchLabels(f, 'label', rec.config.Labels)) return false;
          const neg = f.get('label!');
          if (neg?.length && matchLabels(new Map([['label', neg]]), 'label', rec.config.Labels)) return false;
          if (until && !until.every((u) => Date.parse(rec.created) < u)) return false;
          return true;
        });
        ctx.reply.json(200, r);
      },
    },
    {
      method: 'GET',
      path: '/containers/{id}/json',
      handler: async (ctx) => {
        const rec = c.find(ctx.params.id!);
        ctx.reply.json(200, inspectJson(rec, { size: qbool(ctx.query, 'size') ? await d.sizes(rec) : undefined, network: d.network?.(rec) }));
      },
    },
    {
      method: 'POST',
      path: '/containers/{id}/start',
      handler: async (ctx) => {
        await c.start(ctx.params.id!);
        ctx.reply.empty(204);
      },
    },
    {
      method: 'POST',
      path: '/containers/{id}/stop',
      handler: async (ctx) => {
        await c.stop(ctx.params.id!, { timeout: qint(ctx.query, 't'), signal: ctx.query.get('signal') ?? undefined });
        ctx.reply.empty(204);
      },
    },
    {
      method: 'POST',
      path: '/containers/{id}/restart',
      handler: async (ctx) => {
        await c.restart(ctx.params.id!, qint(ctx.query, 't'));
        ctx.reply.empty(204);
      },
    },
    {
      method: 'POST',
      path: '/containers/{id}/kill',
      handler: async (ctx) => {
        await c.kill(ctx.params.id!, ctx.query.get('signal') ?? undefined);
        ctx.reply.empty(204);
      },
    },
    {
      method: 'POST',
      path: '/containers/{id}/pause',
      handler: async (ctx) => {
        await c.pause(ctx.params.id!);
        ctx.reply.empty(204);
      },
    },
    {
      method: 'POST',
      path: '/containers/{id}/unpause',
      handler: async (ctx) => {
        await c.unpause(ctx.params.id!);
        ctx.reply.empty(204);
      },
    },
    {
      method: 'POST',
      path: '/containers/{id}/rename',
      handler: async (ctx) => {
        await c.rename(ctx.params.id!, ctx.query.get('name') ?? '');
        ctx.reply.empty(204);
      },
    },
    {
      method: 'POST',
      path: '/containers/{id}/wait',
      handler: async (ctx) => {
        const rec = c.find(ctx.params.id!);
        // headers first (like Docker) so the client knows the wait is registered before it starts the container
        const out = ctx.reply.stream(200, 'application/json');
        const r = await c.wait(rec.id, ctx.query.get('condition') ?? '', ctx.signal);
        out.end(JSON.stringify(r) + '\n');
      },
    },
    {
      method: 'DELETE',
      path: '/containers/{id}',
      handler: async (ctx) => {
        if (qbool(ctx.query, 'link')) throw conflict('Conflict, cannot remove the default link name of the container');
        await c.remove(ctx.params.id!, { force: qbool(ctx.query, 'force'), volumes: qbool(ctx.query, 'v') });
        ctx.reply.empty(204);
      },
    },
    {
      method: 'GET',
      path: '/containers/{id}/top',
      handler: async (ctx) => {
        ctx.reply.json(200, await c.top(ctx.params.id!, ctx.query.get('ps_args') ?? '-ef'));
      },
    },
    {
      method: 'POST',
      path: '/containers/{id}/resize',
      handler: async (ctx) => {
        const h = qint(ctx.query, 'h');
        const w = qint(ctx.query, 'w');
        if (h === undefined || w === undefined || h < 0 || w < 0) throw invalid('strconv.Atoi: parsing "": invalid syntax');
        await c.resize(ctx.params.id!, h, w);
        ctx.reply.empty(200);
      },
    },
    {
      method: 'GET',
      path: '/containers/{id}/logs',
      handler: async (ctx) => {
        const q = ctx.query;
        const tailRaw = q.get('tail') ?? 'all';
        let tail = -1;
        if (tailRaw !== 'all' && tailRaw !== '') {
          if (!/^-?\d+$/.test(tailRaw)) throw invalid(`invalid value for "tail": "${tailRaw}"`);
          tail = Number(tailRaw);
        }
        const since = q.get('since') && q.get('since') !== '0' ? parseUnixTimestamp(q.get('since')!) : undefined;
        const until = q.get('until') && q.get('until') !== '0' ? parseUnixTimestamp(q.get('until')!) : undefined;
        const follow = qbool(q, 'follow');
        const { rec, batches } = c.logs(
          ctx.params.id!,
          { since, until, tail, follow, stdout: qbool(q, 'stdout'), stderr: qbool(q, 'stderr') },
          ctx.signal,
        );
        const tty = rec.config.Tty;
        const out = ctx.reply.stream(200, streamType(ctx, tty));
        const timestamps = qbool(q, 'timestamps');
        for await (const batch of batches) {
          if (!batch.length) continue;
          const buf = encodeLogBatch(batch, { tty, timestamps });
          // a few MiB in flight, so reading the next chunk overlaps the client reading this one
          if (!out.write(buf) && out.writableLength > LOGS_IN_FLIGHT) await new Promise<void>((r) => out.once('drain', () => r()).once('close', () => r()));
          if (ctx.signal.aborted) break;
        }
        out.end();
      },
    },
    {
      method: 'POST',
      path: '/containers/{id}/attach',
      handler: async (ctx) => {
        const q = ctx.query;
        const rec = c.find(ctx.params.id!);
        const keys = q.get('detachKeys') ? parseDetachKeys(q.get('detachKeys')!) : null;
        if (!isRunningish(rec.state.status) && rec.state.status !== 'created' && rec.state.status !== 'exited')
          throw conflict(`You cannot attach to a stopped container, start it first`);
        const tty = rec.config.Tty;
        const sock = ctx.reply.hijack(streamType(ctx, tty));
        const client = clientFor(ctx, sock, tty, qbool(q, 'stdin'));
        await c.attach(
          rec.id,
          {
            stdin: qbool(q, 'stdin'),
            stdout: qbool(q, 'stdout'),
            stderr: qbool(q, 'stderr'),
            stream: qbool(q, 'stream'),
            logs: qbool(q, 'logs'),
            detachKeys: keys,
          },
          client,
        );
        endSocket(sock);
      },
    },
    {
      method: 'GET',
      path: '/containers/{id}/stats',
      handler: async (ctx) => {
        const rec = c.find(ctx.params.id!);
        const stream = qbool(ctx.query, 'stream', true) && !qbool(ctx.query, 'one-shot');
        const out = ctx.reply.stream(200, 'application/json');
        await d.stats.stream(rec, { stream }, ctx.signal, (f) => out.write(JSON.stringify(statsJson(f, numCpus)) + '\n'));
        out.end();
      },
    },
    {
      method: 'HEAD',
      path: '/containers/{id}/archive',
      handler: async (ctx) => {
        const rec = c.find(ctx.params.id!);
        const p = ctx.query.get('path');
        if (!p) throw invalid('path cannot be empty');
        const st = await d.archive.stat(rec, p);
        ctx.reply.stream(200, 'application/json', { 'X-Docker-Container-Path-Stat': Buffer.from(JSON.stringify(st)).toString('base64') }).end();
      },
    },
    {
      method: 'GET',
      path: '/containers/{id}/archive',
      handler: async (ctx) => {
        const rec = c.find(ctx.params.id!);
        const p = ctx.query.get('path');
        if (!p) throw invalid('path cannot be empty');
        const { stat, stream } = await d.archive.get(rec, p);
        const out = ctx.reply.stream(200, 'application/x-tar', { 'X-Docker-Container-Path-Stat': Buffer.from(JSON.stringify(stat)).toString('base64') });
        await pipeOut(stream, out);
      },
    },
    {
      method: 'PUT',
      path: '/containers/{id}/archive',
      handler: async (ctx) => {
        const rec = c.find(ctx.params.id!);
        const p = ctx.query.get('path');
        if (!p) throw invalid('path cannot be empty');
        await d.archive.put(rec, p, ctx.body, {
          noOverwriteDirNonDir: qbool(ctx.query, 'noOverwriteDirNonDir'),
          copyUIDGID: qbool(ctx.query, 'copyUIDGID'),
        });
        ctx.reply.empty(200);
      },
    },
    // ---------------------------------------------------------------- exec
    {
      method: 'POST',
      path: '/containers/{id}/exec',
      handler: async (ctx) => {
        const cfg = ((await ctx.json<ExecConfig>()) ?? {}) as ExecConfig;
        if (cfg.DetachKeys) parseDetachKeys(cfg.DetachKeys);
        ctx.reply.json(201, d.execs.create(ctx.params.id!, cfg));
      },
    },
    {
      method: 'POST',
      path: '/exec/{id}/start',
      handler: async (ctx) => {
        const body = ((await ctx.json<{ Detach?: boolean; Tty?: boolean; ConsoleSize?: [number, number] }>()) ?? {}) as {
          Detach?: boolean;
          Tty?: boolean;
          ConsoleSize?: [number, number];
        };
        const e = d.execs.get(ctx.params.id!);
        if (body.ConsoleSize) e.config.ConsoleSize = body.ConsoleSize;
        const keys = e.config.DetachKeys ? parseDetachKeys(e.config.DetachKeys) : null;
        if (body.Detach) {
          await d.execs.start(e.id, { detach: true }, null, c.detachMatcher);
          ctx.reply.empty(200);
          return;
        }
        // moby: the process gets a terminal when the exec was created with one; the start's Tty
        // only picks the framing (raw, or multiplexed from API 1.42), e.g. docker-py's exec_start
        // sends Tty: false for an exec created with tty=True and reads framed "\r\n" output
        const framed = body.Tty ?? !!e.config.Tty;
        // fail before hijacking so the client gets a proper status and message
        const rec = c.find(e.containerId);
        if (rec.state.status === 'paused') throw conflict(msg.isPaused(rec.id));
        if (rec.state.status !== 'running') throw conflict(msg.notRunning(rec.id));
        const sock = ctx.reply.hijack(streamType(ctx, framed));
        const client = clientFor(ctx, sock, framed, !!e.config.AttachStdin);
        try {
          await d.execs.start(e.id, { detach: false, tty: !!e.config.Tty, detachKeys: keys }, client, c.detachMatcher);
        } catch (err) {
          client.write('stdout', Buffer.from((err instanceof Error ? err.message : String(err)) + '\r\n'));
        }
        endSocket(sock);
      },
    },
    {
      method: 'POST',
      path: '/exec/{id}/resize',
      handler: async (ctx) => {
        const h = qint(ctx.query, 'h');
        const w = qint(ctx.query, 'w');
        if (h === undefined || w === undefined) throw invalid('invalid resize height or width');
        d.execs.resize(ctx.params.id!, h, w);
        ctx.reply.empty(200);
      },
    },
    {
      method: 'GET',
      path: '/exec/{id}/json',
      handler: (ctx) => {
        ctx.reply.json(200, d.execs.inspect(ctx.params.id!));
      },
    },
  ];
}

function parseUntil(v: string): number {
  if (/^\d+(\.\d+)?$/.test(v)) return Number(v) * 1000;
  const m = /^(\d+)(s|m|h)$/.exec(v);
  if (m) return Date.now() - Number(m[1]) * { s: 1000, m: 60000, h: 3600000 }[m[2] as 's' | 'm' | 'h'];
  const t = Date.parse(v);
  if (Number.isNaN(t)) throw new EngineError('invalid', `failed to parse value ${v}`);
  return t;
}
