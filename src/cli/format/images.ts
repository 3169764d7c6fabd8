// formatter/image.go and formatter/history.go: `images` and `history` rows.
import type { HistoryItem, ImageSummary } from '../../client/types.js';
import { ellipsis, truncateId } from './ellipsis.js';
import { goTimeString, humanSize, humanSizeWithPrecision, rfc3339, timeAgo } from './units.js';
import type { Row } from './render.js';

export const imageHeaders: Record<string, string> = {
  ID: 'IMAGE ID',
  Repository: 'REPOSITORY',
  Tag: 'TAG',
  Digest: 'DIGEST',
  CreatedSince: 'CREATED',
  CreatedAt: 'CREATED AT',
  Size: 'SIZE',
  Containers: 'CONTAINERS',
  VirtualSize: 'VIRTUAL SIZE',
  SharedSize: 'SHARED SIZE',
  UniqueSize: 'UNIQUE SIZE',
};

export function imagesDefaultFormat(digests: boolean): string {
  return digests
    ? 'table {{.Repository}}\t{{.Tag}}\t{{.Digest}}\t{{.ID}}\t{{.CreatedSince}}\t{{.Size}}'
    : 'table {{.Repository}}\t{{.Tag}}\t{{.ID}}\t{{.CreatedSince}}\t{{.Size}}';
}

export function familiarName(name: string): string {
  return name.replace(/^docker\.io\/library\//, '').replace(/^docker\.io\//, '');
}

/** Split "repo:tag" / "repo@digest" (a ':' after the last '/' starts the tag). */
export function splitRef(ref: string): { repo: string; tag?: string; digest?: string } {
  const at = ref.indexOf('@');
  if (at >= 0) return { repo: ref.slice(0, at), digest: ref.slice(at + 1) };
  const colon = ref.lastIndexOf(':');
  if (colon > ref.lastIndexOf('/')) return { repo: ref.slice(0, colon), tag: ref.slice(colon + 1) };
  return { repo: ref };
}

/** docker's reference.TagNameOnly: a reference with neither tag nor digest gets `:latest`. */
export function withTag(ref: string): string {
  const r = splitRef(ref);
  return r.tag || r.digest ? ref : `${ref}:latest`;
}

/**
 * reference.ParseNormalizedNamed's complaint about `repo`, or undefined when it is valid: an
 * uppercase path is named in full ("library/x" for an official name), anything else is plain.
 */
export function repoError(repo: string): string | undefined {
  const slash = repo.indexOf('/');
  const domain = slash > 0 && /[.:]|^localhost$/.test(repo.slice(0, slash)) ? repo.slice(0, slash) : '';
  const path = domain ? repo.slice(slash + 1) : repo;
  const comp = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
  if (new RegExp(`^${comp}(?:/${comp})*$`).test(path)) return undefined;
  if (new RegExp(`^${comp}(?:/${comp})*$`).test(path.toLowerCase())) {
    const full = domain || path.includes('/') ? path : `library/${path}`;
    return `invalid reference format: repository name (${full}) must be lowercase`;
  }
  return 'invalid reference format';
}

/** formatter.imageContext for one repo/tag/digest of an image (also `system df -v`'s rows). */
export function imageRow(i: ImageSummary, repo: string, tag: string, digest: string, trunc: boolean, now: number): Row {
  return {
    get ID() {
      return trunc ? truncateId(i.Id) : i.Id;
    },
    get Repository() {
      return repo;
    },
    get Tag() {
      return tag;
    },
    get Digest() {
      return digest;
    },
    get CreatedSince() {
      return timeAgo(i.Created, now);
    },
    get CreatedAt() {
      return goTimeString(i.Created);
    },
    get Size() {
      return humanSizeWithPrecision(i.Size, 3);
    },
    get Containers() {
      return i.Containers < 0 ? 'N/A' : String(i.Containers);
    },
    get VirtualSize() {
      return humanSize(i.Size);
    },
    get SharedSize() {
      return i.SharedSize < 0 ? 'N/A' : humanSize(i.SharedSize);
    },
    get UniqueSize() {
      return i.SharedSize < 0 || i.Size < 0 ? 'N/A' : humanSize(i.Size - i.SharedSize);
    },
  };
}

/** One row per repo:tag (and per digest with --digests); dangling images as <none>:<none>. */
export function imageRows(images: ImageSummary[], o: { trunc: boolean; digests: boolean; now?: number }): Row[] {
  const now = o.now ?? Date.now();
  const rows: Row[] = [];
  for (const i of images) {
    const tags = (i.RepoTags ?? []).filter((t) => t !== '<none>:<none>');
    const dgs = (i.RepoDigests ?? []).filter((d) => d !== '<none>@<none>');
    if (tags.length === 0 && dgs.length === 0) {
      rows.push(imageRow(i, '<none>', '<none>', '<none>', o.trunc, now));
      continue;
    }
    const repoTags = new Map<string, string[]>();
    const repoDigests = new Map<string, string[]>();
    for (const t of tags) {
      const r = splitRef(t);
      if (r.tag === undefined) continue;
      const k = familiarName(r.repo);
      repoTags.set(k, [...(repoTags.get(k) ?? []), r.tag]);
    }
    for (const d of dgs) {
      const r = splitRef(d);
      if (!r.digest) continue;
      const k = familiarName(r.repo);
      repoDigests.set(k, [...(repoDigests.get(k) ?? []), r.digest]);
    }
    for (const [repo, ts] of repoTags) {
      const digests = o.digests ? (repoDigests.get(repo) ?? []) : [];
      repoDigests.delete(repo);
      for (const t of ts) {
        if (digests.length === 0) rows.push(imageRow(i, repo, t, '<none>', o.trunc, now));
        else for (const d of digests) rows.push(imageRow(i, repo, t, d, o.trunc, now));
      }
    }
    for (const [repo, ds] of repoDigests) {
      if (o.digests) for (const d of ds) rows.push(imageRow(i, repo, '<none>', d, o.trunc, now));
      else rows.push(imageRow(i, repo, '<none>', '', o.trunc, now));
    }
  }
  return rows;
}

export const historyHeaders: Record<string, string> = {
  ID: 'IMAGE',
  CreatedSince: 'CREATED',
  CreatedAt: 'CREATED AT',
  CreatedBy: 'CREATED BY',
  Size: 'SIZE',
  Comment: 'COMMENT',
};

export const historyDefaultFormat = 'table {{.ID}}\t{{.CreatedSince}}\t{{.CreatedBy}}\t{{.Size}}\t{{.Comment}}';

export function historyRow(h: HistoryItem, o: { trunc: boolean; human: boolean; now?: number }): Row {
  const now = o.now ?? Date.now();
  return {
    get ID() {
      return o.trunc && h.Id !== '<missing>' ? truncateId(h.Id) : h.Id;
    },
    get CreatedAt() {
      return rfc3339(h.Created);
    },
    get CreatedSince() {
      return o.human ? timeAgo(h.Created, now) : rfc3339(h.Created);
    },
    get CreatedBy() {
      const s = (h.CreatedBy ?? '').replace(/\t/g, ' ');
      return o.trunc ? ellipsis(s, 45) : s;
    },
    get Size() {
      return o.human ? humanSizeWithPrecision(h.Size, 3) : String(h.Size);
    },
    get Comment() {
      return h.Comment ?? '';
    },
  };
}
