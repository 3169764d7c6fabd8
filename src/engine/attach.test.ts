// attachContainer against a fake task: the conmon attach connection is closed whenever the
// attachment ends, including when the client goes away while the connection is still being made
// (found by `npm run soak`: one SEQPACKET fd leaked per such drop).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AttachConn, Task } from '../runtime/runtime.js';
import { type AttachClient, type AttachOptions, attachContainer, pipeStdin } from './attach.js';
import type { Core } from './core.js';
import type { ContainerRecord } from './types.js';

function fakeConn(): AttachConn & { closed: number } {
  const c = {
    closed: 0,
    onData: () => {},
    onEnd: () => {},
    write: () => {},
    closeStdin: () => {},
    close: () => void c.closed++,
  };
  return c;
}

/** A core whose container `id` runs `task` (as start() leaves it); emitted events go to `emitted`. */
function fakeCore(id: string, task: Task, emitted: string[]): Core {
  return {
    d: {},
    tx: { emit: (_r: ContainerRecord, action: string) => void emitted.push(action) },
    runs: new Map([[id, { task, handled: new Promise(() => {}) }]]),
    pendingAttach: new Map(),
  } as unknown as Core;
}

function setup(connectMs: number) {
  const rec = {
    id: 'c1',
    name: 'web',
    config: { OpenStdin: false, Tty: false },
    state: { status: 'running' },
  } as unknown as ContainerRecord;
  const conns: Array<AttachConn & { closed: number }> = [];
  const task = {
    attach: async () => {
      await new Promise((r) => setTimeout(r, connectMs));
      const c = fakeConn();
      conns.push(c);
      return c;
    },
  } as unknown as Task;
  // a running container as start() leaves it
  const emitted: string[] = [];
  const core = fakeCore(rec.id, task, emitted);
  const svc = {
    attach: (_ref: string, o: AttachOptions, client: AttachClient) => attachContainer(core, rec, o, client, null),
  };
  return { svc, conns, emitted };
}

const opts = { stdin: false, stdout: true, stderr: true, stream: true, logs: false };

test('a client gone while the attach socket connects: the socket is closed when it arrives', async () => {
  const { svc, conns } = setup(30);
  const ac = new AbortController();
  const done = svc.attach('c1', opts, { write: () => {}, signal: ac.signal });
  ac.abort();
  assert.equal(await done, 'closed');
  await new Promise((r) => setTimeout(r, 60));
  assert.equal(conns.length, 1);
  assert.equal(conns[0]!.closed, 1, 'the late connection was closed');
});

test('a client gone after the connection was made: it is closed once', async () => {
  const { svc, conns } = setup(0);
  const ac = new AbortController();
  const done = svc.attach('c1', opts, { write: () => {}, signal: ac.signal });
  await new Promise((r) => setTimeout(r, 20));
  ac.abort();
  assert.equal(await done, 'closed');
  assert.deepEqual(
    conns.map((c) => c.closed),
    [1],
  );
});

test("attach logs moby's attach event before streaming, detach when the client's keys detach it", async () => {
  const { PassThrough } = await import('node:stream');
  const { svc, emitted } = setup(0);
  const logsOnly = { ...opts, stream: false };
  assert.equal(await svc.attach('c1', logsOnly, { write: () => {}, signal: new AbortController().signal }), 'exited');
  assert.deepEqual(emitted, ['attach']);
  // stdin of an OpenStdin+Tty container, the default detach keys (ctrl-p ctrl-q)
  const rec = { id: 'c2', name: 'tty', config: { OpenStdin: true, Tty: true }, state: { status: 'running' } };
  const task = { attach: async () => fakeConn() } as unknown as Task;
  const core = fakeCore(rec.id, task, emitted);
  const input = new PassThrough();
  const matcher = () => (chunk: Buffer) => ({ pass: Buffer.alloc(0), detached: chunk.includes(0x10) });
  const done = attachContainer(
    core,
    rec as unknown as ContainerRecord,
    { ...opts, stdin: true },
    { write: () => {}, signal: new AbortController().signal, input },
    matcher,
  );
  await new Promise((r) => setTimeout(r, 20));
  input.write(Buffer.from([0x10, 0x11]));
  assert.equal(await done, 'detached');
  assert.deepEqual(emitted, ['attach', 'attach', 'detach']);
});

// pipeStdin serves attach (conmon's socket) and exec (the process) alike.
test('pipeStdin: writes what the matcher passes, detaches on its keys, pauses while the sink is behind', async () => {
  const { PassThrough } = await import('node:stream');
  const input = new PassThrough();
  const written: string[] = [];
  let release!: () => void;
  let behind: Promise<void> | null = new Promise<void>((r) => (release = r));
  const sink = {
    write: (b: Buffer) => void written.push(b.toString()),
    stdinReady: () => behind,
  };
  const events: string[] = [];
  // a matcher whose detach key is "!": what comes before it passes
  const matcher = (chunk: Buffer) => {
    const i = chunk.indexOf('!');
    return i < 0 ? { pass: chunk, detached: false } : { pass: chunk.subarray(0, i), detached: true };
  };
  pipeStdin(sink, input, matcher, { detached: () => events.push('detached'), end: () => events.push('end') });
  input.write('ab');
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(written, ['ab']);
  assert.equal(input.isPaused(), true, 'a sink that is behind pauses the client');
  behind = null;
  release();
  await new Promise((r) => setImmediate(r));
  assert.equal(input.isPaused(), false, 'and it resumes once the sink caught up');
  input.write('cd!ef');
  input.end();
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(written, ['ab', 'cd']);
  assert.deepEqual(events, ['detached', 'end']);
});

test('pipeStdin: without a matcher every byte is written as is', async () => {
  const { PassThrough } = await import('node:stream');
  const input = new PassThrough();
  const written: string[] = [];
  pipeStdin({ write: (b) => void written.push(b.toString()) }, input, null, { detached: () => {}, end: () => {} });
  input.end('x!y');
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(written, ['x!y']);
});
