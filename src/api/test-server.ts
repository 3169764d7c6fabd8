// For in-process API tests: an ApiServer over the given routes on a temporary socket, and a
// raw HTTP call that returns status, headers and body (fakes stand in for the engine).
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Route } from './router.js';
import { ApiServer } from './server.js';

export interface TestReply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  /** The body as JSON (null when empty). */
  json: unknown;
}

export interface TestServer {
  call(
    method: string,
    p: string,
    body?: string | Buffer | object,
    headers?: http.OutgoingHttpHeaders,
  ): Promise<TestReply>;
  close(): void;
}

export async function testServer(routes: Route[], o: { experimental?: boolean } = {}): Promise<TestServer> {
  const dir = mkdtempSync(path.join(tmpdir(), 'berth-api-'));
  const sock = path.join(dir, 'api.sock');
  const server = new ApiServer({ routes, version: 'test', experimental: o.experimental });
  await server.listen(sock);
  const call = (method: string, p: string, body?: string | Buffer | object, headers: http.OutgoingHttpHeaders = {}) =>
    new Promise<TestReply>((resolve, reject) => {
      const raw = body === undefined || typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body);
      const type = Buffer.isBuffer(body) ? 'application/x-tar' : 'application/json';
      const req = http.request(
        { socketPath: sock, method, path: p, headers: { 'Content-Type': type, ...headers } },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const b = Buffer.concat(chunks);
            const text = b.toString();
            let json: unknown = null;
            try {
              json = text ? JSON.parse(text) : null;
            } catch {
              json = null; // not JSON (a tar, or JSON lines)
            }
            resolve({ status: res.statusCode ?? 0, headers: res.headers, body: b, json });
          });
        },
      );
      req.on('upgrade', () => reject(new Error(`${method} ${p}: the server switched protocols`)));
      req.on('error', reject);
      req.end(raw);
    });
  return {
    call,
    close: () => {
      server.http.close();
      server.http.closeAllConnections?.();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A fake network call for route tests: records each URL and answers `answer(url)`, throwing it when an Error. */
export class FakeFetch<T> {
  readonly calls: string[] = [];
  constructor(public answer: (url: string) => T | Error) {}
  readonly fetch = async (url: string): Promise<T> => {
    this.calls.push(url);
    const a = this.answer(url);
    if (a instanceof Error) throw a;
    return a;
  };
}
