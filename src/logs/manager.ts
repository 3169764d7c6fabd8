// Log drivers on top of conmon. conmon always writes the k8s-file (the source of truth; it keeps
// being written while berthd is down). For json-file, local and syslog a per-container shipper
// follows that file and forwards each record, persisting its position (inode + offset) after every
// batch, so after a berthd restart it resumes where it stopped: nothing lost, nothing repeated.
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { notImplemented } from '../errdefs.js';
import { followK8sFile, type FollowPosition, type K8sRecord } from './k8s-follower.js';
import { JsonFileReader, JsonFileWriter } from './json-file.js';
import { K8sFileReader } from './k8s-file.js';
import type { LogMessage, ReadOptions } from './log-reader.js';
import { expandTag, fileOptions, gelfOptions, logOptRegExp, mergeLogConfig, syslogOptions, type LogConfig } from './options.js';
import { driverLogPath } from './paths.js';
import { SyslogSender } from './syslog.js';
import { GelfSender, gelfExtra } from './gelf.js';
import { FluentdSender, fluentdOptions } from './fluentd.js';
import { LocalFileReader, localEncoder } from './local-file.js';
import { dropShipped, jsonFileTail } from './shipped-tail.js';

/** What the log subsystem needs to know about a container. */
export interface LogTarget {
  id: string;
  name: string;
  /** The image as the user named it, and its id. */
  image: string;
  imageId: string;
  logConfig: LogConfig;
  /** conmon's k8s-file. */
  k8sPath: string;
  env?: string[] | null;
  labels?: Record<string, string> | null;
  /** Path and args (gelf's _command) and the creation time (gelf's _created). */
  command?: string;
  created?: string;
}

export interface LogManagerOptions {
  defaults: LogConfig;
  daemonName?: string;
  log?: (level: 'debug' | 'info' | 'warn' | 'error', m: string) => void;
  pollMs?: number;
  /** conmon's ctl FIFO of a container ("2" asks it to reopen the log file). */
  ctlPath?: (id: string) => string;
  rotateAt?: number;
}

/** The shipper rotates conmon's k8s-file once it has forwarded this much of it. */
const ROTATE_AT = 32 * 1024 * 1024;
/** The none driver cannot be read: conmon keeps only a small file. */
const NONE_MAX = 1024 * 1024;
const POSITION_FILE = 'log-shipper.json';

interface Sink {
  write(records: K8sRecord[]): Promise<void>;
  close(): Promise<void>;
}

interface Shipper {
  done: () => void;
  abort: AbortController;
  finished: Promise<void>;
}

export class LogManager {
  private readonly shippers = new Map<string, Shipper>();
  constructor(private readonly o: LogManagerOptions) {}

  get defaults(): LogConfig {
    return this.o.defaults;
  }

  /** Docker's create-time merge with the daemon defaults; throws with Docker's texts. */
  mergeConfig(cfg: Partial<LogConfig> | null | undefined): LogConfig {
    return mergeLogConfig(cfg, this.o.defaults);
  }

  /**
   * conmon's --log-size-max for the k8s-file, -1 for none. Shipped drivers get none: conmon would
   * replace the file without waiting for the shipper; the shipper rotates it itself (ROTATE_AT).
   */
  sizeMax(cfg: LogConfig): number {
    if (cfg.Type === 'k8s-file') return fileOptions(cfg).maxSize;
    if (cfg.Type === 'none') return NONE_MAX;
    return -1;
  }

  /** The LogPath inspect shows: the driver's own file, or "" for drivers without one. */
  logPath(t: Pick<LogTarget, 'id' | 'k8sPath' | 'logConfig'>): string {
    return driverLogPath(t.id, t.k8sPath, t.logConfig.Type);
  }

  /** `docker logs`: the driver's files, or the k8s-file as the local cache (Docker's dual logging). */
  readBatches(t: LogTarget, o: ReadOptions, signal: AbortSignal, done?: Promise<void>): AsyncIterable<LogMessage[]> {
    switch (t.logConfig.Type) {
      case 'none':
        throw notImplemented('configured logging driver does not support reading');
      case 'json-file':
        return new JsonFileReader(this.logPath(t), this.o.pollMs).readBatches(o, signal, done);
      case 'local':
        return new LocalFileReader(this.logPath(t), this.o.pollMs).readBatches(o, signal, done);
      default:
        return new K8sFileReader(t.k8sPath, { pollMs: this.o.pollMs }).readBatches(o, signal, done);
    }
  }

  private needsShipper(t: LogTarget): boolean {
    return ['json-file', 'local', 'syslog', 'gelf', 'fluentd'].includes(t.logConfig.Type);
  }

  /** Starts forwarding a running container's output (after a start or a daemon restart). */
  follow(t: LogTarget): void {
    if (!this.needsShipper(t)) return;
    const prev = this.shippers.get(t.id);
    let fireDone!: () => void;
    const done = new Promise<void>((r) => (fireDone = r));
    const abort = new AbortController();
    const finished = (async () => {
      if (prev) {
        prev.done();
        await prev.finished;
      }
      await this.ship(t, done, abort.signal);
    })().catch((e) => this.o.log?.('warn', `log shipper ${t.id.slice(0, 12)}: ${(e as Error).message}`));
    this.shippers.set(t.id, { done: fireDone, abort, finished });
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
    if (this.shippers.get(id) === s) void s.finished.then(() => this.shippers.get(id) === s && this.shippers.delete(id));
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

  private async ship(t: LogTarget, done: Promise<void>, signal: AbortSignal): Promise<void> {
    const posFile = path.join(path.dirname(t.k8sPath), POSITION_FILE);
    const from = await fsp
      .readFile(posFile, 'utf8')
      .then((s) => JSON.parse(s) as FollowPosition)
      .catch(() => null);
    const sink = await this.sink(t);
    try {
      const ctl = this.o.ctlPath?.(t.id);
      const reopen = ctl ? () => reopenLog(ctl, this.o.log) : undefined;
      let full = 0; // records dropped since the disk filled up
      // resuming after a kill: what the json-file already holds is not written again
      let tail = from && t.logConfig.Type === 'json-file' ? await jsonFileTail(this.logPath(t)) : null;
      for await (const { records: batch, pos } of followK8sFile(t.k8sPath, { from, signal, done, pollMs: this.o.pollMs, rotateAt: this.o.rotateAt ?? ROTATE_AT, reopen })) {
        let records = batch;
        if (tail) {
          const d = dropShipped(batch, tail);
          records = d.rest;
          if (!d.pending) tail = null;
        }
        try {
          if (records.length) await sink.write(records);
          if (full) this.o.log?.('warn', `log ${t.id.slice(0, 12)}: writing again after ${full} lines were dropped (no space left on device)`);
          full = 0;
        } catch (e) {
          // like Docker's "Error writing log message": a full disk drops lines, never the shipper
          if ((e as NodeJS.ErrnoException).code !== 'ENOSPC') throw e;
          if (!full) this.o.log?.('warn', `log ${t.id.slice(0, 12)}: ${(e as Error).message}; dropping lines until there is space`);
          full += records.length;
        }
        // the position only speeds up a restart; a full disk must not stop shipping
        await writePosition(posFile, pos).catch((e: NodeJS.ErrnoException) => {
          if (e.code !== 'ENOSPC') throw e;
        });
      }
    } finally {
      await sink.close();
    }
  }

  private async sink(t: LogTarget): Promise<Sink> {
    const cfg = t.logConfig;
    if (cfg.Type === 'syslog') {
      const tag = expandTag(cfg.Config.tag, { id: t.id, name: t.name, image: t.image, imageId: t.imageId, daemonName: this.o.daemonName ?? 'berth' });
      const sender = new SyslogSender(syslogOptions(cfg, this.o.daemonName ?? 'berth'), tag);
      return {
        write: async (records) => {
          for (const r of records) sender.send(r.stream, r.line);
        },
        close: () => sender.close(),
      };
    }
    if (cfg.Type === 'fluentd') {
      const tag = expandTag(cfg.Config.tag, { id: t.id, name: t.name, image: t.image, imageId: t.imageId, daemonName: this.o.daemonName ?? 'berth' });
      const sender = new FluentdSender(fluentdOptions(cfg), { id: t.id, name: '/' + t.name.replace(/^\//, ''), tag, extra: attrsFor(t) });
      return {
        write: async (records) => {
          for (const r of records) sender.send(r.stream, r.line, r.time, r.partial);
          await sender.drained();
        },
        close: () => sender.close(),
      };
    }
    if (cfg.Type === 'gelf') {
      const tag = expandTag(cfg.Config.tag, { id: t.id, name: t.name, image: t.image, imageId: t.imageId, daemonName: this.o.daemonName ?? 'berth' });
      const extra = gelfExtra({ id: t.id, name: t.name, imageId: t.imageId, image: t.image, command: t.command ?? '', tag, created: t.created ?? '', attrs: attrsFor(t) });
      const sender = new GelfSender(gelfOptions(cfg), extra);
      return {
        write: async (records) => {
          for (const r of records) sender.send(r.stream, r.line, r.time);
          await sender.drained();
        },
        close: () => sender.close(),
      };
    }
    const file = this.logPath(t);
    await fsp.mkdir(path.dirname(file), { recursive: true });
    const w = cfg.Type === 'local' ? new JsonFileWriter(file, fileOptions(cfg), undefined, localEncoder()) : new JsonFileWriter(file, fileOptions(cfg), attrsFor(t));
    return { write: (records) => w.write(records), close: () => w.close() };
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

/** Docker's `labels`/`env` (and -regex) options: extra attributes on every json-file entry. */
export function attrsFor(t: Pick<LogTarget, 'logConfig' | 'env' | 'labels'>): Record<string, string> | undefined {
  const c = t.logConfig.Config;
  const out: Record<string, string> = {};
  const labels = t.labels ?? {};
  const env = new Map((t.env ?? []).map((e) => [e.slice(0, Math.max(0, e.indexOf('='))) || e, e.includes('=') ? e.slice(e.indexOf('=') + 1) : '']));
  for (const k of (c.labels ?? '').split(',').filter(Boolean)) if (Object.hasOwn(labels, k)) out[k] = labels[k]!;
  if (c['labels-regex']) {
    const re = logOptRegExp(c, 'labels-regex');
    for (const [k, v] of Object.entries(labels)) if (re.test(k)) out[k] = v;
  }
  for (const k of (c.env ?? '').split(',').filter(Boolean)) if (env.has(k)) out[k] = env.get(k)!;
  if (c['env-regex']) {
    const re = logOptRegExp(c, 'env-regex');
    for (const [k, v] of env) if (re.test(k)) out[k] = v;
  }
  return Object.keys(out).length ? out : undefined;
}

/** Asks conmon to reopen its log file (ctl FIFO message 2). O_NONBLOCK: never hang on a dead conmon. */
function reopenLog(ctl: string, log?: LogManagerOptions['log']): void {
  try {
    const fd = fs.openSync(ctl, fs.constants.O_WRONLY | fs.constants.O_NONBLOCK);
    try {
      fs.writeSync(fd, '2 0 0\n');
    } finally {
      fs.closeSync(fd);
    }
  } catch (e) {
    log?.('debug', `reopen log via ${ctl}: ${(e as Error).message}`);
  }
}
