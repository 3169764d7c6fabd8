// `docker commit`: the container's upper dir becomes one new layer on top of its image, with the
// container's config (merged with the request's config and `--change`s) as the image config.
import { invalid } from '../../errdefs.js';
import { diffLayer } from '../../storage/layers/diff.js';
import { initArtifacts } from '../../storage/layers/init-artifacts.js';
import { applyChanges } from '../changes.js';
import { familiarString, parseReference, validateTag, withDefaultTag, type Reference } from '../reference/reference.js';
import type { ImageService, LayerRecord } from '../store.js';
import { emptyContainerConfig, type ContainerConfig, type ImageConfigFile } from '../types.js';

export interface CommitRequest {
  containerId: string;
  imageId: string;
  /** The container's overlay upper dir. */
  upperDir: string;
  /** The container's Config as stored at create (Docker's wire shape). */
  containerConfig: ContainerConfig;
  /** Config fields from the request body; set fields win over the container's. */
  config?: Partial<ContainerConfig>;
  repo?: string;
  tag?: string;
  comment?: string;
  author?: string;
  changes?: string[];
  /** Called once the layer tar is stored (unpause the container here). */
  onLayerStored?: () => Promise<void>;
}

/** Validate the target reference first: bad input changes nothing. */
export function commitReference(repo?: string, tag?: string): Reference | null {
  if (!repo) {
    if (tag) throw invalid('invalid reference format: repository name must have at least one component');
    return null;
  }
  let ref = parseReference(repo);
  if (ref.digest) throw invalid('cannot commit to digest reference');
  if (tag) {
    validateTag(tag);
    ref = { ...ref, tag };
  }
  return withDefaultTag(ref);
}

function merge(base: ContainerConfig, over: Partial<ContainerConfig> | undefined): ContainerConfig {
  const out: ContainerConfig = { ...emptyContainerConfig(), ...base };
  if (!over) return out;
  for (const [k, v] of Object.entries(over) as [keyof ContainerConfig, unknown][]) {
    const empty =
      v === undefined ||
      v === null ||
      v === '' ||
      v === false ||
      (Array.isArray(v) && v.length === 0) ||
      (typeof v === 'object' && v && !Array.isArray(v) && Object.keys(v).length === 0);
    if (empty) continue;
    if (k === 'Env' && Array.isArray(v)) {
      // request Env entries override the container's by name, others are kept
      const env = new Map((out.Env ?? []).map((e) => [e.split('=')[0], e]));
      for (const e of v as string[]) env.set(e.split('=')[0], e);
      out.Env = [...env.values()];
    } else if ((k === 'ExposedPorts' || k === 'Volumes' || k === 'Labels') && typeof v === 'object') {
      (out as unknown as Record<string, unknown>)[k] = { ...((out[k] as object | null) ?? {}), ...(v as object) };
    } else (out as unknown as Record<string, unknown>)[k] = v;
  }
  return out;
}

export async function commitContainer(images: ImageService, r: CommitRequest): Promise<string> {
  const ref = commitReference(r.repo, r.tag);
  const config = applyChanges(merge(r.containerConfig, r.config), r.changes ?? []);
  const parent = await images.resolve(r.imageId);
  const parentCfg = await images.configFile(parent.id);
  let diffId = '';
  try {
    // stored and extracted in one pass over the upper dir (see prepared.ts)
    ({ digest: diffId } = await images.ingestLayer(diffLayer(r.upperDir, await initArtifacts(r.upperDir))));
  } finally {
    await r.onLayerStored?.();
  }
  const top = parent.layers[parent.layers.length - 1]?.chainId ?? null;
  let layer: LayerRecord;
  try {
    layer = await images.ensureLayer(top, diffId);
  } finally {
    await images.prepared.release([diffId]);
  }
  const created = new Date().toISOString();
  const cfg: ImageConfigFile = {
    architecture: parentCfg.architecture,
    ...(parentCfg.variant ? { variant: parentCfg.variant } : {}),
    author: r.author ?? '',
    comment: r.comment ?? '',
    config,
    container: r.containerId,
    container_config: r.containerConfig,
    created,
    docker_version: '20.10.0-berth',
    history: [
      ...(parentCfg.history ?? []),
      {
        created,
        ...(r.author ? { author: r.author } : {}),
        created_by: (r.containerConfig.Cmd ?? []).join(' '),
        ...(r.comment ? { comment: r.comment } : {}),
      },
    ],
    os: parentCfg.os,
    parent: parent.id,
    rootfs: { type: 'layers', diff_ids: [...(parentCfg.rootfs?.diff_ids ?? []), diffId] },
  };
  const id = await images.registerImage(Buffer.from(JSON.stringify(cfg)), [...parent.layers, layer], parent.id);
  await images.logEvent('create', id, id); // moby's CommitImage
  if (ref) {
    await images.setReference(ref, id);
    await images.logEvent('tag', id, familiarString(ref)); // moby's commit tags through TagImage
  }
  return id;
}
