// One repository on a registry: manifests, blobs and tags, with Docker's error texts.
import type { IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import { EngineError, internal, invalid, notFound } from '../../errdefs.js';
import { MEDIA, readBody, registryError, send, type RegistryClient } from './registry.js';
import { sha256Digest } from '../../storage/content/store.js';

export interface RawManifest {
  bytes: Buffer;
  mediaType: string;
  digest: string;
}

const ACCEPT = [MEDIA.dockerManifest, MEDIA.dockerList, MEDIA.ociManifest, MEDIA.ociIndex].join(', ');

export class Repository {
  constructor(
    readonly client: RegistryClient,
    /** Path inside the registry, e.g. `me/bb` or `library/busybox`. */
    readonly path: string,
    /** The familiar name for messages, e.g. `127.0.0.1:5000/me/bb`. */
    readonly display: string,
    readonly push = false,
  ) {}

  private get scope(): string {
    return `repository:${this.path}:${this.push ? 'pull,push' : 'pull'}`;
  }

  private async fail(res: IncomingMessage, what: string): Promise<never> {
    const why = await registryError(res);
    if (res.statusCode === 401 || res.statusCode === 403) {
      const verb = this.push ? 'push' : 'pull';
      throw new EngineError(
        this.push ? 'unauthorized' : 'not-found',
        `${verb} access denied for ${this.display.replace(/^docker\.io\/(library\/)?/, '')}, repository does not exist or may require 'docker login': ${why}`,
      );
    }
    if (res.statusCode === 404) throw notFound(`${what}: ${why}`);
    throw internal(`${what}: ${why}`);
  }

  /** GET a manifest by tag or digest. The digest is the registry's Docker-Content-Digest or the sha256 of the bytes. */
  async manifest(ref: string): Promise<RawManifest> {
    const res = await this.client.request('GET', `${this.path}/manifests/${ref}`, {
      scope: this.scope,
      headers: { accept: ACCEPT },
    });
    if (res.statusCode !== 200) {
      const sep = ref.includes(':') ? '@' : ':';
      return this.fail(res, `manifest for ${this.display}${sep}${ref} not found`);
    }
    const bytes = await readBody(res, 4 << 20);
    const mediaType = String(res.headers['content-type'] ?? '')
      .split(';')[0]
      .trim();
    const digest = sha256Digest(bytes);
    if (ref.startsWith('sha256:') && ref !== digest) throw invalid(`manifest verification failed for digest ${ref}`);
    return { bytes, mediaType, digest };
  }

  /** Stream a blob (following the registry's redirect to storage). */
  async blob(digest: string): Promise<IncomingMessage> {
    let res = await this.client.request('GET', `${this.path}/blobs/${digest}`, { scope: this.scope });
    for (
      let i = 0;
      i < 5 && res.statusCode && res.statusCode >= 300 && res.statusCode < 400 && res.headers.location;
      i++
    ) {
      res.resume();
      const loc = new URL(res.headers.location, (await this.client.endpoint()) + '/').href;
      res = await send('GET', loc, {}, undefined, true);
    }
    if (res.statusCode !== 200) return this.fail(res, `fetching blob ${digest} failed`);
    return res;
  }

  /** Size of a blob in this repository, or null when it is not there. */
  async statBlob(digest: string): Promise<number | null> {
    const res = await this.client.request('HEAD', `${this.path}/blobs/${digest}`, { scope: this.scope });
    res.resume();
    if (res.statusCode === 200 || res.statusCode === 307) return Number(res.headers['content-length'] ?? 0);
    if (res.statusCode === 404) return null;
    return this.fail(res, `checking blob ${digest}`);
  }

  /** Cross-repository mount. True when the registry mounted it (201), false when it wants an upload. */
  async mountBlob(digest: string, fromPath: string): Promise<boolean> {
    const scope = `${this.scope} repository:${fromPath}:pull`;
    const res = await this.client.request(
      'POST',
      `${this.path}/blobs/uploads/?mount=${encodeURIComponent(digest)}&from=${encodeURIComponent(fromPath)}`,
      {
        scope,
        headers: { 'content-length': '0' },
      },
    );
    res.resume();
    if (res.statusCode === 201) return true;
    if (res.statusCode === 202) {
      // an upload session was opened instead: cancel it
      const loc = res.headers.location;
      if (loc)
        await this.client.request('DELETE', this.abs(loc, await this.client.endpoint()), { scope: this.scope }).then(
          (r) => r.resume(),
          () => {},
        );
      return false;
    }
    if (res.statusCode === 401 || res.statusCode === 403 || res.statusCode === 404) return false;
    return false;
  }

  private abs(loc: string, base: string): string {
    return new URL(loc, base + '/').href;
  }

  private async startUpload(): Promise<string> {
    const res = await this.client.request('POST', `${this.path}/blobs/uploads/`, {
      scope: this.scope,
      headers: { 'content-length': '0' },
    });
    if (res.statusCode !== 202) return this.fail(res, 'starting upload');
    res.resume();
    const loc = res.headers.location;
    if (!loc) throw internal('registry did not return an upload location');
    return this.abs(loc, await this.client.endpoint());
  }

  private withDigest(loc: string, digest: string): string {
    const u = new URL(loc);
    u.searchParams.set('digest', digest);
    return u.href;
  }

  /** Monolithic upload of a small blob (configs): POST, then PUT with the body and digest. */
  async putBlobBytes(bytes: Buffer, digest: string): Promise<void> {
    const loc = await this.startUpload();
    const res = await this.client.request('PUT', this.withDigest(loc, digest), {
      scope: this.scope,
      body: bytes,
      headers: { 'content-type': 'application/octet-stream' },
    });
    if (res.statusCode !== 201) return this.fail(res, `uploading blob ${digest}`);
    res.resume();
  }

  /**
   * Streamed (chunked) upload: one PATCH carrying the whole stream with chunked transfer encoding,
   * then PUT ?digest=. The digest is only known once the stream ended (it is compressed on the fly).
   */
  async putBlobStream(body: Readable, digest: () => string): Promise<void> {
    const loc = await this.startUpload();
    const res = await this.client.request('PATCH', loc, {
      scope: this.scope,
      body,
      headers: { 'content-type': 'application/octet-stream' },
    });
    if (res.statusCode !== 202 && res.statusCode !== 204) return this.fail(res, 'uploading blob');
    res.resume();
    const next = res.headers.location ? this.abs(res.headers.location, await this.client.endpoint()) : loc;
    const fin = await this.client.request('PUT', this.withDigest(next, digest()), {
      scope: this.scope,
      headers: { 'content-length': '0' },
    });
    if (fin.statusCode !== 201) return this.fail(fin, `uploading blob ${digest()}`);
    fin.resume();
  }

  async putManifest(ref: string, bytes: Buffer, mediaType: string): Promise<void> {
    const res = await this.client.request('PUT', `${this.path}/manifests/${ref}`, {
      scope: this.scope,
      body: bytes,
      headers: { 'content-type': mediaType },
    });
    if (res.statusCode !== 201 && res.statusCode !== 200)
      return this.fail(res, `pushing manifest for ${this.display}:${ref}`);
    res.resume();
  }

  async tags(): Promise<string[]> {
    const out: string[] = [];
    let path: string | null = `${this.path}/tags/list`;
    while (path) {
      const res = await this.client.request('GET', path, { scope: this.scope });
      if (res.statusCode !== 200) return this.fail(res, `repository ${this.display} not found`);
      const link = String(res.headers.link ?? '');
      const body = JSON.parse((await readBody(res)).toString('utf8')) as { tags?: string[] | null };
      out.push(...(body.tags ?? []));
      const m = /<([^>]+)>;\s*rel="next"/.exec(link);
      path = m ? new URL(m[1], (await this.client.endpoint()) + '/').href : null;
    }
    return out;
  }
}
