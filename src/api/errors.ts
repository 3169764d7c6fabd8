// The single error → HTTP status map (moby's httpstatus.FromError, one place).
import { EngineError, type Kind } from '../errdefs.js';

const status: Record<Kind, number> = {
  invalid: 400,
  'not-found': 404,
  conflict: 409,
  'not-modified': 304,
  unauthorized: 401,
  forbidden: 403,
  unavailable: 503,
  'not-implemented': 501,
  'too-large': 413,
  internal: 500,
};

/**
 * The kind of the first EngineError along e's `cause` chain, like moby's errdefs walking
 * Unwrap(): a plain Error that wraps a not-found is a 404. The outermost kind wins (an
 * 'internal' around a 'not-found' stays 500). null when no link of the chain has a kind.
 */
export function kindOf(e: unknown): Kind | null {
  const seen = new Set<unknown>(); // a cause cycle must not hang the error path
  for (let cur = e; cur instanceof Error && !seen.has(cur); cur = cur.cause) {
    if (cur instanceof EngineError) return cur.kind;
    seen.add(cur);
  }
  return null;
}

export function statusOf(e: unknown): number {
  const k = kindOf(e);
  return k ? status[k] : 500;
}

export function messageOf(e: unknown): string {
  if (e instanceof Error) return e.message;
  return String(e);
}

/** The in-band error line for streams whose headers were already sent (pull, push, build, import). */
export function streamError(e: unknown): string {
  const m = messageOf(e);
  return JSON.stringify({ errorDetail: { message: m }, error: m }) + '\n';
}
