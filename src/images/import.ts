// `docker import`: an image of one layer from a tarball, its config from --change, --message and
// --platform. Everything is validated before the body is read, so bad input changes nothing.
import type { Readable } from 'node:stream';
import { invalid } from '../errdefs.js';
import { maybeGunzip } from '../storage/layers/decompress.js';
import { goArch } from '../util/go-arch.js';
import { applyChanges } from './changes.js';
import { familiarString, parseReference, validateTag, withDefaultTag, type Reference } from './reference/reference.js';
import type { ImageService, ImportOptions } from './store.js';
import { emptyContainerConfig, type ImageConfigFile } from './types.js';

export async function importTarball(store: ImageService, tar: Readable, o: ImportOptions): Promise<{ id: string }> {
  // Validate everything before reading the body: bad input changes nothing.
  let ref: Reference | null = null;
  if (o.repo) {
    ref = parseReference(o.repo);
    if (ref.digest) throw invalid('cannot import digest reference');
    if (o.tag) {
      validateTag(o.tag);
      ref = { ...ref, tag: o.tag };
    }
    ref = withDefaultTag(ref);
  }
  const config = applyChanges(emptyContainerConfig(), o.changes ?? []);
  let os = 'linux';
  let arch = goArch();
  let variant: string | undefined;
  if (o.platform) {
    const [pos, parch, pvar] = o.platform.toLowerCase().split('/');
    if (pos !== 'linux') throw invalid(`operating system is not supported: ${pos}`);
    os = pos;
    if (parch) arch = parch === 'x86_64' ? 'amd64' : parch === 'aarch64' ? 'arm64' : parch;
    variant = pvar;
  }

  const { digest: diffId } = await store.content.ingest(await maybeGunzip(tar));
  const layer = await store.ensureLayer(null, diffId);
  const created = new Date().toISOString();
  const comment = o.message || 'Imported from -';
  const cfg: ImageConfigFile = {
    architecture: arch,
    ...(variant ? { variant } : {}),
    comment,
    config,
    created,
    history: [{ created, created_by: '', comment }],
    os,
    rootfs: { type: 'layers', diff_ids: [diffId] },
  };
  const id = await store.registerImage(Buffer.from(JSON.stringify(cfg)), [layer]);
  if (ref) {
    await store.setReference(ref, id);
    await store.logEvent('tag', id, familiarString(ref)); // moby's import tags through TagImage
  }
  return { id };
}
