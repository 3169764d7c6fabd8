// /containers/{id}/exec and /exec/*: create, start (detached or over a hijacked socket), resize, inspect.
import { conflict, invalid, msg } from '../../errdefs.js';
import type { ExecConfig } from '../../engine/exec.js';
import { type Route, qint } from '../router.js';
import { execInspectJson } from '../wire/container-exec.js';
import { idJson } from '../wire/container-results.js';
import { parseDetachKeys } from '../stream/detach.js';
import { versionAtLeast } from '../server.js';
import { clientFor, endSocket, streamType } from './containers-io.js';
import type { ContainerRouteDeps } from './container-route-deps.js';

export function execRoutes(d: ContainerRouteDeps): Route[] {
  const c = d.containers;
  return [
    {
      method: 'POST',
      path: '/containers/{id}/exec',
      handler: async (ctx) => {
        const cfg = ((await ctx.json<ExecConfig>()) ?? {}) as ExecConfig;
        if (cfg.DetachKeys) parseDetachKeys(cfg.DetachKeys);
        if (!versionAtLeast(ctx.apiVersion, '1.42')) cfg.ConsoleSize = null; // not before 1.42 (moby)
        ctx.reply.json(201, idJson(d.execs.create(ctx.params.id!, cfg)));
      },
    },
    {
      method: 'POST',
      path: '/exec/{id}/start',
      handler: async (ctx) => {
        const body = ((await ctx.json<{ Detach?: boolean; Tty?: boolean; ConsoleSize?: [number, number] }>()) ??
          {}) as {
          Detach?: boolean;
          Tty?: boolean;
          ConsoleSize?: [number, number];
        };
        const e = d.execs.get(ctx.params.id!);
        if (body.ConsoleSize && versionAtLeast(ctx.apiVersion, '1.42')) e.config.ConsoleSize = body.ConsoleSize;
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
        ctx.reply.json(200, execInspectJson(d.execs.get(ctx.params.id!)));
      },
    },
  ];
}
