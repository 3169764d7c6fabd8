// Manifest media types the registry accepts and what a manifest references (for integrity
// checks, garbage collection and the referrers API).
import { regErr } from './errors.js';
import { checkDigest } from './names.js';

export const MT = {
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
} as const;

const MANIFEST_TYPES = new Set<string>([MT.dockerManifest, MT.ociManifest]);
const INDEX_TYPES = new Set<string>([MT.dockerList, MT.ociIndex]);

export function isManifestType(t: string): boolean {
  return MANIFEST_TYPES.has(t) || INDEX_TYPES.has(t);
}

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  urls?: string[];
  artifactType?: string;
  annotations?: Record<string, string>;
}

export interface ParsedManifest {
  mediaType: string;
  isIndex: boolean;
  /** Blobs that must exist in the repository: config and layers (foreign layers excluded). */
  blobs: Descriptor[];
  /** Manifests an index points to. */
  manifests: Descriptor[];
  subject?: Descriptor;
  /** For the referrers API: artifactType, else the config's media type. */
  artifactType?: string;
  annotations?: Record<string, string>;
}

function invalidManifest(reason: string): Error {
  return regErr('MANIFEST_INVALID', { reason }, { message: 'manifest invalid' });
}

function descriptor(v: unknown, where: string): Descriptor {
  if (!v || typeof v !== 'object') throw invalidManifest(`${where}: not a descriptor`);
  const o = v as Record<string, unknown>;
  if (typeof o.mediaType !== 'string') throw invalidManifest(`${where}: mediaType missing`);
  if (typeof o.digest !== 'string') throw invalidManifest(`${where}: digest missing`);
  if (typeof o.size !== 'number' || !Number.isInteger(o.size) || o.size < 0)
    throw invalidManifest(`${where}: invalid size`);
  try {
    checkDigest(o.digest);
  } catch {
    throw invalidManifest(`${where}: invalid digest ${o.digest}`);
  }
  return o as unknown as Descriptor;
}

/** Foreign (non-distributable) layers live elsewhere; the registry does not hold them. */
function isForeign(d: Descriptor): boolean {
  return (d.urls?.length ?? 0) > 0 || d.mediaType.includes('foreign') || d.mediaType.includes('nondistributable');
}

/**
 * Parse a manifest body. `contentType` is the request's Content-Type: when it names a manifest
 * type it wins, and a differing `mediaType` field in the body is refused (the spec's rule).
 */
export function parseManifest(body: Buffer, contentType: string | undefined): ParsedManifest {
  let doc: unknown;
  try {
    doc = JSON.parse(body.toString('utf8'));
  } catch {
    throw invalidManifest('not valid JSON');
  }
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) throw invalidManifest('not a JSON object');
  const m = doc as Record<string, unknown>;
  const ct = contentType?.split(';')[0].trim().toLowerCase();
  const field = typeof m.mediaType === 'string' ? m.mediaType : undefined;
  let mediaType: string | undefined;
  if (ct && isManifestType(ct)) {
    if (field !== undefined && field !== ct)
      throw invalidManifest(`mediaType ${field} does not match Content-Type ${ct}`);
    mediaType = ct;
  } else if (ct && ct !== 'application/octet-stream' && ct !== 'application/json') {
    throw invalidManifest(`unsupported manifest media type ${ct}`);
  } else {
    mediaType = field;
    // OCI manifests may omit mediaType; recognise them by shape.
    if (mediaType === undefined && m.schemaVersion === 2)
      mediaType = Array.isArray(m.manifests) ? MT.ociIndex : MT.ociManifest;
  }
  if (!mediaType || !isManifestType(mediaType))
    throw invalidManifest(`unsupported manifest media type ${mediaType ?? '(none)'}`);
  if (m.schemaVersion !== 2) throw invalidManifest('schemaVersion must be 2');
  const out: ParsedManifest = { mediaType, isIndex: INDEX_TYPES.has(mediaType), blobs: [], manifests: [] };
  if (out.isIndex) {
    if (!Array.isArray(m.manifests)) throw invalidManifest('manifests missing');
    out.manifests = m.manifests.map((d, i) => descriptor(d, `manifests[${i}]`));
  } else {
    const config = descriptor(m.config, 'config');
    if (!Array.isArray(m.layers)) throw invalidManifest('layers missing');
    const layers = m.layers.map((d, i) => descriptor(d, `layers[${i}]`));
    out.blobs = [config, ...layers.filter((l) => !isForeign(l))];
    out.artifactType = typeof m.artifactType === 'string' ? m.artifactType : config.mediaType;
  }
  if (out.isIndex && typeof m.artifactType === 'string') out.artifactType = m.artifactType;
  if (m.subject !== undefined) out.subject = descriptor(m.subject, 'subject');
  if (m.annotations && typeof m.annotations === 'object') out.annotations = m.annotations as Record<string, string>;
  return out;
}
