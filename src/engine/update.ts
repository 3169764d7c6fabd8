// `docker update`: change resource limits and the restart policy, live when the container runs.
import { isRunningish } from './states.js';
import { applyUpdate, runcUpdateArgs, type UpdateRequest } from './resources.js';
import type { ContainerService } from './service.js';

/** Applies `runc update <args>` to a running container. */
export type LiveUpdate = (id: string, args: string[]) => Promise<void>;

export async function updateContainer(svc: ContainerService, ref: string, u: UpdateRequest, live: LiveUpdate): Promise<{ Warnings: string[] }> {
  const rec = svc.find(ref);
  const running = isRunningish(rec.state.status) && rec.state.status !== 'restarting';
  const next = applyUpdate(rec.hostConfig, u, running);
  if (running) {
    const args = runcUpdateArgs(next);
    if (args.length > 0) await live(rec.id, args);
  }
  rec.hostConfig = next;
  await svc.d.store.save(rec);
  svc.d.events.emit('container', 'update', rec.id, { image: rec.config.Image, name: rec.name, ...rec.config.Labels });
  return { Warnings: [] };
}
