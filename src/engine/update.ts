// `docker update`: change resource limits and the restart policy, live when the container runs.
import { EngineError, isKind } from '../errdefs.js';
import { isRunningish } from './states.js';
import { applyUpdate, resourceWarnings, runcUpdateArgs, type UpdateRequest } from './resources.js';
import type { ContainerService } from './service.js';

/** Applies `runc update <args>` to a running container. */
export type LiveUpdate = (id: string, args: string[]) => Promise<void>;

export async function updateContainer(svc: ContainerService, ref: string, u: UpdateRequest, live: LiveUpdate): Promise<{ Warnings: string[] }> {
  const rec = svc.find(ref);
  const running = isRunningish(rec.state.status) && rec.state.status !== 'restarting';
  // like moby, what fails against the container's current state (or in the runtime) is
  // "Cannot update container <id>: …"; a bad request alone keeps its plain text
  const cannot = (e: unknown, kind: 'conflict' | 'internal') =>
    new EngineError(kind, `Cannot update container ${rec.id}: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  let next;
  try {
    next = applyUpdate(rec.hostConfig, u, running);
  } catch (e) {
    throw isKind(e, 'conflict') ? cannot(e, 'conflict') : e;
  }
  if (running) {
    const args = runcUpdateArgs(next);
    if (args.length > 0) await live(rec.id, args).catch((e) => Promise.reject(cannot(e, 'internal')));
  }
  rec.hostConfig = next;
  await svc.d.store.save(rec);
  svc.d.events.emit('container', 'update', rec.id, { image: rec.config.Image, name: rec.name, ...rec.config.Labels });
  return { Warnings: resourceWarnings({ KernelMemory: u.KernelMemory }) };
}
