// GET /distribution/{name}/json as moby's getDistributionInfo answers it: the manifest's descriptor
// (a HEAD by tag, then the manifest by digest) and its platforms (a list's entries, or a schema2
// image's config blob). Registry failures keep distribution's client texts and the HTTP status moby
// derives from their error code (MANIFEST_UNKNOWN 404, UNAUTHORIZED 401, DENIED 403, ...).
import type { IncomingMessage } from 'node:http';
import { EngineError, internal, invalid } from '../../errdefs.js';
import { sha256Digest } from '../../storage/content/store.js';
import { familiarName, parseReference, type Reference } from '../reference/reference.js';
import { parseChallenges, type AuthConfig } from './auth.js';
import { MEDIA, readBody } from './registry.js';
import type { Repository } from './repository.js';

/** ocispec.Descriptor as moby fills it here. */
export interface InspectDescriptor {
  mediaType: string;
  digest: string;
  size: number;
}

/** ocispec.Platform, in its JSON key order. */
export interface InspectPlatform {
  architecture: string;
  os: string;
  'os.version'?: string;
  'os.features'?: string[];
  variant?: string;
}

/** registry.DistributionInspect: Platforms is null when none was found (Go's nil slice). */
export interface DistributionInspect {
  Descriptor: InspectDescriptor;
  Platforms: InspectPlatform[] | null;
}

/** An error with the HTTP status moby gives it when that status has no errdefs kind (405, 429). */
export class RegistryCodeError extends EngineError {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(KIND_OF_STATUS[status] ?? 'internal', message);
  }
}

const KIND_OF_STATUS: Record<number, EngineError['kind']> = {
  400: 'invalid',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not-found',
  503: 'unavailable',
};

/** distribution's errcode registry: value → [default message, HTTP status]. */
const CODES: Record<string, [string, number]> = {
  UNKNOWN: ['unknown error', 500],
  UNSUPPORTED: ['The operation is unsupported.', 405],
  UNAUTHORIZED: ['authentication required', 401],
  DENIED: ['requested access to the resource is denied', 403],
  UNAVAILABLE: ['service unavailable', 503],
  TOOMANYREQUESTS: ['too many requests', 429],
  DIGEST_INVALID: ['provided digest did not match uploaded content', 400],
  SIZE_INVALID: ['provided length did not match content length', 400],
  NAME_INVALID: ['invalid repository name', 400],
  TAG_INVALID: ['manifest tag did not match URI', 400],
  NAME_UNKNOWN: ['repository name not known to registry', 404],
  MANIFEST_UNKNOWN: ['manifest unknown', 404],
  MANIFEST_INVALID: ['manifest invalid', 400],
  MANIFEST_UNVERIFIED: ['manifest failed signature verification', 400],
  MANIFEST_BLOB_UNKNOWN: ['blob unknown to registry', 400],
  BLOB_UNKNOWN: ['blob unknown to registry', 404],
  BLOB_UPLOAD_UNKNOWN: ['blob upload unknown to registry', 404],
  BLOB_UPLOAD_INVALID: ['blob upload invalid', 404],
  PAGINATION_NUMBER_INVALID: ['invalid number of results requested', 400],
};

interface CodedError {
  code: string;
  message: string;
}

const coded = (code: string, message?: string): CodedError => {
  const c = CODES[code] ? code : 'UNKNOWN';
  return { code: c, message: message || CODES[c][0] };
};

/** errcode.Errors' text and the status of its first error (statusCodeFromDistributionError). */
function errcodeError(list: CodedError[]): RegistryCodeError {
  const one = (e: CodedError) => `${e.code.toLowerCase().replace(/_/g, ' ')}: ${e.message}`;
  const text = list.length === 1 ? one(list[0]) : `errors:\n${list.map((e) => `${one(e)}\n`).join('')}`;
  return new RegistryCodeError(CODES[list[0].code][1], text);
}

/** client.makeError: a body that is not distribution's JSON, by status. */
function makeError(status: number, details: string): CodedError {
  const code =
    status === 401 ? 'UNAUTHORIZED' : status === 403 ? 'DENIED' : status === 429 ? 'TOOMANYREQUESTS' : 'UNKNOWN';
  return coded(code, details);
}

/** client.parseHTTPErrorResponse: coded errors, or an "error parsing" text (500). */
function parseErrorBody(status: number, contentType: string, body: Buffer): CodedError[] | Error {
  const text = body.toString('utf8');
  const ct = contentType.split(';')[0].trim().toLowerCase();
  if (ct !== 'application/json' && ct !== 'application/vnd.api+json') return [makeError(status, text)];
  const unexpected = (why: string) =>
    internal(`error parsing HTTP ${status} response body: ${why}: ${JSON.stringify(text)}`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    return unexpected((e as Error).message);
  }
  const o = (parsed && typeof parsed === 'object' ? parsed : {}) as { details?: unknown; errors?: unknown };
  if (typeof o.details === 'string' && o.details) return [makeError(status, o.details)];
  const errs = Array.isArray(o.errors) ? o.errors : [];
  if (errs.length === 0) return unexpected('no error details found in HTTP response body');
  return errs.map((x) => {
    const e = (x && typeof x === 'object' ? x : {}) as { code?: unknown; message?: unknown };
    return coded(String(e.code ?? ''), typeof e.message === 'string' ? e.message : '');
  });
}

/** client.HandleErrorResponse: a bearer challenge's error first, then the body's errors. */
export async function handleErrorResponse(res: IncomingMessage): Promise<Error> {
  const status = res.statusCode ?? 0;
  const body = await readBody(res, 1 << 20).catch(() => Buffer.alloc(0));
  if (status < 400 || status >= 500)
    return internal(`received unexpected HTTP status: ${status} ${res.statusMessage ?? ''}`.trimEnd());
  const fromBody = parseErrorBody(status, String(res.headers['content-type'] ?? ''), body);
  for (const c of parseChallenges(res.headers['www-authenticate'])) {
    if (c.scheme !== 'bearer') continue;
    const code =
      c.params.error === 'invalid_token' ? 'UNAUTHORIZED' : c.params.error === 'insufficient_scope' ? 'DENIED' : '';
    if (!code) continue;
    const head = coded(code, c.params.error_description);
    return errcodeError([head, ...(Array.isArray(fromBody) ? fromBody : [coded('UNKNOWN', fromBody.message)])]);
  }
  if (!Array.isArray(fromBody)) return status === 401 ? errcodeError([coded('UNAUTHORIZED')]) : fromBody;
  return errcodeError(fromBody);
}

const ACCEPT = [MEDIA.dockerManifest, MEDIA.dockerList, MEDIA.ociManifest, MEDIA.ociIndex].join(', ');

/** Go's url.Error method prefix: `Head "…"`. */
const goMethod = (m: string) => m[0] + m.slice(1).toLowerCase();

/**
 * A manifest request through the repository's client. A registry that asks for basic auth when
 * no username and password were given fails before sending, as distribution's basic handler does.
 */
async function manifestRequest(repo: Repository, method: string, ref: string, auth?: AuthConfig) {
  const path = `${repo.path}/manifests/${ref}`;
  const res = await repo.client.request(method, path, {
    scope: `repository:${repo.path}:pull`,
    headers: { accept: ACCEPT },
  });
  if (res.statusCode === 401 && !(auth?.username && auth.password)) {
    const basic = parseChallenges(res.headers['www-authenticate']).some((c) => c.scheme === 'basic');
    if (basic) {
      res.resume();
      const url = `${await repo.client.endpoint()}/v2/${path}`;
      throw internal(`${goMethod(method)} "${url}": no basic auth credentials`);
    }
  }
  return res;
}

const ok = (s: number | undefined) => s !== undefined && s >= 200 && s < 400;

/** tags.Get: HEAD for the Docker-Content-Digest, else GET (servers without HEAD, and error details). */
async function tagDescriptor(repo: Repository, tag: string, auth?: AuthConfig): Promise<InspectDescriptor> {
  const head = await manifestRequest(repo, 'HEAD', tag, auth);
  head.resume();
  const digestHeader = String(head.headers['docker-content-digest'] ?? '');
  if (ok(head.statusCode) && digestHeader) return fromHeaders(head, null);
  const res = await manifestRequest(repo, 'GET', tag, auth);
  if (!ok(res.statusCode)) throw await handleErrorResponse(res);
  return fromHeaders(res, await readBody(res, 4 << 20));
}

/** descriptorFromResponse: Content-Type, Docker-Content-Digest (or the body's digest), Content-Length. */
function fromHeaders(res: IncomingMessage, body: Buffer | null): InspectDescriptor {
  const mediaType = String(res.headers['content-type'] ?? '');
  if (!mediaType) throw internal('missing or empty Content-Type header');
  const dh = String(res.headers['docker-content-digest'] ?? '');
  if (!dh && body) return { mediaType, digest: sha256Digest(body), size: body.length };
  if (!/^sha(256:[a-f0-9]{64}|384:[a-f0-9]{96}|512:[a-f0-9]{128})$/.test(dh))
    throw internal('invalid checksum digest format');
  const size = Number(res.headers['content-length'] ?? 0);
  return { mediaType, digest: dh, size: Number.isSafeInteger(size) ? size : 0 };
}

type Kind = 'schema2' | 'oci' | 'list';

/** distribution.UnmarshalManifest by Content-Type, with each schema's own checks: [kind, payload media type]. */
function unmarshal(contentType: string, m: Record<string, unknown>): [Kind, string] {
  const ct = contentType.split(';')[0].trim().toLowerCase();
  const mt = typeof m.mediaType === 'string' ? m.mediaType : '';
  switch (ct) {
    case MEDIA.dockerManifest:
      if (mt !== MEDIA.dockerManifest)
        throw internal(`mediaType in manifest should be '${MEDIA.dockerManifest}' not '${mt}'`);
      return ['schema2', mt];
    case MEDIA.ociManifest:
      if (m.manifests !== undefined && m.manifests !== null)
        throw internal('ocimanifest: expected manifest but found index');
      if (mt && mt !== MEDIA.ociManifest)
        throw internal(`if present, mediaType in manifest should be '${MEDIA.ociManifest}' not '${mt}'`);
      return ['oci', MEDIA.ociManifest];
    case MEDIA.dockerList:
      if (mt !== MEDIA.dockerList)
        throw internal(`mediaType in manifest list should be '${MEDIA.dockerList}' not '${mt}'`);
      return ['list', mt];
    case MEDIA.ociIndex:
      if ((m.config ?? null) !== null || (m.layers ?? null) !== null)
        throw internal('index: expected index but found manifest');
      if (mt && mt !== MEDIA.ociIndex)
        throw internal(`if present, mediaType in image index should be '${MEDIA.ociIndex}' not '${mt}'`);
      return ['list', mt || MEDIA.ociIndex];
    default:
      throw internal(`unsupported manifest media type and no default available: ${ct}`);
  }
}

const str = (v: unknown) => (typeof v === 'string' ? v : '');

/** An ocispec.Platform from a list entry's platform or an image config: empty fields left out as Go's omitempty. */
export function toPlatform(p: unknown): InspectPlatform {
  const o = (p && typeof p === 'object' ? p : {}) as Record<string, unknown>;
  const out: InspectPlatform = { architecture: str(o.architecture), os: str(o.os) };
  if (str(o['os.version'])) out['os.version'] = str(o['os.version']);
  const feats = Array.isArray(o['os.features']) ? o['os.features'].filter((f) => typeof f === 'string') : [];
  if (feats.length) out['os.features'] = feats;
  if (str(o.variant)) out.variant = str(o.variant);
  return out;
}

/** The platform in a schema2 image's config blob; none when it cannot be read (moby ignores that). */
async function configPlatform(repo: Repository, m: Record<string, unknown>): Promise<InspectPlatform | null> {
  const digest = str((m.config as Record<string, unknown> | undefined)?.digest);
  if (!digest) return null;
  try {
    const p = toPlatform(JSON.parse((await readBody(await repo.blob(digest), 8 << 20)).toString('utf8')));
    return p.os || p.architecture ? p : null;
  } catch {
    return null;
  }
}

/** fetchManifest: the descriptor of `ref` in `repo` and the platforms it is for. */
export async function inspectManifest(
  repo: Repository,
  ref: Reference,
  auth?: AuthConfig,
): Promise<DistributionInspect> {
  const desc: InspectDescriptor = ref.digest
    ? { mediaType: '', digest: ref.digest, size: 0 }
    : await tagDescriptor(repo, ref.tag ?? 'latest', auth);
  const res = await manifestRequest(repo, 'GET', desc.digest, auth);
  if (!ok(res.statusCode)) throw await handleErrorResponse(res);
  const payload = await readBody(res, 4 << 20);
  let m: Record<string, unknown>;
  try {
    const parsed = JSON.parse(payload.toString('utf8')) as unknown;
    m = (parsed && typeof parsed === 'object' ? parsed : {}) as Record<string, unknown>;
  } catch (e) {
    throw internal((e as Error).message);
  }
  const [kind, mediaType] = unmarshal(String(res.headers['content-type'] ?? ''), m);
  const out: DistributionInspect = {
    Descriptor: { mediaType, digest: desc.digest, size: desc.size || payload.length },
    Platforms: null,
  };
  if (kind === 'list') {
    const entries = Array.isArray(m.manifests) ? m.manifests : [];
    if (entries.length) out.Platforms = entries.map((e) => toPlatform((e as Record<string, unknown> | null)?.platform));
  } else if (kind === 'schema2') {
    // moby reads the config only of Docker schema2 images; OCI image manifests get no platforms
    const p = await configPlatform(repo, m);
    if (p) out.Platforms = [p];
  }
  return out;
}

const FULL_ID = /^(?:[a-f0-9]{64}|sha256:[a-f0-9]{64}|sha384:[a-f0-9]{96}|sha512:[a-f0-9]{128})$/;

/** The route's reference checks (reference.ParseAnyReference, validateRepoName): a tag defaulted to latest. */
export function inspectReference(name: string): Reference {
  if (FULL_ID.test(name)) throw internal('no manifest found for full image ID');
  const ref = parseReference(name);
  if (familiarName(ref) === 'scratch') throw invalid("'scratch' is a reserved name");
  return ref.digest || ref.tag ? ref : { ...ref, tag: 'latest' };
}
