// The Engine API through the dashboard's /api proxy (same origin: the login cookie goes along).

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** Set by the app: called when the server says the login is missing or expired. */
export const onUnauthorized: { fn: () => void } = { fn: () => {} };

async function fail(r: Response): Promise<never> {
  if (r.status === 401) onUnauthorized.fn();
  let msg = `${r.status} ${r.statusText}`;
  try {
    msg = ((await r.json()) as { message?: string }).message ?? msg;
  } catch {
    /* not JSON */
  }
  throw new ApiError(r.status, msg);
}

export async function api<T>(path: string, init?: RequestInit & { json?: unknown }): Promise<T> {
  const { json, ...rest } = init ?? {};
  const r = await fetch(`/api${path}`, {
    ...rest,
    ...(json !== undefined ? { body: JSON.stringify(json), headers: { 'Content-Type': 'application/json' } } : {}),
  });
  if (!r.ok) return fail(r);
  const text = await r.text();
  return (text ? JSON.parse(text) : null) as T;
}

/** Reads a streaming answer chunk by chunk until it ends or `signal` aborts; resolves with the Content-Type seen. */
export async function stream(path: string, onChunk: (c: Uint8Array) => void, signal: AbortSignal): Promise<void> {
  const r = await fetch(`/api${path}`, { signal });
  if (!r.ok) return fail(r);
  const reader = r.body!.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return;
    if (value) onChunk(value);
  }
}

export const errorText = (e: unknown) => (e instanceof Error ? e.message : String(e));
