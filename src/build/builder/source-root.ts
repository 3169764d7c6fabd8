// Where COPY --from / RUN --mount=from read: the context, an earlier stage or an image, mounted
// read-only in the build's scratch space.
import { randomBytes } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { invalid, isKind, msg } from '../../errdefs.js';
import type { LayerRecord } from '../../images/store.js';
import { mountAll } from '../../storage/snapshot/mount.js';
import { expandWord } from '../dockerfile/expand.js';
import { BUILD_SNAP, type StepHost } from './build-state.js';
import type { BuildContext } from './context.js';

export interface SourceRoot {
  root: string;
  /** The context's index, when the source is the context. */
  files?: BuildContext['files'];
}

async function layersOf(h: StepHost, ref: string): Promise<LayerRecord[]> {
  const si = h.stageIndex(ref, Number.MAX_SAFE_INTEGER);
  if (si !== null) {
    const st = h.results.get(si);
    if (!st) throw invalid(`invalid from flag value ${ref}: stage ${ref} is not built before it is used`);
    return st.layers;
  }
  try {
    return (await h.d.images.resolve(ref)).layers;
  } catch (e) {
    if (isKind(e, 'not-found')) throw invalid(`invalid from flag value ${ref}: ${msg.noSuchImage(ref)}`);
    throw e;
  }
}

/** The root a `--from` (or none: the context) names; a stage or image is mounted until the build ends. */
export async function sourceRoot(h: StepHost, from: string | undefined, env: Map<string, string>): Promise<SourceRoot> {
  if (!from) return { root: h.ctx.dir, files: h.ctx.files };
  const layers = await layersOf(h, expandWord(from, env, h.p.escape));
  const top = layers[layers.length - 1]?.chainId;
  const root = join(h.work, 'from-' + randomBytes(6).toString('hex'));
  await mkdir(root, { recursive: true });
  if (!top) return { root };
  const key = BUILD_SNAP + 'view-' + randomBytes(8).toString('hex');
  const mounts = await h.d.images.snapshots.view(key, top);
  try {
    await mountAll(mounts, root);
  } finally {
    // the mount keeps the lower dirs; the view's record can go right away
    await h.d.images.snapshots.remove(key).catch(() => {});
  }
  h.mounts.push(root);
  return { root };
}
