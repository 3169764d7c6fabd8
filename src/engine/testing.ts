// Fakes for the container service's unit tests: a runtime whose tasks exit when told (or when
// signalled), ports that do nothing, a store in a temp dir. No root, no runc.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AttachConn, Bundle, Exit, Proc, Runtime, Task } from '../runtime/runtime.js';
import { Events, type EngineEvent } from './events.js';
import type { ImagesPort, LogsPort } from './ports.js';
import { ContainerService, type Deps } from './service.js';
import { ContainerStore } from './store.js';

/** A task that exits on SIGKILL, on its stop signal unless it ignores it, or when exit() is called. */
export class FakeTask implements Task {
  readonly signals: number[] = [];
  readonly calls: string[] = [];
  ignoreTerm = false;
  private done: Exit | null = null;
  private resolveExit!: (e: Exit) => void;
  private readonly exitP = new Promise<Exit>((r) => (this.resolveExit = r));

  constructor(
    readonly id: string,
    readonly pid: number,
  ) {}

  exit(code: number): void {
    if (this.done) return;
    this.done = { code, finishedAt: new Date(), oomKilled: false };
    this.resolveExit(this.done);
  }
  async start(): Promise<void> {
    this.calls.push('start');
  }
  async kill(sig: number): Promise<void> {
    if (this.done) throw new Error('container not running');
    this.signals.push(sig);
    if (sig === 9) this.exit(137);
    else if (sig === 15 && !this.ignoreTerm) this.exit(143);
  }
  wait(): Promise<Exit> {
    return this.exitP;
  }
  exited(): Exit | null {
    return this.done;
  }
  async pause(): Promise<void> {
    this.calls.push('pause');
  }
  async resume(): Promise<void> {
    this.calls.push('resume');
  }
  async attach(): Promise<AttachConn> {
    throw new Error('not in the fake');
  }
  async resize(): Promise<void> {}
  async exec(): Promise<Proc> {
    throw new Error('not in the fake');
  }
  async pids(): Promise<number[]> {
    return [this.pid];
  }
  async delete(): Promise<void> {
    this.calls.push('delete');
  }
}

export class FakeRuntime implements Runtime {
  readonly tasks: FakeTask[] = [];
  /** The next create fails with this message (like runc's "executable file not found"). */
  failNext: string | null = null;
  /** Awaited by create: lets a test hold a start in progress. */
  gate: Promise<void> = Promise.resolve();

  async create(id: string, _b: Bundle): Promise<Task> {
    await this.gate;
    if (this.failNext) {
      const m = this.failNext;
      this.failNext = null;
      throw new Error(m);
    }
    const t = new FakeTask(id, 1000 + this.tasks.length);
    this.tasks.push(t);
    return t;
  }
  /** What load() finds after a daemon restart (by container id); nothing by default. */
  readonly survivors = new Map<string, FakeTask>();

  async load(id: string): Promise<Task | null> {
    return this.survivors.get(id) ?? null;
  }
  last(): FakeTask {
    const t = this.tasks.at(-1);
    if (!t) throw new Error('no task created');
    return t;
  }
}

const images: ImagesPort = {
  resolveId: async (ref) =>
    ref === 'busybox' ? 'sha256:' + 'b'.repeat(64) : Promise.reject(new Error(`No such image: ${ref}`)),
  runtimeConfig: async () => ({ Cmd: ['sh'], Env: ['PATH=/bin'] }),
  createRootfs: async () => {},
  rootfsMounts: async () => [],
  removeRootfs: async () => {},
  rootfsUsage: async () => 0,
};

const logs: LogsPort = {
  async *readBatches() {},
};

export interface FakeEngine {
  svc: ContainerService;
  runtime: FakeRuntime;
  store: ContainerStore;
  /** Container events as "action" strings, in order. */
  events: string[];
  dir: string;
  close(): void;
}

/** A ContainerService over fakes and a temp-dir store. */
export function fakeEngine(reuseDir?: string): FakeEngine {
  const dir = reuseDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'berth-engine-'));
  const store = new ContainerStore(path.join(dir, 'containers'));
  const runtime = new FakeRuntime();
  const bus = new Events();
  const events: string[] = [];
  bus.subscribe((e: EngineEvent) => void (e.Type === 'container' && events.push(e.Action)));
  const d: Deps = {
    store,
    runtime,
    images,
    fs: { mountAll: async () => {}, unmount: async () => {} },
    spec: { build: async () => ({}), resolveUser: async () => ({ uid: 0, gid: 0, additionalGids: [] }) },
    logs,
    events: bus,
    paths: { execRoot: path.join(dir, 'exec'), cgroupParent: 'berth' },
    log: () => {},
  };
  const svc = new ContainerService(d);
  return {
    svc,
    runtime,
    store,
    events,
    dir,
    close: () => (svc.supervisor.close(), fs.rmSync(dir, { recursive: true, force: true })),
  };
}
