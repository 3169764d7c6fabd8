// Kept for callers outside storage/ not yet switched (images/store.ts): the one atomic writer is
// util/atomic.ts. These create the parent directory first, as this module always did.
import { writeFileAtomic as write, writeJsonAtomic as writeJson } from '../../util/atomic.js';

export { fsyncDir } from '../../util/atomic.js';

export const writeFileAtomic = (path: string, data: string | Buffer): Promise<void> =>
  write(path, data, { mkdir: true });
export const writeJsonAtomic = (path: string, value: unknown): Promise<void> => writeJson(path, value, { mkdir: true });
