// The distribution spec's error codes with Distribution's exact messages and statuses, and the
// error thrown by handlers; server.ts turns it into {"errors":[{code,message,detail}]}.

export const codes = {
  BLOB_UNKNOWN: [404, 'blob unknown to registry'],
  BLOB_UPLOAD_INVALID: [400, 'blob upload invalid'],
  BLOB_UPLOAD_UNKNOWN: [404, 'blob upload unknown to registry'],
  DIGEST_INVALID: [400, 'provided digest did not match uploaded content'],
  MANIFEST_BLOB_UNKNOWN: [400, 'blob unknown to registry'],
  MANIFEST_INVALID: [400, 'manifest invalid'],
  MANIFEST_UNKNOWN: [404, 'manifest unknown'],
  NAME_INVALID: [400, 'invalid repository name'],
  NAME_UNKNOWN: [404, 'repository name not known to registry'],
  PAGINATION_NUMBER_INVALID: [400, 'invalid number of results requested'],
  RANGE_INVALID: [416, 'invalid content range'],
  SIZE_INVALID: [400, 'provided length did not match content length'],
  TAG_INVALID: [400, 'manifest tag did not match URI'],
  UNAUTHORIZED: [401, 'authentication required'],
  DENIED: [403, 'requested access to the resource is denied'],
  UNSUPPORTED: [405, 'The operation is unsupported.'],
  TOOMANYREQUESTS: [429, 'too many requests'],
  UNKNOWN: [500, 'unknown error'],
} as const satisfies Record<string, readonly [number, string]>;

export type ErrorCode = keyof typeof codes;

export class RegistryError extends Error {
  readonly status: number;
  /** Extra response headers (WWW-Authenticate challenges). */
  headers: Record<string, string> = {};
  constructor(
    readonly code: ErrorCode,
    readonly detail: unknown = {},
    o: { status?: number; message?: string } = {},
  ) {
    super(o.message ?? codes[code][1]);
    this.name = 'RegistryError';
    this.status = o.status ?? codes[code][0];
  }

  toJSON(): { errors: { code: string; message: string; detail: unknown }[] } {
    return { errors: [{ code: this.code, message: this.message, detail: this.detail }] };
  }
}

export const regErr = (code: ErrorCode, detail: unknown = {}, o?: { status?: number; message?: string }) =>
  new RegistryError(code, detail, o);
