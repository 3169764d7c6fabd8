// Request bodies at the edge: bounded size, moby's Content-Type rule, bounded JSON depth, and the
// endpoint's schema, all before any handler logic runs. Streamed uploads (build, load, import,
// archive PUT) never come through here: their handlers read ctx.body as a stream.
import type { IncomingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';
import { EngineError, invalid } from '../errdefs.js';
import { checkBody, schemaFor } from './schema/body-schema.js';

/** A JSON body above this is refused with 413 (Docker's largest real bodies are a few KiB). */
export const JSON_BODY_LIMIT = 10 * 1024 * 1024;
/** Nesting deeper than this is refused with 400 before parsing (V8's parser would overflow its stack). */
export const JSON_DEPTH_LIMIT = 200;

/** Go's http.MaxBytesReader text, as a 413. */
export const tooLarge = () => new EngineError('too-large', 'http: request body too large');

/**
 * Reads at most `limit` bytes; stops reading (pauses, without destroying the request, whose
 * socket must still carry the 413) and throws as soon as the body is longer.
 */
export function readBounded(body: Readable, headers: IncomingHttpHeaders, limit = JSON_BODY_LIMIT): Promise<Buffer> {
  const declared = Number(headers['content-length'] ?? NaN);
  if (declared > limit) {
    body.pause();
    return Promise.reject(tooLarge());
  }
  if (body.readableEnded || body.destroyed) return Promise.resolve(Buffer.alloc(0));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const settle = (e: Error | null) => {
      if (settled) return;
      settled = true;
      body.off('data', onData);
      body.off('end', onEnd);
      body.off('error', onError);
      body.off('close', onClose);
      if (e) reject(e);
      else resolve(Buffer.concat(chunks));
    };
    const onData = (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        body.pause();
        settle(tooLarge());
        return;
      }
      chunks.push(c);
    };
    const onEnd = () => settle(null);
    const onError = (e: Error) => settle(e);
    const onClose = () => settle(new Error('client closed the connection before sending the whole body'));
    body.on('data', onData);
    body.once('end', onEnd);
    body.once('error', onError);
    body.once('close', onClose);
  });
}

/** moby's httputils.CheckForJSON: no Content-Type is fine only without a body. */
export function checkForJson(headers: IncomingHttpHeaders, bodyLength: number): void {
  const ct = headers['content-type'] ?? '';
  if (ct === '' && bodyLength === 0) return;
  const m = /^\s*([^;\s]+)\s*(;.*)?$/.exec(ct);
  if (!m || !/^[!#$%&'*+.^_`|~0-9A-Za-z-]+\/[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(m[1]!))
    throw invalid(`malformed Content-Type header (${ct}): mime: no media type`);
  if (m[1]!.toLowerCase() !== 'application/json')
    throw invalid(`unsupported Content-Type header (${ct}): must be 'application/json'`);
}

/** True when arrays/objects nest deeper than `max` (strings skipped; the text need not be valid JSON). */
export function jsonTooDeep(s: string, max = JSON_DEPTH_LIMIT): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped char
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > max) return true;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return false;
}

/** Parses a body text; undefined when empty (moby accepts an empty body where it reads JSON). */
export function parseJson(text: string): unknown {
  const s = text.trim();
  if (s === '') return undefined;
  if (jsonTooDeep(s)) throw invalid(`invalid JSON: exceeded max depth ${JSON_DEPTH_LIMIT}`);
  try {
    return JSON.parse(s) as unknown;
  } catch (e) {
    throw invalid(`invalid JSON: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/** Endpoints where moby calls CheckForJSON before decoding (POST /auth decodes without it). */
const CONTENT_TYPE_CHECKED = new Set([
  'POST /containers/create',
  'POST /containers/{id}/update',
  'POST /containers/{id}/exec',
  'POST /exec/{id}/start',
  'POST /commit',
  'POST /volumes/create',
  'POST /networks/create',
  'POST /networks/{id}/connect',
  'POST /networks/{id}/disconnect',
]);

/**
 * One request's JSON body. `load(endpoint)` reads, checks and caches it before the handler runs
 * when the endpoint has a schema; `json()` hands the cached value (or reads, bounded, on demand
 * for endpoints without one).
 */
export class JsonBody {
  private loaded = false;
  private value: unknown;
  constructor(
    private readonly body: Readable,
    private readonly headers: IncomingHttpHeaders,
  ) {}

  /** `endpoint` is `METHOD /route/{pattern}` of the matched route. */
  async load(endpoint: string): Promise<void> {
    if (!schemaFor(endpoint)) return;
    const buf = await readBounded(this.body, this.headers);
    if (CONTENT_TYPE_CHECKED.has(endpoint)) checkForJson(this.headers, buf.length);
    this.value = checkBody(endpoint, parseJson(buf.toString('utf8')));
    this.loaded = true;
  }

  async json<T>(): Promise<T | undefined> {
    if (!this.loaded) {
      this.value = parseJson((await readBounded(this.body, this.headers)).toString('utf8'));
      this.loaded = true;
    }
    return this.value as T | undefined;
  }
}
