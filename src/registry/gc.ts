// Garbage collection, mark and sweep like Distribution's: every manifest revision of every
// repository (and, with deleteUntagged, only tagged ones and what they reach) marks itself and the
// blobs it references; unmarked blobs are removed, with the repo links that point at them.
// Run it while the server is stopped or read-only: an upload in flight is not yet referenced.
import { parseManifest } from './manifest.js';
import type { RegistryStorage } from './storage.js';

export interface GcOptions {
  dryRun?: boolean;
  deleteUntagged?: boolean;
  /** Upload sessions older than this (ms) are purged; default one week, like Distribution. */
  uploadMaxAgeMs?: number;
  log?: (line: string) => void;
}

export interface GcResult {
  marked: string[];
  swept: { digest: string; size: number }[];
  manifestsDeleted: { repo: string; digest: string }[];
  uploadsPurged: string[];
}

export async function garbageCollect(s: RegistryStorage, o: GcOptions = {}): Promise<GcResult> {
  const log = o.log ?? (() => {});
  const marked = new Set<string>();
  const manifestsDeleted: GcResult['manifestsDeleted'] = [];
  for (const repo of await s.repositories()) {
    const revisions = await s.revisions(repo);
    let roots = revisions;
    if (o.deleteUntagged) {
      const reach = new Set<string>();
      const stack: string[] = [];
      for (const t of (await s.tags(repo)) ?? []) {
        const r = await s.resolve(repo, t);
        if (r) stack.push(r.digest);
      }
      while (stack.length) {
        const d = stack.pop()!;
        if (reach.has(d)) continue;
        reach.add(d);
        const m = await s.getManifest(repo, d);
        if (m) for (const c of safeParse(m.body, m.mediaType)?.manifests ?? []) stack.push(c.digest);
      }
      // Referrers of a kept manifest are kept too.
      for (const d of revisions) {
        const m = await s.getManifest(repo, d);
        const p = m && safeParse(m.body, m.mediaType);
        if (p?.subject && reach.has(p.subject.digest)) reach.add(d);
      }
      roots = revisions.filter((d) => reach.has(d));
      for (const d of revisions.filter((x) => !reach.has(x))) {
        log(`${repo}: manifest eligible for deletion: ${d}`);
        manifestsDeleted.push({ repo, digest: d });
        if (!o.dryRun) await s.deleteManifest(repo, d);
      }
    }
    for (const d of roots) {
      const m = await s.getManifest(repo, d);
      if (!m) continue;
      log(`${repo}: marking manifest ${d}`);
      marked.add(d);
      const p = safeParse(m.body, m.mediaType);
      for (const b of p?.blobs ?? []) {
        log(`${repo}: marking blob ${b.digest}`);
        marked.add(b.digest);
      }
    }
  }
  const swept: GcResult['swept'] = [];
  for (const d of await s.content.list()) {
    if (marked.has(d)) continue;
    const size = await s.content.size(d).catch(() => 0);
    log(`blob eligible for deletion: ${d}`);
    swept.push({ digest: d, size });
    if (!o.dryRun) await s.content.delete(d).catch(() => undefined);
  }
  if (!o.dryRun && swept.length) {
    const gone = new Set(swept.map((x) => x.digest));
    for (const repo of await s.repositories()) {
      for (const l of await s.layerLinks(repo)) if (gone.has(l)) await s.unlinkBlob(repo, l);
    }
  }
  const uploadsPurged: string[] = [];
  const maxAge = o.uploadMaxAgeMs ?? 7 * 24 * 3600 * 1000;
  for (const u of await s.listUploads()) {
    if (Date.now() - Date.parse(u.startedAt) < maxAge) continue;
    uploadsPurged.push(u.uuid);
    if (!o.dryRun) await s.removeUpload(u.uuid);
  }
  log(`${marked.size} blobs marked, ${swept.length} blobs ${o.dryRun ? 'eligible for deletion' : 'deleted'}`);
  return { marked: [...marked].sort(), swept, manifestsDeleted, uploadsPurged };
}

function safeParse(body: Buffer, mediaType: string) {
  try {
    return parseManifest(body, mediaType);
  } catch {
    return undefined;
  }
}
