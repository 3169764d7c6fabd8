// `docker save`: the docker-archive format (manifest.json, repositories) together with an OCI image
// layout (oci-layout, index.json, blobs/sha256/…) in one tar, as Docker 25+ writes it. Layers are
// stored uncompressed and streamed from the content store; nothing is buffered whole.
import { Readable } from 'node:stream';
import { createRequire } from 'node:module';
import type { Pack } from 'tar-stream';
import { addBuffer as addEntryBuffer, addStream } from '../../storage/layers/tar-entries.js';
// loaded on first use: tar-stream costs ~4 MiB of RSS that an idle daemon should not pay
const tarStream = () => createRequire(import.meta.url)('tar-stream') as typeof import('tar-stream');
import { invalid } from '../../errdefs.js';
import {
  familiarName,
  familiarString,
  parseReference,
  referenceString,
  withDefaultTag,
} from '../reference/reference.js';
import type { ImageService } from '../store.js';
import type { ImageConfigFile } from '../types.js';
import { sha256Digest } from '../../storage/content/store.js';

const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
const OCI_CONFIG = 'application/vnd.oci.image.config.v1+json';
const OCI_LAYER = 'application/vnd.oci.image.layer.v1.tar';

interface Selected {
  id: string;
  tags: string[]; // familiar, with tag
}

const hex = (d: string) => d.replace(/^sha256:/, '');
const blobPath = (d: string) => `blobs/sha256/${hex(d)}`;

/** Resolve names as Docker does: `repo:tag` → that tag, `repo` → all its tags, an id → no tags. */
export async function selectImages(images: ImageService, names: string[]): Promise<Selected[]> {
  if (names.length === 0) throw invalid('No images specified');
  const byId = new Map<string, Selected>();
  const add = (id: string, tag?: string) => {
    const s = byId.get(id) ?? { id, tags: [] };
    if (tag && !s.tags.includes(tag)) s.tags.push(tag);
    byId.set(id, s);
  };
  const all = await images.list({ all: true, filters: new Map() });
  for (const n of names) {
    const img = await images.resolve(n).catch((e: unknown) => {
      // `repo` with no :latest may still name other tags
      const p = (() => {
        try {
          return parseReference(n);
        } catch {
          return null;
        }
      })();
      if (p && !p.tag && !p.digest) {
        const tags = all
          .flatMap((s) => s.RepoTags.map((t) => [s.Id, t] as const))
          .filter(([, t]) => familiarName(parseReference(t)) === familiarName(p));
        if (tags.length) return { id: '', tags };
      }
      throw e;
    });
    if ('tags' in img) {
      for (const [id, t] of img.tags) add(id, t);
      continue;
    }
    let ref: ReturnType<typeof parseReference> | null = null;
    try {
      ref =
        /^(sha256:)?[a-f0-9]{1,64}$/.test(n) && img.id.includes(n.replace(/^sha256:/, '')) ? null : parseReference(n);
    } catch {
      ref = null;
    }
    if (!ref || ref.digest) add(img.id);
    else if (ref.tag) add(img.id, familiarString(ref));
    else {
      const tags = all
        .flatMap((s) => s.RepoTags.map((t) => [s.Id, t] as const))
        .filter(([, t]) => familiarName(parseReference(t)) === familiarName(ref!));
      if (tags.length) for (const [id, t] of tags) add(id, t);
      else add(img.id, familiarString(withDefaultTag(ref)));
    }
  }
  return [...byId.values()];
}

function addBuffer(tar: Pack, name: string, data: Buffer | string): Promise<void> {
  return addEntryBuffer(
    tar,
    { name, mode: 0o644, mtime: new Date(0) },
    typeof data === 'string' ? Buffer.from(data) : data,
  );
}

// the blob is cut or padded to its recorded size and closed when the client goes away
function addBlob(tar: Pack, name: string, size: number, src: Readable): Promise<void> {
  return addStream(tar, { name, size, mode: 0o644, mtime: new Date(0) }, src);
}

/** The archive of `names` as a tar stream. Errors about names come before the first byte. */
export async function saveImages(images: ImageService, names: string[]): Promise<Readable> {
  const sel = await selectImages(images, names);
  const plans = await Promise.all(
    sel.map(async (s) => {
      const config = await images.content.readAll(s.id);
      const cfg = JSON.parse(config.toString('utf8')) as ImageConfigFile;
      const diffIds = cfg.rootfs?.diff_ids ?? [];
      const sizes = await Promise.all(diffIds.map((d) => images.content.size(d)));
      return { ...s, config, diffIds, sizes };
    }),
  );
  const tar = tarStream().pack();
  const fill = async () => {
    const written = new Set<string>();
    const manifest: { Config: string; RepoTags: string[] | null; Layers: string[] }[] = [];
    const index: { mediaType: string; digest: string; size: number; annotations?: Record<string, string> }[] = [];
    const repositories: Record<string, Record<string, string>> = {};
    for (const p of plans) {
      for (let i = 0; i < p.diffIds.length; i++) {
        const d = p.diffIds[i];
        if (written.has(d)) continue;
        written.add(d);
        await addBlob(tar, blobPath(d), p.sizes[i], await images.content.get(d));
      }
      if (!written.has(p.id)) {
        written.add(p.id);
        await addBuffer(tar, blobPath(p.id), p.config);
      }
      const m = Buffer.from(
        JSON.stringify({
          schemaVersion: 2,
          mediaType: OCI_MANIFEST,
          config: { mediaType: OCI_CONFIG, digest: p.id, size: p.config.length },
          layers: p.diffIds.map((d, i) => ({ mediaType: OCI_LAYER, digest: d, size: p.sizes[i] })),
        }),
      );
      const md = sha256Digest(m);
      if (!written.has(md)) {
        written.add(md);
        await addBuffer(tar, blobPath(md), m);
      }
      const tags = p.tags.length ? p.tags : [null];
      for (const t of tags) {
        const annotations: Record<string, string> = {
          'io.containerd.image.name': t ? referenceString(parseReference(t)) : '',
        };
        if (t) annotations['org.opencontainers.image.ref.name'] = parseReference(t).tag ?? '';
        index.push({ mediaType: OCI_MANIFEST, digest: md, size: m.length, ...(t ? { annotations } : {}) });
      }
      manifest.push({
        Config: blobPath(p.id),
        RepoTags: p.tags.length ? p.tags : null,
        Layers: p.diffIds.map(blobPath),
      });
      const top = p.diffIds[p.diffIds.length - 1];
      for (const t of p.tags) {
        const r = parseReference(t);
        (repositories[familiarName(r)] ??= {})[r.tag ?? 'latest'] = top ? hex(top) : hex(p.id);
      }
      await images.logEvent('save', p.id, p.id);
    }
    await addBuffer(tar, 'index.json', JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests: index }));
    await addBuffer(tar, 'manifest.json', JSON.stringify(manifest));
    await addBuffer(tar, 'oci-layout', JSON.stringify({ imageLayoutVersion: '1.0.0' }));
    if (Object.keys(repositories).length) await addBuffer(tar, 'repositories', JSON.stringify(repositories));
  };
  tar.on('error', () => {}); // reaches the consumer through the Readable below
  fill().then(
    () => tar.finalize(),
    (e: Error) => tar.destroy(e),
  );
  return Readable.from(tar as unknown as AsyncIterable<Buffer>, { objectMode: false });
}
