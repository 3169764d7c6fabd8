// Manifest parsing (Docker schema2, OCI image manifests, manifest lists / OCI indexes) and
// platform selection, with Docker's messages for what it cannot use.
import { invalid, notFound } from '../../errdefs.js';
import { MEDIA } from './registry.js';
import { goArch } from '../../util/go-arch.js';
import { formatPlatform, parsePlatform as parseOciPlatform } from '../../util/platform.js';

export interface Platform {
  os: string;
  architecture: string;
  variant?: string;
}

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  urls?: string[];
  platform?: Platform;
  annotations?: Record<string, string>;
}

export type Parsed =
  | { kind: 'index'; mediaType: string; manifests: Descriptor[] }
  | { kind: 'image'; mediaType: string; config: Descriptor; layers: Descriptor[] };

const DIGEST = /^sha256:[a-f0-9]{64}$/;

function checkDescriptor(d: unknown, what: string): Descriptor {
  const o = d as Partial<Descriptor> | null;
  if (
    !o ||
    typeof o !== 'object' ||
    typeof o.digest !== 'string' ||
    !DIGEST.test(o.digest) ||
    typeof o.size !== 'number' ||
    o.size < 0
  ) {
    throw invalid(`invalid ${what} descriptor in manifest`);
  }
  return { ...o, mediaType: String(o.mediaType ?? '') } as Descriptor;
}

/** Parse manifest bytes; `contentType` (the registry's header) wins when the body has no mediaType. */
export function parseManifest(bytes: Buffer, contentType = ''): Parsed {
  let m: Record<string, unknown>;
  try {
    m = JSON.parse(bytes.toString('utf8')) as Record<string, unknown>;
  } catch {
    throw invalid('invalid manifest: malformed JSON');
  }
  if (!m || typeof m !== 'object') throw invalid('invalid manifest: not an object');
  const mediaType = typeof m.mediaType === 'string' && m.mediaType ? m.mediaType : contentType;
  if (
    m.schemaVersion === 1 ||
    mediaType === MEDIA.dockerSchema1Signed ||
    mediaType === 'application/vnd.docker.distribution.manifest.v1+json'
  ) {
    throw invalid('unsupported manifest format: Docker Image manifest version 2, Schema 1 has been removed');
  }
  if (m.schemaVersion !== 2) throw invalid(`unsupported manifest schema version ${String(m.schemaVersion)}`);
  if (mediaType === MEDIA.dockerList || mediaType === MEDIA.ociIndex || (!mediaType && Array.isArray(m.manifests))) {
    if (!Array.isArray(m.manifests)) throw invalid('invalid manifest list: no manifests');
    return {
      kind: 'index',
      mediaType: mediaType || MEDIA.ociIndex,
      manifests: m.manifests.map((d) => checkDescriptor(d, 'manifest')),
    };
  }
  if (mediaType === MEDIA.dockerManifest || mediaType === MEDIA.ociManifest || (!mediaType && m.config)) {
    if (!Array.isArray(m.layers)) throw invalid('invalid manifest: no layers');
    const config = checkDescriptor(m.config, 'config');
    const layers = m.layers.map((d) => checkDescriptor(d, 'layer'));
    for (const l of layers) layerCompression(l.mediaType);
    return { kind: 'image', mediaType: mediaType || MEDIA.ociManifest, config, layers };
  }
  throw invalid(`unsupported manifest media type and no default available: ${mediaType}`);
}

/** 'gzip' | 'zstd' | 'none' for the layer media types we can apply; Docker's error for the rest. */
export function layerCompression(mediaType: string): 'gzip' | 'zstd' | 'none' {
  switch (mediaType) {
    case MEDIA.ociLayerZstd:
    case 'application/vnd.oci.image.layer.nondistributable.v1.tar+zstd':
      return 'zstd';
    case MEDIA.dockerLayer:
    case MEDIA.ociLayerGzip:
    case MEDIA.dockerForeignLayer:
    case 'application/vnd.oci.image.layer.nondistributable.v1.tar+gzip':
      return 'gzip';
    case MEDIA.ociLayer:
    case 'application/vnd.docker.image.rootfs.diff.tar':
    case 'application/vnd.oci.image.layer.nondistributable.v1.tar':
    case '':
      return 'none';
    default:
      throw invalid(`unsupported media type ${mediaType}`);
  }
}

/** A pull's `platform`: containerd's parse (util/platform, as the routes check it); empty → this host. */
export function parsePlatform(s: string | undefined): Platform {
  if (!s) return { os: 'linux', architecture: goArch(), ...(goArch() === 'arm64' ? { variant: 'v8' } : {}) };
  const { os, architecture, variant } = parseOciPlatform(s);
  return { os, architecture, ...(variant ? { variant } : {}) };
}

/** Pick the manifest for `want` from a list (exact variant first, then any variant of the arch). */
export function selectPlatform(manifests: Descriptor[], want: Platform): Descriptor {
  const cands = manifests.filter(
    (d) => d.platform && d.platform.os === want.os && d.platform.architecture === want.architecture,
  );
  const variantOk = (d: Descriptor) => !want.variant || !d.platform?.variant || d.platform.variant === want.variant;
  const hit = cands.find((d) => d.platform?.variant === want.variant) ?? cands.find(variantOk);
  if (!hit) throw notFound(`no matching manifest for ${formatPlatform(want)} in the manifest list entries`);
  return hit;
}
