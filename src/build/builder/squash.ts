// `docker build --squash` (moby's daemon/images/image_squash.go): a new image whose layers are the
// FROM image's plus one layer holding the diff of everything the build added above it (deletions
// as whiteouts). The history keeps every entry; those above the FROM image become empty layers
// and one entry for the merged layer ends it. The unsquashed image stays, as with moby.
import { internal } from '../../errdefs.js';
import type { HistoryEntry, ImageConfigFile } from '../../images/types.js';
import { applyLayer } from '../../storage/layers/apply.js';
import type { LayerSteps } from './layer-steps.js';

/** Squash image `id` onto `fromId` ('' = FROM scratch: all its layers become one); the new id. */
export async function squashImage(steps: LayerSteps, id: string, fromId: string): Promise<string> {
  const images = steps.d.images;
  const img = await images.resolve(id);
  const file = await images.configFile(id);
  const base = fromId ? await images.resolve(fromId) : null;
  const baseFile: ImageConfigFile | null = fromId ? await images.configFile(fromId) : null;
  const baseLayers = base?.layers ?? [];
  if (baseLayers.some((l, i) => img.layers[i]?.chainId !== l.chainId))
    throw internal(`error squashing image: ${fromId} is not a parent of ${id}`);
  const above = img.layers.slice(baseLayers.length);
  const parent = baseLayers.at(-1)?.chainId ?? null;
  // the layers above the base applied in order onto a snapshot of it: its upper dir is their diff
  const layer = above.length
    ? await steps.fsLayer(parent, async (root) => {
        for (const l of above) await applyLayer(root, await images.content.get(l.diffId));
      })
    : null;
  const now = new Date().toISOString();
  const kept = baseFile?.history?.length ?? 0;
  const history: HistoryEntry[] = (file.history ?? []).map((h, i) => (i >= kept ? { ...h, empty_layer: true } : h));
  const merged: HistoryEntry = { created: now, comment: fromId ? `merge ${id} to ${fromId}` : `create new from ${id}` };
  if (!layer) merged.empty_layer = true; // nothing changed: history and rootfs must still agree
  history.push(merged);
  const out: ImageConfigFile = {
    ...file,
    created: now,
    history,
    rootfs: { type: 'layers', diff_ids: [...(baseFile?.rootfs?.diff_ids ?? []), ...(layer ? [layer.diffId] : [])] },
  };
  return images.registerImage(Buffer.from(JSON.stringify(out)), layer ? [...baseLayers, layer] : baseLayers);
}
