// The one error catalogue. Thrown anywhere; only api/errors.ts maps a kind to an HTTP status.
export type Kind =
  | 'invalid'
  | 'not-found'
  | 'conflict'
  | 'not-modified'
  | 'unauthorized'
  | 'forbidden'
  | 'unavailable'
  | 'not-implemented'
  | 'too-large'
  | 'internal';

export class EngineError extends Error {
  constructor(
    readonly kind: Kind,
    message: string,
    o?: { cause?: unknown },
  ) {
    super(message, o);
    this.name = 'EngineError';
  }
}

export const invalid = (msg: string, cause?: unknown) => new EngineError('invalid', msg, { cause });
export const notFound = (msg: string, cause?: unknown) => new EngineError('not-found', msg, { cause });
export const conflict = (msg: string, cause?: unknown) => new EngineError('conflict', msg, { cause });
export const notModified = (msg = '') => new EngineError('not-modified', msg);
export const unavailable = (msg: string, cause?: unknown) => new EngineError('unavailable', msg, { cause });
export const notImplemented = (msg: string) => new EngineError('not-implemented', msg);
export const internal = (msg: string, cause?: unknown) => new EngineError('internal', msg, { cause });

export function isKind(e: unknown, kind: Kind): e is EngineError {
  return e instanceof EngineError && e.kind === kind;
}

/** Docker's texts, in one place, because clients match on them. */
export const msg = {
  noSuchContainer: (ref: string) => `No such container: ${ref}`,
  noSuchImage: (ref: string) => `No such image: ${ref}`,
  noSuchExec: (id: string) => `No such exec instance: ${id}`,
  nameInUse: (name: string, id: string) =>
    `Conflict. The container name "/${name}" is already in use by container "${id}". You have to remove (or rename) that container to be able to reuse that name.`,
  notRunning: (id: string) => `Container ${id} is not running`,
  isPaused: (id: string) => `Container ${id} is paused, unpause the container before exec`,
  notPaused: (id: string) => `Container ${id} is not paused`,
  removeRunning: (id: string) =>
    `You cannot remove a running container ${id}. Stop the container before attempting removal or force remove`,
} as const;
