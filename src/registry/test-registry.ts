// Test helper: a registry on a temp dir and a loopback port, and pushes through its API.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { type ClientRequest, request } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaults, type RegistryConfig } from './config.js';
import { startRegistry, type RunningRegistry } from './serve.js';

export const sha = (b: Buffer | string) => 'sha256:' + createHash('sha256').update(b).digest('hex');
export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
export const DOCKER_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json';

export interface Started {
  reg: RunningRegistry;
  base: string;
  root: string;
  stop(): Promise<void>;
}

export async function start(over: Partial<RegistryConfig> = {}): Promise<Started> {
  const root = mkdtempSync(join(tmpdir(), 'berth-reg-'));
  const reg = await startRegistry({ ...defaults, addr: '127.0.0.1:0', root, accessLog: false, ...over });
  return {
    reg,
    root,
    base: `http://${reg.address}`,
    stop: async () => {
      await reg.close();
      rmSync(root, { recursive: true, force: true });
    },
  };
}

/** A PATCH to an upload that declares `declared` body bytes and sends only `data`, left open. */
export function partialPatch(loc: URL, declared: number, data: string): ClientRequest {
  const req = request({
    host: loc.hostname,
    port: loc.port,
    path: loc.pathname,
    method: 'PATCH',
    headers: { 'Content-Length': declared },
  });
  req.write(data);
  return req;
}

export async function errCode(r: Response): Promise<string> {
  const j = (await r.json()) as { errors: { code: string }[] };
  return j.errors[0].code;
}

export async function pushBlob(base: string, repo: string, data: Buffer | string): Promise<string> {
  const d = sha(data);
  const r = await fetch(`${base}/v2/${repo}/blobs/uploads/?digest=${d}`, {
    method: 'POST',
    body: new Uint8Array(Buffer.from(data)),
  });
  assert.equal(r.status, 201);
  return d;
}

export function manifestOf(
  config: Buffer,
  layers: Buffer[],
  extra: Record<string, unknown> = {},
  mt = OCI_MANIFEST,
): Buffer {
  return Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: mt,
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha(config), size: config.length },
      layers: layers.map((l) => ({
        mediaType: 'application/vnd.oci.image.layer.v1.tar',
        digest: sha(l),
        size: l.length,
      })),
      ...extra,
    }),
  );
}

export async function pushImage(base: string, repo: string, tag: string, seed: string, mt = OCI_MANIFEST) {
  const config = Buffer.from(`{"seed":"${seed}"}`);
  const layer = Buffer.from(`layer-${seed}`);
  await pushBlob(base, repo, config);
  await pushBlob(base, repo, layer);
  const m = manifestOf(config, [layer], {}, mt);
  const r = await fetch(`${base}/v2/${repo}/manifests/${tag}`, {
    method: 'PUT',
    body: new Uint8Array(m),
    headers: { 'Content-Type': mt },
  });
  assert.equal(r.status, 201, await r.text());
  return { manifest: m, digest: sha(m), config, layer };
}
