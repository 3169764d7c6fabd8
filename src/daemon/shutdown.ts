// Going down on SIGTERM/SIGINT: containers keep running (conmon holds them); berthd stops taking
// requests, stops its timers, lets log shippers persist their position, and removes its sockets,
// pidfile and lock. Errors that escaped a request are logged as bugs instead of ending berthd.
import fs from 'node:fs';
import type { Log } from './logger.js';

export interface ShutdownDeps {
  log: Log;
  /** Stop accepting and drop open connections. */
  closeApi(): void;
  /** Synchronous stops: no restart, health probe or stats sample may start while going down. */
  stopTimers: Array<() => void>;
  /** Work that must finish (bounded by `graceMs`): log shippers, network. */
  drain(): Promise<unknown>;
  files: string[];
  releaseLock(): void;
  exit?: (code: number) => void;
  graceMs?: number;
}

/** The handler for a stop signal; a second signal while stopping does nothing. */
export function shutdownHandler(d: ShutdownDeps): (sig: string) => void {
  let stopping = false;
  return (sig) => {
    if (stopping) return;
    stopping = true;
    d.log('info', `received ${sig}, shutting down; containers keep running`);
    d.closeApi();
    for (const stop of d.stopTimers) stop();
    void Promise.race([d.drain(), new Promise((r) => setTimeout(r, d.graceMs ?? 2000))]).finally(() => {
      for (const f of d.files) fs.rmSync(f, { force: true });
      d.releaseLock();
      (d.exit ?? process.exit)(0);
    });
  };
}

export function installSignalHandlers(d: ShutdownDeps): void {
  const shutdown = shutdownHandler(d);
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGPIPE', () => {});
  // Last resort, not the fix: an error that escaped its request's own error path is logged as the
  // bug it is and the daemon keeps serving its other clients (tests fail on these lines).
  const bug = (what: string) => (e: unknown) =>
    d.log('error', `${what} (a bug, please report): ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
  process.on('uncaughtException', bug('uncaught exception'));
  process.on('unhandledRejection', bug('unhandled rejection'));
}
