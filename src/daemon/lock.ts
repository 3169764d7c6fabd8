// One daemon per data-root: a lock file holding the owner's pid; a live owner means refuse.
import fs from 'node:fs';
import { EngineError } from '../errdefs.js';
import { pidAlive as alive } from '../util/pid-alive.js';

export function acquireLock(file: string, dataRoot: string): () => void {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = fs.openSync(file, 'wx', 0o600);
      fs.writeSync(fd, String(process.pid));
      fs.closeSync(fd);
      return () => {
        try {
          if (fs.readFileSync(file, 'utf8').trim() === String(process.pid)) fs.unlinkSync(file);
        } catch {
          /* gone */
        }
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const owner = Number(fs.readFileSync(file, 'utf8').trim() || 0);
      if (owner && owner !== process.pid && alive(owner))
        throw new EngineError('conflict', `another berthd (pid ${owner}) is already using data-root ${dataRoot}`);
      fs.rmSync(file, { force: true }); // stale lock from a crashed daemon
    }
  }
  throw new EngineError('conflict', `cannot lock data-root ${dataRoot}`);
}
