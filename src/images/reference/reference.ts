// Docker image references (distribution/reference, normalised like Docker's ParseNormalizedNamed).
// Internally names are full (`docker.io/library/busybox`); the familiar form strips
// `docker.io/` and `library/` for display.
import { invalid } from '../../errdefs.js';

export interface Reference {
  /** Registry host[:port], e.g. `docker.io`, `localhost:5000`. */
  domain: string;
  /** Repository path, e.g. `library/busybox`. */
  path: string;
  tag?: string;
  digest?: string;
}

export const DEFAULT_DOMAIN = 'docker.io';
const LEGACY_DOMAIN = 'index.docker.io';
const OFFICIAL_PREFIX = 'library/';
export const DEFAULT_TAG = 'latest';

const COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*$/;
const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const DOMAIN = new RegExp(`^(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[[a-fA-F0-9:]+\\])(?::[0-9]+)?$`);
const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/;
const HEX64 = /^[a-f0-9]{64}$/;

const bad = (detail?: string) => invalid(detail ? `invalid reference format: ${detail}` : 'invalid reference format');

function validateDigest(d: string): void {
  if (!DIGEST.test(d)) throw bad();
  const [alg, hex] = d.split(':');
  if (alg === 'sha256' && !HEX64.test(hex)) throw invalid('invalid checksum digest length');
}

/** Parse and normalise a reference; tag and digest stay as given (no default tag). */
export function parseReference(s: string): Reference {
  if (HEX64.test(s)) throw invalid(`invalid repository name (${s}), cannot specify 64-byte hexadecimal strings`);
  if (s === '') throw bad();
  let rest = s;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    validateDigest(digest);
  }
  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG.test(tag)) throw bad();
  }
  let domain = DEFAULT_DOMAIN;
  let path = rest;
  const slash = rest.indexOf('/');
  const first = slash >= 0 ? rest.slice(0, slash) : '';
  if (slash >= 0 && (/[.:]/.test(first) || first === 'localhost' || first.toLowerCase() !== first)) {
    domain = first;
    path = rest.slice(slash + 1);
    if (!DOMAIN.test(domain)) throw bad();
  }
  if (domain === LEGACY_DOMAIN) domain = DEFAULT_DOMAIN;
  if (domain === DEFAULT_DOMAIN && !path.includes('/')) path = OFFICIAL_PREFIX + path;
  if (path === '' || path.split('/').some((c) => c === '')) throw bad();
  if (path !== path.toLowerCase()) {
    if (
      path
        .toLowerCase()
        .split('/')
        .every((c) => COMPONENT.test(c))
    )
      throw bad(`repository name (${path}) must be lowercase`);
    throw bad();
  }
  if (!path.split('/').every((c) => COMPONENT.test(c))) throw bad();
  if (domain.length + 1 + path.length > 255) throw invalid('repository name must not be more than 255 characters');
  const r: Reference = { domain, path };
  if (tag !== undefined) r.tag = tag;
  if (digest !== undefined) r.digest = digest;
  return r;
}

/** Add `:latest` when there is neither tag nor digest (like Docker's TagNameOnly). */
export function withDefaultTag(r: Reference): Reference {
  return r.tag === undefined && r.digest === undefined ? { ...r, tag: DEFAULT_TAG } : r;
}

/** `docker.io/library/busybox` */
export function fullName(r: Reference): string {
  return `${r.domain}/${r.path}`;
}

/** `busybox`, `me/bb`, `localhost:5000/me/bb` */
export function familiarName(r: Reference): string {
  if (r.domain !== DEFAULT_DOMAIN) return fullName(r);
  return r.path.startsWith(OFFICIAL_PREFIX) && r.path.split('/').length === 2
    ? r.path.slice(OFFICIAL_PREFIX.length)
    : r.path;
}

function suffix(r: Reference): string {
  return (r.tag !== undefined ? `:${r.tag}` : '') + (r.digest !== undefined ? `@${r.digest}` : '');
}

/** Full string, e.g. `docker.io/library/busybox:latest` (the store's key). */
export function referenceString(r: Reference): string {
  return fullName(r) + suffix(r);
}

/** Familiar string, e.g. `busybox:latest`. */
export function familiarString(r: Reference): string {
  return familiarName(r) + suffix(r);
}

/** Parse a familiar or full reference string into the normalised full string with default tag. */
export function normalize(s: string): string {
  return referenceString(withDefaultTag(parseReference(s)));
}

/** Validate a tag (for `docker tag` and `import`'s tag parameter). */
export function validateTag(tag: string): void {
  if (!TAG.test(tag)) throw invalid('invalid tag format');
}
