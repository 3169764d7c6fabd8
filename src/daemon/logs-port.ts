// Adapts the LogManager to the engine's LogsPort (container records in, log targets out).
import type { LogsPort } from '../engine/ports.js';
import type { ContainerRecord } from '../engine/types.js';
import type { LogManager, LogTarget } from '../logs/manager.js';

export function logTarget(rec: ContainerRecord): LogTarget {
  return {
    id: rec.id,
    name: rec.name,
    image: rec.config.Image,
    imageId: rec.image,
    logConfig: rec.hostConfig.LogConfig,
    k8sPath: rec.logPath,
    env: rec.config.Env,
    labels: rec.config.Labels,
    command: [rec.path, ...rec.args].join(' '),
    created: rec.created,
  };
}

export function logsPortFor(m: LogManager): LogsPort {
  return {
    readBatches: (rec, o, signal, done) => m.readBatches(logTarget(rec), o, signal, done),
    mergeConfig: (cfg) => m.mergeConfig(cfg),
    sizeMax: (rec) => {
      const n = m.sizeMax(rec.hostConfig.LogConfig);
      return n > 0 ? n : undefined;
    },
    follow: (rec) => m.follow(logTarget(rec)),
    flush: (rec) => m.flush(rec.id),
    forget: (rec) => m.stop(rec.id),
  };
}
