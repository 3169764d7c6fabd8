// `docker update` of a running container whose cgroup files cannot be found: `runc update`
// (engine/update.ts writes the cgroup files itself when it finds them, with no process spawned).
import type { Runc } from './runc.js';

/** engine/update's LiveUpdate: `runc update <args> <id>`. */
export function runcLiveUpdate(runc: Pick<Runc, 'run'>): (id: string, args: string[]) => Promise<void> {
  return async (id, args) => {
    await runc.run(['update', ...args, id]);
  };
}
