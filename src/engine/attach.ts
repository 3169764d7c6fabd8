// `docker attach` (and `run` without -d): replay the logs if asked, then stream the container's
// output and feed its stdin through conmon's attach socket. Before start, the connection is made
// when the task exists, so no output is lost.
import type { AttachConn, Task } from '../runtime/runtime.js';
import type { Core } from './core.js';
import { isRunningish } from './states.js';
import type { ContainerRecord } from './types.js';

/** What an attached client offers: output sink, optional input, and a way to learn it went away. */
export interface AttachClient {
  write(stream: 'stdout' | 'stderr', chunk: Buffer): void;
  input?: NodeJS.ReadableStream | null;
  signal: AbortSignal;
  /** Resolves once the client has taken in most of what was written (backpressure for the logs replay). */
  ready?(): Promise<void>;
}

export interface AttachOptions {
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
  stream: boolean;
  logs: boolean;
  detachKeys?: Buffer | null;
}

export type DetachMatcher = (chunk: Buffer) => { pass: Buffer; detached: boolean };
export type AttachResult = 'exited' | 'detached' | 'closed';

/** Resolves when the attachment ends: the container exited, the client detached or went away. */
export async function attachContainer(
  core: Core,
  rec: ContainerRecord,
  o: AttachOptions,
  client: AttachClient,
  detachMatcher: ((keys: Buffer | null | undefined) => DetachMatcher) | null,
): Promise<AttachResult> {
  if (o.logs) {
    for await (const batch of core.d.logs.readBatches(
      rec,
      { follow: false, stdout: o.stdout, stderr: o.stderr },
      client.signal,
    )) {
      for (const m of batch) client.write(m.stream, m.line);
      await client.ready?.();
    }
  }
  // moby logs attach after the logs replay, before streaming (docker run: create, attach, start)
  core.tx.emit(rec, 'attach');
  if (!o.stream) return 'exited';
  return new Promise((resolve) => {
    let conn: AttachConn | null = null;
    let finished = false;
    const finish = (why: AttachResult) => {
      if (finished) return;
      finished = true;
      if (why === 'detached') core.tx.emit(rec, 'detach');
      // also on 'exited': conmon closed its end, ours must be closed too or the fd leaks
      if (conn) conn.close();
      resolve(why);
    };
    // the client may have left during the logs replay: an aborted signal fires no more
    if (client.signal.aborted) return finish('closed');
    client.signal.addEventListener('abort', () => finish('closed'));
    const connect = async (task: Task) => {
      if (finished) return;
      const c = await task.attach();
      // the client may have gone while conmon's socket was connecting: nobody else would close it
      if (finished) return c.close();
      conn = c;
      c.onData((stream, chunk) => {
        if ((stream === 'stdout' && o.stdout) || (stream === 'stderr' && o.stderr)) client.write(stream, chunk);
      });
      c.onEnd(() => finish('exited'));
      if (o.stdin && rec.config.OpenStdin && client.input) {
        const matcher = rec.config.Tty && detachMatcher ? detachMatcher(o.detachKeys) : null;
        pipeStdin(c, client.input, matcher, {
          detached: () => finish('detached'),
          end: () => {
            if (rec.config.StdinOnce && !rec.config.Tty) c.closeStdin();
          },
        });
      }
    };
    const run = core.runs.get(rec.id);
    if (run && isRunningish(rec.state.status)) {
      connect(run.task).catch(() => finish('exited'));
    } else {
      const list = core.pendingAttach.get(rec.id) ?? [];
      list.push(connect);
      core.pendingAttach.set(rec.id, list);
      client.signal.addEventListener('abort', () => {
        const l = core.pendingAttach.get(rec.id);
        if (l)
          core.pendingAttach.set(
            rec.id,
            l.filter((x) => x !== connect),
          );
      });
    }
  });
}

/** Where a client's stdin goes: conmon's attach socket or an exec's process. */
export interface StdinSink {
  write(chunk: Buffer): void;
  stdinReady?(): Promise<void> | null;
}

/** Feeds `input` to `sink`, through the detach-keys matcher when there is one. */
export function pipeStdin(
  sink: StdinSink,
  input: NodeJS.ReadableStream,
  matcher: DetachMatcher | null,
  o: { detached: () => void; end: () => void },
): void {
  input.on('data', (chunk: Buffer) => {
    if (!matcher) sink.write(chunk);
    else {
      const r = matcher(chunk);
      if (r.pass.length) sink.write(r.pass);
      if (r.detached) o.detached();
    }
    // backpressure: a process that does not read its stdin must not make berthd hold the client's
    const ready = sink.stdinReady?.() ?? null;
    if (ready !== null) {
      input.pause();
      void ready.then(() => input.resume());
    }
  });
  input.on('end', o.end);
  input.resume();
}
