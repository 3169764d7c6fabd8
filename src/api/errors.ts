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

export function statusOf(e: unknown): number {
  if (e instanceof EngineError) return status[e.kind];
  return 500;
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
