// Pull, push and login: references and credentials in, Docker's progress messages out.
import { invalid, notFound } from '../../errdefs.js';
import { copy, Transfers, type ImageDestination, type ImageSource, type ProgressFn } from '../copy.js';
import {
  familiarName,
  familiarString,
  parseReference,
  referenceString,
  withDefaultTag,
  type Reference,
} from '../reference/reference.js';
import type { ImageService } from '../store.js';
import type { AuthConfig } from './auth.js';
import { inspectManifest, inspectReference, type DistributionInspect } from './inspect.js';
import { LocalDestination, LocalSource } from './local.js';
import { parsePlatform } from './manifest.js';
import { V2Metadata } from './metadata.js';
import { isInsecureHost, RegistryClient } from './registry.js';
import { RegistryDestination, RegistrySource } from './remote.js';
import { Repository } from './repository.js';

export interface DistributionOptions {
  insecureRegistries?: string[];
  maxConcurrentDownloads?: number;
  maxConcurrentUploads?: number;
  /** Where the diffID → registry blob metadata lives. */
  metadataFile: string;
}

export interface PullRequest {
  /** `fromImage`, possibly with a tag or digest. */
  image: string;
  /** `tag` query parameter: a tag or a digest. */
  tag?: string;
  platform?: string;
  auth?: AuthConfig;
  progress: ProgressFn;
  signal?: AbortSignal;
}

export interface PushRequest {
  name: string;
  tag?: string;
  auth?: AuthConfig;
  progress: ProgressFn;
  signal?: AbortSignal;
}

const DIGEST = /^[a-z0-9]+:[a-f0-9]{32,}$/;

export class DistributionService {
  readonly meta: V2Metadata;
  private readonly transfers = new Transfers();

  constructor(
    private readonly images: ImageService,
    private readonly o: DistributionOptions,
  ) {
    this.meta = new V2Metadata(o.metadataFile);
  }

  private client(domain: string, auth?: AuthConfig): RegistryClient {
    return new RegistryClient(domain, { insecure: isInsecureHost(domain, this.o.insecureRegistries ?? []), auth });
  }

  /** copy() with the daemon's concurrency for the direction, the request's progress and signal. */
  private copy(src: ImageSource, dst: ImageDestination, mode: 'pull' | 'push', r: PullRequest | PushRequest) {
    const concurrency = mode === 'pull' ? (this.o.maxConcurrentDownloads ?? 3) : (this.o.maxConcurrentUploads ?? 5);
    return copy(src, dst, { mode, concurrency, progress: r.progress, transfers: this.transfers, signal: r.signal });
  }

  /** Docker's `POST /images/create?fromImage=`: a tag, a digest, or every tag when the name has neither. */
  async pull(r: PullRequest): Promise<void> {
    let ref = parseReference(r.image);
    if (r.tag) {
      if (DIGEST.test(r.tag)) ref = { domain: ref.domain, path: ref.path, digest: r.tag };
      else {
        if (ref.tag || ref.digest) throw invalid(`invalid reference format`);
        ref = { ...ref, tag: r.tag };
      }
    }
    const platform = parsePlatform(r.platform);
    const repo = new Repository(this.client(ref.domain, r.auth), ref.path, familiarName(ref));
    if (!ref.tag && !ref.digest) {
      const tags = await repo.tags();
      if (tags.length === 0) throw notFound(`no tags available for ${familiarName(ref)}`);
      let updated = false;
      for (const t of tags)
        updated = (await this.pullOne(repo, { ...ref, tag: t }, platform, !!r.platform, r)) || updated;
      r.progress({
        status: `Status: ${updated ? 'Downloaded newer image' : 'Image is up to date'} for ${familiarName(ref)}`,
      });
      return;
    }
    const updated = await this.pullOne(repo, ref, platform, !!r.platform, r);
    r.progress({
      status: `Status: ${updated ? 'Downloaded newer image' : 'Image is up to date'} for ${familiarString(ref)}`,
    });
  }

  private async pullOne(
    repo: Repository,
    ref: Reference,
    platform: ReturnType<typeof parsePlatform>,
    strict: boolean,
    r: PullRequest,
  ): Promise<boolean> {
    const src = new RegistrySource(repo, ref.digest ?? ref.tag!, platform, strict);
    const img = await src.image(); // errors here still get a plain HTTP error status
    r.progress({ status: `Pulling from ${ref.path}`, id: ref.digest ?? ref.tag });
    let id: string;
    let downloaded = false;
    const have = await this.images.resolve(img.configDigest).then(
      () => true,
      () => false,
    );
    if (have) id = img.configDigest;
    else {
      const dst = new LocalDestination(this.images, {
        meta: this.meta,
        host: ref.domain,
        repo: ref.path,
        progress: r.progress,
      });
      try {
        const res = await this.copy(src, dst, 'pull', r);
        id = res.id!;
      } finally {
        await dst.release();
      }
      downloaded = true;
    }
    const before = await this.images.resolve(referenceString(ref)).then(
      (x) => x.id,
      () => null,
    );
    if (ref.tag) await this.images.setReference(ref, id);
    if (img.manifestDigest)
      await this.images.setReference({ domain: ref.domain, path: ref.path, digest: img.manifestDigest }, id);
    r.progress({ status: `Digest: ${img.manifestDigest}` });
    return downloaded || before !== id;
  }

  /** Docker's `POST /images/{name}/push`: one tag, or every local tag of the repository. */
  async push(r: PushRequest): Promise<void> {
    let ref = parseReference(r.name);
    if (r.tag) ref = { ...ref, tag: r.tag };
    const full = `${ref.domain}/${ref.path}`;
    r.progress({ status: `The push refers to repository [${full}]` });
    let tags: Reference[];
    if (ref.tag) {
      await this.images.resolve(referenceString(ref)).catch(() => {
        throw notFound(`An image does not exist locally with the tag: ${familiarName(ref)}`);
      });
      tags = [ref];
    } else {
      const list = await this.images.list({ all: true, filters: new Map() });
      tags = list
        .flatMap((s) => s.RepoTags)
        .map((t) => parseReference(t))
        .filter((t) => t.domain === ref.domain && t.path === ref.path && t.tag)
        .sort((a, b) => a.tag!.localeCompare(b.tag!));
      if (tags.length === 0) throw notFound(`An image does not exist locally with the tag: ${familiarName(ref)}`);
    }
    const repo = new Repository(this.client(ref.domain, r.auth), ref.path, familiarName(ref), true);
    for (const t of tags) {
      const tagged = withDefaultTag(t);
      const src = new LocalSource(this.images, referenceString(tagged));
      const dst = new RegistryDestination(repo, tagged.tag!, this.meta, ref.domain);
      const res = await this.copy(src, dst, 'push', r);
      const id = (await this.images.resolve(referenceString(tagged))).id;
      await this.images.setReference({ domain: ref.domain, path: ref.path, digest: res.digest! }, id);
      r.progress({ status: `${tagged.tag}: digest: ${res.digest} size: ${res.size}` });
      r.progress({ progressDetail: {}, aux: { Tag: tagged.tag, Digest: res.digest, Size: res.size } });
    }
  }

  /** `GET /distribution/{name}/json`: the manifest's descriptor and platforms, asked of the registry. */
  async inspect(name: string, auth?: AuthConfig): Promise<DistributionInspect> {
    const ref = inspectReference(name);
    const repo = new Repository(this.client(ref.domain, auth), ref.path, familiarName(ref));
    return inspectManifest(repo, ref, auth);
  }

  /** `POST /auth`: check the credentials against the registry's /v2/ endpoint. */
  async login(a: AuthConfig): Promise<{ Status: string; IdentityToken: string }> {
    let host = (a.serveraddress ?? '').replace(/^https?:\/\//, '').replace(/\/.*$/, '');
    if (!host || host === 'index.docker.io' || host === 'registry-1.docker.io') host = 'docker.io';
    await this.client(host, a).login();
    return { Status: 'Login Succeeded', IdentityToken: '' };
  }
}
