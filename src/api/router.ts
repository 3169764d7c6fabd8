// Route table types shared by api/server.ts and api/routes/*.ts. Only api/ knows HTTP.
import type { IncomingHttpHeaders } from 'node:http';
import type { Duplex, Readable, Writable } from 'node:stream';
import { filterValues } from './filters.js';

export interface Reply {
  /** Write a JSON body with the given status. */
  json(status: number, value: unknown): void;
  /** 204 No Content (or another empty status). */
  empty(status?: number): void;
  /** A plain text body (e.g. /_ping's "OK"). */
  text(status: number, body: string, contentType?: string): void;
  /** Start a streamed (chunked) response: progress JSON lines, tar archives, log frames. */
  stream(status: number, contentType: string, headers?: Record<string, string>): Writable;
  /**
   * Take over the connection for attach/exec: answers `101 UPGRADED` when the client asked for an
   * upgrade (docker CLI), else `200` with the content type, and hands back the raw duplex socket.
   */
  hijack(contentType: string): Duplex;
  /** Whether a response was already started (errors must then go in-band). */
  readonly started: boolean;
}

export interface Ctx {
  readonly method: string;
  readonly path: string; // without the /v1.NN prefix
  readonly params: Record<string, string>;
  readonly query: URLSearchParams;
  readonly headers: IncomingHttpHeaders;
  /** Negotiated API version, e.g. "1.47". */
  readonly apiVersion: string;
  /** The raw request body. */
  readonly body: Readable;
  /**
   * The request body parsed as JSON; undefined when empty. For endpoints with a schema (api/schema)
   * it was read, type-checked and normalised (Go's null and StrSlice rules) before the handler
   * ran. 400 on malformed, too deep or wrong-typed JSON; 413 above 10 MiB.
   */
  json<T = unknown>(): Promise<T | undefined>;
  /** Aborted when the client disconnects. */
  readonly signal: AbortSignal;
  readonly reply: Reply;
}

export type Handler = (ctx: Ctx) => Promise<void> | void;

export interface Route {
  method: 'GET' | 'HEAD' | 'POST' | 'PUT' | 'DELETE';
  /** Path pattern with `{name}` segments, e.g. `/containers/{id}/start`. `{name*}` matches the rest (image names with slashes). */
  path: string;
  handler: Handler;
}

/** Query helpers with Docker's boolean parsing ("1", "true", "True"). */
export function qbool(q: URLSearchParams, k: string, dflt = false): boolean {
  const v = q.get(k);
  if (v === null || v === '') return dflt;
  return !(v === '0' || v.toLowerCase() === 'false');
}
export function qint(q: URLSearchParams, k: string): number | undefined {
  const v = q.get(k);
  if (v === null || v === '') return undefined;
  const n = Number(v);
  return Number.isFinite(n) ? n : undefined;
}
/** Docker's `filters` query parameter: JSON map of name → list (or legacy name → {value: true}). */
export function qfilters(q: URLSearchParams): Map<string, string[]> {
  const raw = q.get('filters');
  const out = new Map<string, string[]>();
  if (!raw) return out;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return out; // caller validates via filters.ts when strictness is needed
  }
  if (parsed && typeof parsed === 'object') {
    for (const [k, v] of Object.entries(parsed as Record<string, unknown>)) {
      const vals = filterValues(v); // strings only: String() of a deep array overflows the stack
      if (vals) out.set(k, vals);
    }
  }
  return out;
}
