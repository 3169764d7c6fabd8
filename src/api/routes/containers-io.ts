// The streaming container routes: logs, attach, stats and the `docker cp` archive. Attach and
// exec share the hijacked-socket client (clientFor) and its framing.
import os from 'node:os';
import type { Duplex } from 'node:stream';
import { conflict, invalid } from '../../errdefs.js';
import type { AttachClient, ContainerService } from '../../engine/service.js';
import { isRunningish } from '../../engine/states.js';
import { logDetailsPrefix } from '../../logs/drivers.js';
import { parseUnixTimestamp } from '../../logs/common/timestamps.js';
import { type Ctx, type Route, qbool } from '../router.js';
import { versionAtLeast } from '../server.js';
import { parseDetachKeys } from '../stream/detach.js';
import { encodeLogBatch } from '../stream/log-frames.js';
import { pipeOut } from '../stream/pipe-out.js';
import { statsJson } from '../wire/stats.js';
import { frame } from '../wire/stdcopy.js';
import { drainedOrClosed } from '../../util/drained.js';
import type { ContainerRouteDeps } from './container-route-deps.js';

const LOGS_IN_FLIGHT = 4 * 1024 * 1024;
/** Output an attach/exec client may fall behind by before it is disconnected. */
const CLIENT_BACKLOG_MAX = 64 * 1024 * 1024;

export function streamType(ctx: Ctx, tty: boolean): string {
  if (tty) return 'application/vnd.docker.raw-stream';
  return versionAtLeast(ctx.apiVersion, '1.42')
    ? 'application/vnd.docker.multiplexed-stream'
    : 'application/vnd.docker.raw-stream';
}

export function clientFor(ctx: Ctx, sock: Duplex, tty: boolean, withInput: boolean): AttachClient {
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
    ready: () => (sock.writableLength <= LOGS_IN_FLIGHT || sock.destroyed ? Promise.resolve() : drainedOrClosed(sock)),
  };
}

export function endSocket(sock: Duplex): void {
  if (sock.destroyed) return;
  sock.end();
  // the CLI half-closes too; make sure the fd goes away even if it doesn't
  setTimeout(() => sock.destroy(), 2000).unref();
}

export function containerIoRoutes(d: ContainerRouteDeps): Route[] {
  return [...logsAttachRoutes(d.containers), ...statsArchiveRoutes(d)];
}

function logsAttachRoutes(c: ContainerService): Route[] {
  return [
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
        // moby's --details: the attributes go between the timestamp and the line
        const details = qbool(q, 'details')
          ? logDetailsPrefix({ logConfig: rec.hostConfig.LogConfig, env: rec.config.Env, labels: rec.config.Labels })
          : null;
        for await (const raw of batches) {
          if (!raw.length) continue;
          // (timestamp may be a lazy getter of the reader's message: read it, do not spread)
          const batch = details
            ? raw.map((m) => ({ stream: m.stream, timestamp: m.timestamp, line: Buffer.concat([details, m.line]) }))
            : raw;
          const buf = encodeLogBatch(batch, { tty, timestamps });
          // a few MiB in flight, so reading the next chunk overlaps the client reading this one
          if (!out.write(buf) && out.writableLength > LOGS_IN_FLIGHT) await drainedOrClosed(out);
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
  ];
}

/** The archive routes' container and `path` query (an empty path is Docker's 400). */
function archiveTarget(c: ContainerService, ctx: Ctx) {
  const rec = c.find(ctx.params.id!);
  const p = ctx.query.get('path');
  if (!p) throw invalid('path cannot be empty');
  return { rec, p };
}

/** docker cp reads the path's stat from this header (base64 JSON), on HEAD and GET alike. */
function pathStatHeader(stat: unknown): Record<string, string> {
  return { 'X-Docker-Container-Path-Stat': Buffer.from(JSON.stringify(stat)).toString('base64') };
}

function statsArchiveRoutes(d: ContainerRouteDeps): Route[] {
  const c = d.containers;
  const numCpus = os.cpus().length;
  return [
    {
      method: 'GET',
      path: '/containers/{id}/stats',
      handler: async (ctx) => {
        const rec = c.find(ctx.params.id!);
        // one-shot exists from 1.41
        const stream =
          qbool(ctx.query, 'stream', true) && !(versionAtLeast(ctx.apiVersion, '1.41') && qbool(ctx.query, 'one-shot'));
        const out = ctx.reply.stream(200, 'application/json');
        await d.stats.stream(rec, { stream }, ctx.signal, (f) =>
          out.write(JSON.stringify(statsJson(f, numCpus)) + '\n'),
        );
        out.end();
      },
    },
    {
      method: 'HEAD',
      path: '/containers/{id}/archive',
      handler: async (ctx) => {
        const { rec, p } = archiveTarget(c, ctx);
        ctx.reply.stream(200, 'application/json', pathStatHeader(await d.archive.stat(rec, p))).end();
      },
    },
    {
      method: 'GET',
      path: '/containers/{id}/archive',
      handler: async (ctx) => {
        const { rec, p } = archiveTarget(c, ctx);
        const { stat, stream } = await d.archive.get(rec, p);
        const out = ctx.reply.stream(200, 'application/x-tar', pathStatHeader(stat));
        await pipeOut(stream, out);
      },
    },
    {
      method: 'PUT',
      path: '/containers/{id}/archive',
      handler: async (ctx) => {
        const { rec, p } = archiveTarget(c, ctx);
        await d.archive.put(rec, p, ctx.body, {
          noOverwriteDirNonDir: qbool(ctx.query, 'noOverwriteDirNonDir'),
          copyUIDGID: qbool(ctx.query, 'copyUIDGID'),
        });
        ctx.reply.empty(200);
      },
    },
  ];
}
