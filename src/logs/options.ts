// Log driver names and a container's log config: merging with the daemon's, and Docker's validation
// texts. Each driver validates its own options (drivers.ts); the shared parsers are in common/.
import { invalid } from '../errdefs.js';
import type { LogConfig } from './common/config.js';
import { LOG_DRIVER_TABLE } from './drivers.js';

export type { LogConfig } from './common/config.js';

/** Docker's names of the drivers berthd has. */
export const LOG_DRIVERS: readonly string[] = [...LOG_DRIVER_TABLE.keys()];

export function isLogDriver(t: string): boolean {
  return LOG_DRIVER_TABLE.has(t);
}

/**
 * Docker's mergeAndVerifyLogConfig: an empty type takes the daemon's default, and the daemon's
 * options fill in keys the container did not set when the types agree. Throws on bad options.
 */
export function mergeLogConfig(cfg: Partial<LogConfig> | null | undefined, daemon: LogConfig): LogConfig {
  const out: LogConfig = { Type: cfg?.Type || daemon.Type, Config: { ...(cfg?.Config ?? {}) } };
  if (out.Type === daemon.Type)
    for (const [k, v] of Object.entries(daemon.Config)) if (!(k in out.Config)) out.Config[k] = v;
  validateLogConfig(out);
  return out;
}

export function validateLogConfig(cfg: LogConfig): void {
  const d = LOG_DRIVER_TABLE.get(cfg.Type);
  if (!d) throw invalid(`logger: no log driver named '${cfg.Type}' is registered`);
  d.validate(cfg);
}
