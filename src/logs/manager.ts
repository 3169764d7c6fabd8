// Log drivers on top of conmon. conmon always writes the k8s-file (the source of truth; it keeps
// being written while berthd is down). For shipped drivers (json-file, local, syslog, gelf,
// fluentd) a per-container shipper follows that file and forwards each record to the driver's
// sink, persisting its position (inode + offset) after every batch, so after a berthd restart it
// resumes where it stopped: nothing lost, nothing repeated. What each driver does is in drivers.ts.
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { notImplemented } from '../errdefs.js';
import { cacheReader } from './common/cache-reader.js';
import type { LogConfig } from './common/config.js';
import { followK8sFile, type FollowPosition } from './common/k8s-follower.js';
import type { LogMessage, ReadOptions } from './common/log-reader.js';
import { ShipProgress } from './common/ship-progress.js';
import type { DriverContext, LogDriver, LogTarget } from './driver.js';
import { LOG_DRIVER_TABLE } from './drivers.js';
import { mergeLogConfig } from './options.js';

export type { LogTarget } from './driver.js';
export { attrsFor } from './common/attrs.js';

export interface LogManagerOptions {
  defaults: LogConfig;
  daemonName?: string;
  log?: (level: 'debug' | 'info' | 'warn' | 'error', m: string) => void;
  pollMs?: number;
  /** Asks the container's conmon to reopen its log file after a rotation (throws if it cannot). */
  reopenLog?: (id: string) => void;
  rotateAt?: number;
  /** The drivers by name (default: drivers.ts's table; tests pass fakes). */
  drivers?: ReadonlyMap<string, LogDriver>;
}

/** The shipper rotates conmon's k8s-file once it has forwarded this much of it. */
const ROTATE_AT = 32 * 1024 * 1024;
/** conmon replaces its k8s-file itself after this many shipper rotations' worth (nobody shipping). */
const BACKSTOP_ROTATIONS = 8;
const POSITION_FILE = 'log-shipper.json';
/** A read waiting for the shipper to forward what conmon already wrote gives up once it stalls this long. */
const CATCH_UP_MS = 1000;

interface Shipper {
  done: () => void;
  abort: AbortController;
  finished: Promise<void>;
  progress: ShipProgress;
}

export class LogManager {
  private readonly shippers = new Map<string, Shipper>();
  private readonly ctx: DriverContext;
  private readonly drivers: ReadonlyMap<string, LogDriver>;
  constructor(private readonly o: LogManagerOptions) {
    this.ctx = { daemonName: o.daemonName ?? 'berth', pollMs: o.pollMs };
    this.drivers = o.drivers ?? LOG_DRIVER_TABLE;
  }

  get defaults(): LogConfig {
    return this.o.defaults;
  }

  /** Docker's create-time merge with the daemon defaults; throws with Docker's texts. */
  mergeConfig(cfg: Partial<LogConfig> | null | undefined): LogConfig {
    return mergeLogConfig(cfg, this.o.defaults);
  }

  /**
   * conmon's --log-size-max for the k8s-file, -1 for none. The shipper rotates a shipped driver's
   * file itself (ROTATE_AT) and asks conmon to reopen it; conmon's cap sits well above that.
   */
  sizeMax(cfg: LogConfig): number {
    const d = this.drivers.get(cfg.Type);
    const n = d?.sizeMax(cfg) ?? -1;
    // conmon's own cap as a backstop only: with berthd down (killed, stopped) nobody rotates, and a
    // flooding container would fill the disk (Docker's container blocks on its full pipe instead)
    return n < 0 && d?.openSink ? BACKSTOP_ROTATIONS * (this.o.rotateAt ?? ROTATE_AT) : n;
  }

  /** The LogPath inspect shows: the driver's own file, or "" for drivers without one. */
  logPath(t: Pick<LogTarget, 'id' | 'k8sPath' | 'logConfig'>): string {
    return this.drivers.get(t.logConfig.Type)?.logPath(t.id, t.k8sPath) ?? '';
  }

  /** `docker logs`: the driver's files, or the k8s-file as the local cache (Docker's dual logging). */
  readBatches(t: LogTarget, o: ReadOptions, signal: AbortSignal, done?: Promise<void>): AsyncIterable<LogMessage[]> {
    const d = this.drivers.get(t.logConfig.Type);
    if (d && !d.reader) throw notImplemented('configured logging driver does not support reading');
    const reader = (d?.reader ?? cacheReader)(t, this.ctx);
    const s = d?.reader && d.openSink ? this.shippers.get(t.id) : undefined;
    if (!s) return reader.readBatches(o, signal, done);
    // the driver's file is the shipper's copy: first let it catch up with what conmon wrote
    return (async function* () {
      await s.progress.caughtUp(t.k8sPath, CATCH_UP_MS);
      yield* reader.readBatches(o, signal, done);
    })();
  }

  private needsShipper(t: LogTarget): boolean {
    return this.drivers.get(t.logConfig.Type)?.openSink !== undefined;
  }

  /** Starts forwarding a running container's output (after a start or a daemon restart). */
  follow(t: LogTarget): void {
    if (!this.needsShipper(t)) return;
    const prev = this.shippers.get(t.id);
    let fireDone!: () => void;
    const done = new Promise<void>((r) => (fireDone = r));
    const abort = new AbortController();
    const progress = new ShipProgress();
    const finished = (async () => {
      if (prev) {
        prev.done();
        await prev.finished;
      }
      await this.ship(t, done, abort.signal, progress);
    })().catch((e) => this.o.log?.('warn', `log shipper ${t.id.slice(0, 12)}: ${(e as Error).message}`));
    this.shippers.set(t.id, { done: fireDone, abort, finished, progress });
  }

  /** The container exited: forward what is left, then stop (bounded wait). */
  async flush(id: string, timeoutMs = 5000): Promise<void> {
    const s = this.shippers.get(id);
    if (!s) return;
    s.done();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([s.finished, new Promise<void>((r) => (timer = setTimeout(r, timeoutMs)))]);
    clearTimeout(timer);
    // Still draining after the timeout: it stays known, so a later stop() (rm) can abort it.
    if (this.shippers.get(id) === s)
      void s.finished.then(() => this.shippers.get(id) === s && this.shippers.delete(id));
  }

  /** Stops forwarding without draining (container removed, daemon shutting down). */
  async stop(id: string): Promise<void> {
    const s = this.shippers.get(id);
    if (!s) return;
    this.shippers.delete(id);
    s.abort.abort();
    await s.finished;
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.shippers.keys()].map((id) => this.stop(id)));
  }

  private async ship(t: LogTarget, done: Promise<void>, signal: AbortSignal, progress: ShipProgress): Promise<void> {
    const posFile = path.join(path.dirname(t.k8sPath), POSITION_FILE);
    const from = await fsp
      .readFile(posFile, 'utf8')
      .then((s) => JSON.parse(s) as FollowPosition)
      .catch(() => null);
    if (from) progress.advance(from);
    const sink = await this.drivers.get(t.logConfig.Type)!.openSink!(t, this.ctx, from !== null);
    try {
      const reopen = this.o.reopenLog ? () => this.reopenLog(t.id) : undefined;
      let full = 0; // records dropped since the disk filled up
      for await (const { records, pos } of followK8sFile(t.k8sPath, {
        from,
        signal,
        done,
        pollMs: this.o.pollMs,
        rotateAt: this.o.rotateAt ?? ROTATE_AT,
        reopen,
      })) {
        try {
          if (records.length) await sink.write(records);
          if (full)
            this.o.log?.(
              'warn',
              `log ${t.id.slice(0, 12)}: writing again after ${full} lines were dropped (no space left on device)`,
            );
          full = 0;
        } catch (e) {
          // like Docker's "Error writing log message": a full disk drops lines, never the shipper
          if ((e as NodeJS.ErrnoException).code !== 'ENOSPC') throw e;
          if (!full)
            this.o.log?.(
              'warn',
              `log ${t.id.slice(0, 12)}: ${(e as Error).message}; dropping lines until there is space`,
            );
          full += records.length;
        }
        progress.advance(pos);
        // the position only speeds up a restart; a full disk must not stop shipping
        await writePosition(posFile, pos).catch((e: NodeJS.ErrnoException) => {
          if (e.code !== 'ENOSPC') throw e;
        });
      }
    } finally {
      await sink.close().finally(() => progress.end());
    }
  }

  /** Asks conmon to reopen its log file; a conmon that is gone is no error of the shipper's. */
  private reopenLog(id: string): void {
    try {
      this.o.reopenLog?.(id);
    } catch (e) {
      this.o.log?.('debug', `reopen log of ${id.slice(0, 12)}: ${(e as Error).message}`);
    }
  }
}

const POSITION_BYTES = 128;

/**
 * Overwrites the position in place, padded to a fixed size: rewriting blocks the file already has
 * needs no new space, so a full disk cannot leave it empty (writeFile truncates first, and a
 * berthd restart would then ship the whole log again). JSON.parse ignores the padding.
 */
async function writePosition(file: string, pos: FollowPosition): Promise<void> {
  const text = JSON.stringify(pos);
  const fh = await fsp.open(file, fs.constants.O_WRONLY | fs.constants.O_CREAT, 0o600);
  try {
    await fh.write(Buffer.from(text.padEnd(POSITION_BYTES, ' ')), 0, Math.max(POSITION_BYTES, text.length), 0);
  } finally {
    await fh.close();
  }
}
