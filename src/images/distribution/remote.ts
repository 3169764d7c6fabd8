// A registry repository as a copy() endpoint: source for pull (manifest → platform → config →
// layers), destination for push (skip or mount known blobs, gzip and stream the rest, then the
// config and a schema2 manifest).
import { createHash } from 'node:crypto';
import { Readable, Transform } from 'node:stream';
import { constants, createGzip, deflateRawSync } from 'node:zlib';
import { invalid } from '../../errdefs.js';
import type { Descriptor, ImageDestination, ImageSource, LayerPresence, LayerRef, SourceImage } from '../copy.js';
import type { ImageConfigFile } from '../types.js';
import { formatPlatform } from '../../util/platform.js';
import { parseManifest, selectPlatform, type Platform } from './manifest.js';
import type { V2Metadata } from './metadata.js';
import { MEDIA, readBody } from './registry.js';
import type { Repository } from './repository.js';
import { sha256Digest } from '../../storage/content/store.js';

const UNCOMPRESSED = 'application/vnd.docker.image.rootfs.diff.tar';

/** Read up to `n` bytes from the start of `s`; `rest` streams what follows. */
export async function peek(s: Readable, n: number): Promise<{ buf: Buffer; rest: Readable }> {
  const parts: Buffer[] = [];
  let got = 0;
  const it = s[Symbol.asyncIterator]();
  let done = false;
  while (got < n) {
    const r = await it.next();
    if (r.done) {
      done = true;
      break;
    }
    parts.push(r.value as Buffer);
    got += (r.value as Buffer).length;
  }
  const rest = Readable.from(
    (async function* () {
      if (done) return;
      for (;;) {
        const r = await it.next();
        if (r.done) return;
        yield r.value as Buffer;
      }
    })(),
    { objectMode: false },
  );
  return { buf: Buffer.concat(parts), rest };
}

export class RegistrySource implements ImageSource {
  private cached: Promise<SourceImage> | null = null;

  constructor(
    private readonly repo: Repository,
    /** Tag or digest. */
    private readonly ref: string,
    private readonly platform: Platform,
    private readonly strictPlatform = false,
  ) {}

  image(): Promise<SourceImage> {
    this.cached ??= this.load();
    return this.cached;
  }

  private async load(): Promise<SourceImage> {
    const top = await this.repo.manifest(this.ref);
    let m = parseManifest(top.bytes, top.mediaType);
    if (m.kind === 'index') {
      const pick = selectPlatform(m.manifests, this.platform);
      const sub = await this.repo.manifest(pick.digest);
      m = parseManifest(sub.bytes, sub.mediaType);
      if (m.kind !== 'image') throw invalid('invalid manifest: nested manifest list');
    }
    const res = await this.repo.blob(m.config.digest);
    const config = await readBody(res, 8 << 20);
    const got = sha256Digest(config);
    if (got !== m.config.digest) throw invalid(`image config verification failed for digest ${m.config.digest}`);
    let cfg: ImageConfigFile;
    try {
      cfg = JSON.parse(config.toString('utf8')) as ImageConfigFile;
    } catch {
      throw invalid('invalid image config: malformed JSON');
    }
    const diffIds = cfg.rootfs?.diff_ids ?? [];
    const layers = m.layers.filter((l) => !l.mediaType.includes('foreign') || !l.urls?.length);
    if (diffIds.length !== layers.length) throw invalid('invalid manifest: number of layers and diff_ids differ');
    if (this.strictPlatform && (cfg.os !== this.platform.os || cfg.architecture !== this.platform.architecture)) {
      throw invalid(
        `image with reference ${this.repo.display}:${this.ref} was found but does not match the specified platform: wanted ${formatPlatform(this.platform)}, actual: ${formatPlatform({ os: cfg.os, architecture: cfg.architecture, variant: cfg.variant })}`,
      );
    }
    return {
      config,
      configDigest: m.config.digest,
      layers: layers.map((desc, i) => ({ desc, diffId: diffIds[i] })),
      manifestDigest: top.digest,
    };
  }

  async blob(d: Descriptor): Promise<Readable> {
    return this.repo.blob(d.digest);
  }
}

/** Counts and hashes what passes (the compressed upload). */
class Tally extends Transform {
  hash = createHash('sha256');
  size = 0;
  override _transform(c: Buffer, _e: BufferEncoding, cb: (e?: Error | null, d?: Buffer) => void): void {
    this.hash.update(c);
    this.size += c.length;
    cb(null, c);
  }
}

export class RegistryDestination implements ImageDestination {
  constructor(
    private readonly repo: Repository,
    private readonly tag: string,
    private readonly meta: V2Metadata | undefined,
    private readonly host: string,
    private readonly gzipLevel = 1,
  ) {}

  async hasLayer(l: LayerRef): Promise<LayerPresence | null> {
    const known = (await this.meta?.get(l.diffId))?.filter((x) => x.host === this.host) ?? [];
    for (const k of known.filter((x) => x.repo === this.repo.path).slice(0, 3)) {
      if ((await this.repo.statBlob(k.digest)) !== null)
        return { desc: { mediaType: k.mediaType, digest: k.digest, size: k.size } };
    }
    for (const k of known.filter((x) => x.repo !== this.repo.path).slice(0, 3)) {
      if (await this.repo.mountBlob(k.digest, k.repo)) {
        await this.meta?.add(l.diffId, { ...k, repo: this.repo.path });
        return { desc: { mediaType: k.mediaType, digest: k.digest, size: k.size }, mountedFrom: k.repo };
      }
    }
    return null;
  }

  async putLayer(l: LayerRef, s: Readable, progress: (bytes: number) => void): Promise<Descriptor> {
    // Peek at the start: data that gzip cannot shrink (media, random, already compressed) is
    // pushed as an uncompressed layer, which saves the CPU of compressing and keeps the digest
    // equal to the diffID (so the registry can be asked whether it already has it).
    const head = await peek(s, 1 << 20);
    const incompressible =
      this.gzipLevel === 0 ||
      (head.buf.length >= 64 << 10 && deflateRawSync(head.buf, { level: 1 }).length > head.buf.length * 0.9);
    let n = 0;
    // counts in transform(): a 'data' listener would start the flow before the upload is attached
    const counter = new Transform({
      highWaterMark: 1 << 20,
      transform(c: Buffer, _e, cb) {
        progress((n += c.length));
        cb(null, c);
      },
    });
    s.on('error', (e) => counter.destroy(e));
    counter.write(head.buf);
    head.rest.pipe(counter);
    let desc: Descriptor;
    if (incompressible) {
      if ((await this.repo.statBlob(l.diffId)) !== null) {
        counter.destroy();
        desc = { mediaType: UNCOMPRESSED, digest: l.diffId, size: l.desc.size };
      } else {
        await this.repo.putBlobStream(counter, () => l.diffId);
        desc = { mediaType: UNCOMPRESSED, digest: l.diffId, size: n };
      }
    } else {
      const gz = createGzip({ level: this.gzipLevel, chunkSize: 256 << 10, strategy: constants.Z_DEFAULT_STRATEGY });
      const tally = new Tally();
      gz.on('error', (e) => tally.destroy(e));
      counter.on('error', (e) => tally.destroy(e));
      counter.pipe(gz).pipe(tally);
      await this.repo.putBlobStream(tally, () => 'sha256:' + tally.hash.copy().digest('hex'));
      desc = { mediaType: MEDIA.dockerLayer, digest: 'sha256:' + tally.hash.digest('hex'), size: tally.size };
    }
    await this.meta?.add(l.diffId, { ...desc, host: this.host, repo: this.repo.path });
    return desc;
  }

  async commit(img: SourceImage, layers: Descriptor[]): Promise<{ digest: string; size: number }> {
    if ((await this.repo.statBlob(img.configDigest)) === null)
      await this.repo.putBlobBytes(img.config, img.configDigest);
    const manifest = {
      schemaVersion: 2,
      mediaType: MEDIA.dockerManifest,
      config: { mediaType: MEDIA.dockerConfig, size: img.config.length, digest: img.configDigest },
      layers: layers.map((d) => ({ mediaType: d.mediaType, size: d.size, digest: d.digest })),
    };
    const bytes = Buffer.from(JSON.stringify(manifest, null, 3));
    await this.repo.putManifest(this.tag, bytes, MEDIA.dockerManifest);
    return { digest: sha256Digest(bytes), size: bytes.length };
  }
}
