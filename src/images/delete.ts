// `docker rmi`: untagging and deleting images with moby's rules and conflict texts (moby
// daemon/images/image_delete.go), over the image store's index.
import { conflict, type EngineError, isKind } from '../errdefs.js';
import type { ContentStore } from '../storage/content/store.js';
import type { Snapshotter } from '../storage/snapshot/snapshotter.js';
import { familiarString, parseReference, referenceString, withDefaultTag } from './reference/reference.js';
import type { ImageRecord } from './store.js';

/** What rmi did, in order: a reference untagged, or an image or layer deleted (api/wire shapes the JSON). */
export type DeleteItem = { untagged: string } | { deleted: string };
export type InUse = (imageId: string) => { id: string; running: boolean }[];

/** What deletion needs of the image store (its maps are shared, not copied). */
export interface ImageIndex {
  images: Map<string, ImageRecord>;
  /** Full reference string → image id. */
  refs: Map<string, string>;
  refsOf(id: string): string[];
  saveRefs(): Promise<void>;
  removeRecordFile(id: string): Promise<void>;
  content: Pick<ContentStore, 'delete'>;
  snapshots: Pick<Snapshotter, 'remove'>;
}

const short = (id: string) => id.replace(/^sha256:/, '').slice(0, 12);

export class ImageDeleter {
  constructor(private readonly ix: ImageIndex) {}

  async remove(ref: string, img: ImageRecord, force: boolean, prune: boolean, inUse: InUse): Promise<DeleteItem[]> {
    const records: DeleteItem[] = [];
    const id = img.id;
    let repoRefs = this.ix.refsOf(id);
    const users = inUse(id);
    const byId = id.startsWith(ref) || id.slice(7).startsWith(ref);
    if (!byId) {
      const parsed = parseReference(ref);
      const key = parsed.digest
        ? referenceString({ domain: parsed.domain, path: parsed.path, digest: parsed.digest })
        : referenceString(withDefaultTag(parsed));
      if (!force && isSingleReference(repoRefs) && users.length > 0) {
        throw conflict(
          `conflict: unable to remove repository reference "${ref}" (must force) - container ${short(users[0].id)} is using its referenced image ${short(id)}`,
        );
      }
      const actual = repoRefs.includes(key) ? key : (repoRefs.find((r) => r.endsWith('@' + parsed.digest)) ?? key);
      this.ix.refs.delete(actual);
      records.push({ untagged: familiarString(parseReference(actual)) });
      repoRefs = this.ix.refsOf(id);
      // Removing the last tag of a repository also drops its digest references.
      if (!parsed.digest) {
        const name = `${parsed.domain}/${parsed.path}`;
        if (!repoRefs.some((r) => !r.includes('@') && parseReference(r).path === parsed.path && r.startsWith(name))) {
          for (const r of repoRefs.filter((r) => r.includes('@') && r.startsWith(name + '@'))) {
            this.ix.refs.delete(r);
            records.push({ untagged: familiarString(parseReference(r)) });
          }
          repoRefs = this.ix.refsOf(id);
        }
      }
      await this.ix.saveRefs();
      if (repoRefs.length > 0) return records;
      // Docker deletes the now-dangling image quietly: a container using it keeps it (untagged).
      await this.delete(img, records, force, prune, users, true);
      return records;
    } else if (repoRefs.length > 0 && !isSingleReference(repoRefs) && !force) {
      throw conflict(
        `conflict: unable to delete ${short(id)} (must be forced) - image is referenced in multiple repositories`,
      );
    }
    await this.delete(img, records, force, prune, users);
    return records;
  }

  async delete(
    img: ImageRecord,
    records: DeleteItem[],
    force: boolean,
    prune: boolean,
    users: { id: string; running: boolean }[],
    quiet = false,
  ): Promise<void> {
    const id = img.id;
    const hard = (m: string) => conflict(`conflict: unable to delete ${short(id)} (cannot be forced) - ${m}`);
    const soft = (m: string) => conflict(`conflict: unable to delete ${short(id)} (must be forced) - ${m}`);
    let err: EngineError | null = null;
    let used = false;
    if ([...this.ix.images.values()].some((i) => i.parent === id)) err = hard('image has dependent child images');
    else if (users.find((u) => u.running)) {
      err = hard(`image is being used by running container ${short(users.find((u) => u.running)!.id)}`);
      used = true;
    } else if (!force && users.length > 0) {
      err = soft(`image is being used by stopped container ${short(users[0].id)}`);
      used = true;
    }
    if (err) {
      if (quiet && (used || this.ix.refsOf(id).length > 0)) return;
      throw err;
    }
    for (const r of this.ix.refsOf(id)) {
      this.ix.refs.delete(r);
      records.push({ untagged: familiarString(parseReference(r)) });
    }
    await this.ix.saveRefs();
    this.ix.images.delete(id);
    await this.ix.removeRecordFile(id);
    records.push({ deleted: id });
    await this.ix.content.delete(id).catch(() => {});
    // Release layers top-down while no other image or snapshot needs them.
    const stillUsed = new Set([...this.ix.images.values()].flatMap((i) => i.layers.map((l) => l.chainId)));
    const diffsUsed = new Set([...this.ix.images.values()].flatMap((i) => i.layers.map((l) => l.diffId)));
    for (const l of [...img.layers].reverse()) {
      if (stillUsed.has(l.chainId)) break;
      try {
        await this.ix.snapshots.remove(l.chainId);
      } catch (e) {
        if (isKind(e, 'conflict')) break; // a container or another layer sits on it
        if (!isKind(e, 'not-found')) throw e;
      }
      if (!diffsUsed.has(l.diffId)) await this.ix.content.delete(l.diffId).catch(() => {});
      records.push({ deleted: l.chainId });
    }
    if (prune && img.parent) {
      const parent = this.ix.images.get(img.parent);
      if (parent && this.ix.refsOf(parent.id).length === 0) await this.delete(parent, records, false, true, [], true);
    }
  }
}

function isSingleReference(refs: string[]): boolean {
  if (refs.length <= 1) return refs.length === 1;
  const name = (r: string) => r.split('@')[0].replace(/:[^/:]+$/, '');
  const tags = refs.filter((r) => !r.includes('@'));
  if (tags.length > 1) return false;
  const canonical = new Set(refs.filter((r) => r.includes('@')).map(name));
  const single = tags[0] ?? refs[0];
  return canonical.size === 1 && canonical.has(name(single));
}
