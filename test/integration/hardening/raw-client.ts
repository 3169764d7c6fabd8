// Raw HTTP/1.1 over the daemon's unix socket for the hardening tests: send a request, read a
// chosen number of response bytes, then drop the connection in a chosen way. http.request hides
// the socket; these tests need to abandon it at exact points, mid-frame and mid-header.
import net from 'node:net';

/** Deterministic PRNG (mulberry32) so a failing iteration can be replayed from its seed. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * How the client leaves: `destroy` closes with unread data queued (the daemon then reads
 * ECONNRESET and writes EPIPE), `half-close` ends its side and then destroys, `drain-stop`
 * stops reading (the daemon's writes back up) and destroys after a moment.
 */
export type DropMode = 'destroy' | 'half-close' | 'drain-stop';
export const DROP_MODES: readonly DropMode[] = ['destroy', 'half-close', 'drain-stop'];

export interface RawRequest {
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** Ask for a protocol upgrade (what the docker CLI does for attach and exec start). */
  upgrade?: boolean;
  /** Written (as stdin) once the answer starts, for hijacked endpoints. */
  stdin?: Buffer;
  /** Send only this many bytes of the request (a body cut short by a client that leaves). */
  truncateAt?: number;
}

export interface DropResult {
  /** Response bytes received before the drop. */
  received: number;
  /** The first response line, if it arrived. */
  statusLine: string;
}

function requestText(r: RawRequest): Buffer {
  const h: Record<string, string> = { Host: 'berth', 'User-Agent': 'berth-hardening-test', ...r.headers };
  if (r.upgrade) {
    h.Connection = 'Upgrade';
    h.Upgrade = 'tcp';
  }
  if (r.body !== undefined) {
    h['Content-Type'] ??= 'application/json';
    h['Content-Length'] = String(Buffer.byteLength(r.body));
  }
  let s = `${r.method} ${r.path} HTTP/1.1\r\n`;
  for (const [k, v] of Object.entries(h)) s += `${k}: ${v}\r\n`;
  return Buffer.concat([Buffer.from(s + '\r\n'), Buffer.from(r.body ?? '')]);
}

/**
 * Sends `req`, waits for `dropAfter` response bytes (0: drop right after sending, before any
 * answer), then drops the connection per `mode`. `maxWaitMs` bounds the wait for bytes that may
 * never come (an idle events stream); the drop then happens anyway.
 */
export function sendAndDrop(
  socketPath: string,
  req: RawRequest,
  dropAfter: number,
  mode: DropMode,
  maxWaitMs = 3000,
): Promise<DropResult> {
  return new Promise((resolve) => {
    const sock = net.connect(socketPath);
    let received = 0;
    let head = '';
    let done = false;
    const timer = setTimeout(() => drop(), maxWaitMs);
    const finish = () => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      resolve({ received, statusLine: head.split('\r\n')[0] ?? '' });
    };
    sock.on('error', () => finish());
    sock.on('close', () => finish());
    const drop = () => {
      if (done || sock.destroyed) return finish();
      clearTimeout(timer);
      if (mode === 'destroy') {
        sock.pause(); // leave what arrives unread, so the daemon's side sees a reset
        sock.destroy();
      } else if (mode === 'half-close') {
        sock.end();
        setTimeout(() => sock.destroy(), 50);
      } else {
        sock.pause();
        setTimeout(() => sock.destroy(), 100);
      }
      finish();
    };
    sock.on('connect', () => {
      const all = requestText(req);
      sock.write(req.truncateAt === undefined ? all : all.subarray(0, req.truncateAt));
      if (dropAfter <= 0) drop();
    });
    sock.on('data', (c: Buffer) => {
      if (req.stdin && received === 0) sock.write(req.stdin);
      if (head.length < 200) head += c.subarray(0, 200).toString('latin1');
      received += c.length;
      if (received >= dropAfter) drop();
    });
  });
}

/** A complete JSON request/response (for setup calls such as exec create). */
export function requestJson<T>(
  socketPath: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; json: T }> {
  return new Promise((resolve, reject) => {
    const sock = net.connect(socketPath);
    const chunks: Buffer[] = [];
    sock.on('error', reject);
    sock.on('connect', () =>
      sock.write(
        requestText({
          method,
          path,
          body: body === undefined ? undefined : JSON.stringify(body),
          headers: { Connection: 'close' },
        }),
      ),
    );
    sock.on('data', (c: Buffer) => chunks.push(c));
    sock.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const [headPart, ...rest] = text.split('\r\n\r\n');
      const status = Number(/^HTTP\/1\.1 (\d+)/.exec(headPart ?? '')?.[1] ?? 0);
      let payload = rest.join('\r\n\r\n');
      if (/transfer-encoding: chunked/i.test(headPart ?? '')) payload = dechunk(payload);
      try {
        resolve({ status, json: (payload.trim() ? JSON.parse(payload) : null) as T });
      } catch (e) {
        reject(new Error(`${method} ${path}: bad JSON answer (${status}): ${payload.slice(0, 200)}`, { cause: e }));
      }
      sock.destroy();
    });
  });
}

function dechunk(s: string): string {
  let out = '';
  let i = 0;
  while (i < s.length) {
    const nl = s.indexOf('\r\n', i);
    if (nl < 0) break;
    const n = parseInt(s.slice(i, nl), 16);
    if (!n) break;
    out += s.slice(nl + 2, nl + 2 + n);
    i = nl + 2 + n + 2;
  }
  return out;
}

export interface OpenStream {
  /** Response bytes so far. */
  received(): number;
  /** Resolves when the daemon ends or closes the connection. */
  ended: Promise<void>;
  isEnded(): boolean;
  destroy(): void;
}

/** Sends `req` and keeps reading (discarding) the answer until the daemon ends it. */
export function openStream(socketPath: string, req: RawRequest): OpenStream {
  const sock = net.connect(socketPath);
  let n = 0;
  let done = false;
  const ended = new Promise<void>((resolve) => {
    sock.on('close', () => resolve());
    sock.on('end', () => {
      sock.end();
      resolve();
    });
  }).then(() => void (done = true));
  sock.on('error', () => {});
  // Connection: close, so the end of the answer is the end of the connection
  sock.on('connect', () =>
    sock.write(requestText(req.upgrade ? req : { ...req, headers: { Connection: 'close', ...req.headers } })),
  );
  sock.on('data', (c: Buffer) => (n += c.length));
  return { received: () => n, ended, isEnded: () => done, destroy: () => sock.destroy() };
}
