// Health checks (HEALTHCHECK / --health-*): runs the probe with exec on a timer while the container
// runs, keeps State.Health (Status, FailingStreak, the last 5 results) and emits `health_status: X`
// events when the status changes, like Docker.
import type { Events } from './events.js';
import type { ExecService } from './exec.js';
import type { ContainerService } from './service.js';
import type { ContainerStore } from './store.js';
import type { ContainerRecord, HealthConfig } from './types.js';

export type HealthStatus = 'starting' | 'healthy' | 'unhealthy';

export interface HealthLogEntry {
  Start: string;
  End: string;
  ExitCode: number;
  Output: string;
}

export interface HealthState {
  Status: HealthStatus;
  FailingStreak: number;
  Log: HealthLogEntry[];
}

const SEC = 1_000_000_000;
export const DEFAULT_INTERVAL = 30 * SEC;
export const DEFAULT_TIMEOUT = 30 * SEC;
export const DEFAULT_RETRIES = 3;
const MAX_LOG = 5;
const MAX_OUTPUT = 4096;

/** The probe's argv, or null when the container has no (or a disabled) health check. */
export function probeCommand(h: HealthConfig | undefined): string[] | null {
  const t = h?.Test;
  if (!t || t.length === 0 || t[0] === 'NONE') return null;
  if (t[0] === 'CMD') return t.length > 1 ? t.slice(1) : null;
  if (t[0] === 'CMD-SHELL') return t.length > 1 ? ['/bin/sh', '-c', t.slice(1).join(' ')] : null;
  return null;
}

export interface HealthTiming {
  intervalMs: number;
  timeoutMs: number;
  startPeriodMs: number;
  retries: number;
}

export function healthTiming(h: HealthConfig | undefined): HealthTiming {
  const ms = (ns: number | undefined, d: number) => Math.max(1, Math.round((ns && ns > 0 ? ns : d) / 1e6));
  return {
    intervalMs: ms(h?.Interval, DEFAULT_INTERVAL),
    timeoutMs: ms(h?.Timeout, DEFAULT_TIMEOUT),
    startPeriodMs: h?.StartPeriod && h.StartPeriod > 0 ? Math.round(h.StartPeriod / 1e6) : 0,
    retries: h?.Retries && h.Retries > 0 ? h.Retries : DEFAULT_RETRIES,
  };
}

/**
 * Docker's state update for one probe result. `inStartPeriod`: failures during the start period
 * do not count while the container is still starting.
 */
export function recordResult(s: HealthState, r: HealthLogEntry, retries: number, inStartPeriod: boolean): HealthState {
  const Log = [...s.Log, r].slice(-MAX_LOG);
  if (r.ExitCode === 0) return { Status: 'healthy', FailingStreak: 0, Log };
  if (inStartPeriod && s.Status === 'starting') return { ...s, Log };
  const FailingStreak = s.FailingStreak + 1;
  return { Status: FailingStreak >= retries ? 'unhealthy' : s.Status, FailingStreak, Log };
}

/** What `ps` appends to "Up 2 minutes". */
export function healthSuffix(h: HealthState | undefined): string {
  if (!h) return '';
  return h.Status === 'starting' ? ' (health: starting)' : ` (${h.Status})`;
}

type WithHealth = ContainerRecord & { state: ContainerRecord['state'] & { health?: HealthState } };

export function healthOf(rec: ContainerRecord): HealthState | undefined {
  return (rec as WithHealth).state.health;
}

interface Probe {
  stopped: boolean;
  startedAt: number;
}

/** What the monitor needs of the container service: read records, record results, share the timers. */
export type HealthContainers = Pick<ContainerService, 'updateRecord' | 'supervisor'> & {
  d: { store: Pick<ContainerStore, 'get' | 'all'> };
};

/** What the monitor needs of ExecService (a role interface, so tests can count probe execs). */
export type ProbeExecs = Pick<ExecService, 'create' | 'start' | 'get' | 'remove'>;

export class HealthMonitor {
  private readonly probes = new Map<string, Probe>();
  private unsubscribe: (() => void) | null = null;

  constructor(
    private readonly containers: HealthContainers,
    private readonly execs: ProbeExecs,
    private readonly events: Events,
  ) {}

  /** Starts/stops probing on the container events; starts it for containers already running. */
  attach(): void {
    this.unsubscribe = this.events.subscribe((e) => {
      if (e.Type !== 'container') return;
      if (e.Action === 'start') this.start(e.Actor.ID, true);
      else if (e.Action === 'die' || e.Action === 'destroy') this.stop(e.Actor.ID);
      else if (e.Action === 'pause') this.pauseProbe(e.Actor.ID);
      else if (e.Action === 'unpause') this.start(e.Actor.ID, false);
    });
    for (const rec of this.containers.d.store.all()) if (rec.state.status === 'running') this.start(rec.id, false);
  }

  close(): void {
    this.unsubscribe?.();
    for (const id of [...this.probes.keys()]) this.stop(id);
  }

  private start(id: string, fresh: boolean): void {
    const rec = this.containers.d.store.get(id);
    if (!rec) return;
    const cmd = probeCommand(rec.config.Healthcheck);
    if (!cmd) return;
    this.stop(id);
    const r = rec as WithHealth;
    if (fresh || !r.state.health)
      r.state.health = { Status: 'starting', FailingStreak: 0, Log: r.state.health?.Log ?? [] };
    if (fresh) r.state.health.FailingStreak = 0;
    const t = healthTiming(rec.config.Healthcheck);
    const p: Probe = { stopped: false, startedAt: Date.parse(rec.state.startedAt) || Date.now() };
    this.probes.set(id, p);
    // probes run on the same supervisor as restart policies: stop/rm/shutdown cancel them there
    const sup = this.containers.supervisor;
    const tick = async () => {
      if (p.stopped) return;
      await this.probe(id, cmd, t, p).catch(() => {});
      if (!p.stopped) sup.schedule(id, 'health', t.intervalMs, () => void tick());
    };
    sup.schedule(id, 'health', t.intervalMs, () => void tick());
  }

  private pauseProbe(id: string): void {
    this.stop(id);
  }

  stop(id: string): void {
    const p = this.probes.get(id);
    if (!p) return;
    p.stopped = true;
    this.containers.supervisor.cancel(id, 'health');
    this.probes.delete(id);
  }

  /** Runs the probe once and records the result. */
  private async probe(id: string, cmd: string[], t: HealthTiming, p: Probe): Promise<void> {
    const rec = this.containers.d.store.get(id) as WithHealth | undefined;
    if (rec?.state.status !== 'running' || !rec.state.health) return;
    const start = new Date();
    let output = '';
    let code: number;
    const ac = new AbortController();
    const { id: Id } = this.execs.create(id, { Cmd: cmd, AttachStdout: true, AttachStderr: true });
    const timedOut = new Promise<'timeout'>((r) => {
      const tm = setTimeout(() => r('timeout'), t.timeoutMs);
      ac.signal.addEventListener('abort', () => clearTimeout(tm));
    });
    const run = this.execs
      .start(
        Id,
        { detach: false, probe: true },
        {
          write: (_s, c) => void (output.length < MAX_OUTPUT && (output += c.toString('utf8'))),
          input: null,
          signal: ac.signal,
        },
        null,
      )
      .then(() => 'done' as const);
    const res = await Promise.race([run, timedOut]);
    if (res === 'timeout') {
      this.execs.get(Id).proc?.kill(9);
      code = -1;
      output = `Health check exceeded timeout (${formatDuration(t.timeoutMs)})`;
    } else {
      code = this.execs.get(Id).exitCode ?? -1;
    }
    ac.abort();
    // probes are not user execs: like Docker, unregister them (record and ExecIDs) once they ran
    this.execs.remove(Id);
    const entry: HealthLogEntry = {
      Start: start.toISOString(),
      End: new Date().toISOString(),
      ExitCode: code,
      Output: output.slice(0, MAX_OUTPUT),
    };
    let changed: HealthStatus | null = null;
    // the record's writer is the container service: the result is recorded in the container's queue
    await this.containers
      .updateRecord(id, (cur) => {
        const r = cur as WithHealth;
        if (p.stopped || r.state.status !== 'running' || !r.state.health) return;
        const before = r.state.health.Status;
        r.state.health = recordResult(r.state.health, entry, t.retries, Date.now() - p.startedAt < t.startPeriodMs);
        if (r.state.health.Status !== before) changed = r.state.health.Status;
      })
      .catch(() => {});
    if (changed)
      this.events.emit('container', `health_status: ${changed}`, rec.id, {
        image: rec.config.Image,
        name: rec.name,
        ...rec.config.Labels,
      });
  }
}

function formatDuration(ms: number): string {
  if (ms % 1000 === 0) return `${ms / 1000}s`;
  return `${ms}ms`;
}
