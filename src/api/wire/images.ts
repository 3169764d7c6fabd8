// Image JSON of the Engine API (moby api/types/image): list summaries, inspect and history,
// shaped from the image store's data views.
import type { DeleteItem as StoreDeleteItem, ImageView } from '../../images/store.js';
import type { ContainerConfig } from '../../images/container-config.js';
import { emptyContainerConfig } from '../../images/types.js';
import { ZERO_TIME } from '../../util/time.js';

export interface ImageSummary {
  Containers: number;
  Created: number;
  Id: string;
  /** Other daemons send null where berthd sends {} and []. */
  Labels: Record<string, string> | null;
  ParentId: string;
  RepoDigests: string[] | null;
  RepoTags: string[] | null;
  SharedSize: number;
  Size: number;
  VirtualSize?: number;
}

export interface ImageInspect {
  Id: string;
  RepoTags: string[];
  RepoDigests: string[];
  Parent: string;
  Comment: string;
  Created: string;
  Container: string;
  ContainerConfig: ContainerConfig;
  DockerVersion: string;
  Author: string;
  Config: ContainerConfig;
  Architecture: string;
  Variant?: string;
  Os: string;
  Size: number;
  VirtualSize: number;
  GraphDriver: { Name: string; Data: Record<string, string> | null };
  RootFS: { Type: string; Layers: string[] };
  Metadata: { LastTagTime: string };
}

export interface HistoryItem {
  Id: string;
  Created: number;
  CreatedBy: string;
  Tags: string[] | null;
  Size: number;
  Comment: string;
}

/** One entry of DELETE /images/{name} and prune answers: either key set. */
export interface DeleteItem {
  Untagged?: string;
  Deleted?: string;
}

/** POST /containers/prune and /images/prune. */
export interface PruneReport {
  ContainersDeleted?: string[] | null;
  ImagesDeleted?: DeleteItem[] | null;
  SpaceReclaimed: number;
}

/** rmi's records as moby's image.DeleteResponse items. */
export function deleteItemsJson(items: StoreDeleteItem[]): DeleteItem[] {
  return items.map((i) => ('untagged' in i ? { Untagged: i.untagged } : { Deleted: i.deleted }));
}

/** POST /images/prune's answer: ImagesDeleted null when nothing went. */
export function imagePruneJson(r: { deleted: StoreDeleteItem[]; spaceReclaimed: number }): PruneReport {
  return { ImagesDeleted: r.deleted.length ? deleteItemsJson(r.deleted) : null, SpaceReclaimed: r.spaceReclaimed };
}

/** Go's zero time.Time: LastTagTime of an image never tagged. */
const unixSeconds = (iso: string) => Math.floor(Date.parse(iso) / 1000);

/** Containers and SharedSize are -1 ("not computed", as moby) unless the view carries them (`system df`). */
export function imageSummaryJson(v: ImageView & { containers?: number; sharedSize?: number }): ImageSummary {
  const img = v.record;
  return {
    Containers: v.containers ?? -1,
    Created: unixSeconds(img.created),
    Id: img.id,
    Labels: v.config.config?.Labels ?? {},
    ParentId: img.parent ?? '',
    RepoDigests: v.digests,
    RepoTags: v.tags,
    SharedSize: v.sharedSize ?? -1,
    Size: img.size,
    VirtualSize: img.size,
  };
}

export function imageInspectJson(v: ImageView, graphData: Record<string, string> | null): ImageInspect {
  const { record: img, config: cfg } = v;
  const out: ImageInspect = {
    Id: img.id,
    RepoTags: v.tags,
    RepoDigests: v.digests,
    Parent: img.parent ?? '',
    Comment: cfg.comment ?? '',
    Created: cfg.created ?? img.created,
    Container: cfg.container ?? '',
    ContainerConfig: cfg.container_config ?? emptyContainerConfig(),
    DockerVersion: cfg.docker_version ?? '',
    Author: cfg.author ?? '',
    Config: cfg.config ?? emptyContainerConfig(),
    Architecture: cfg.architecture,
    Os: cfg.os,
    Size: img.size,
    VirtualSize: img.size,
    GraphDriver: { Name: 'overlay2', Data: graphData },
    RootFS: { Type: 'layers', Layers: cfg.rootfs?.diff_ids ?? [] },
    Metadata: { LastTagTime: img.lastTagTime ?? ZERO_TIME },
  };
  if (cfg.variant) out.Variant = cfg.variant;
  return out;
}

/** Newest first; layers are matched to the history entries that made one (empty_layer ones did not). */
/**
 * moby's ImageHistory: the config's history, newest first; the entries take the IDs (and tags) of
 * the image and then of its local parents in turn (a classic build's step images), `<missing>`
 * where the chain ends (pulled layers).
 */
export function imageHistoryJson(v: ImageView, parents: readonly ImageView[] = []): HistoryItem[] {
  const { record: img, config: cfg } = v;
  const items: HistoryItem[] = [];
  let li = 0;
  for (const h of cfg.history ?? []) {
    const size = h.empty_layer ? 0 : (img.layers[li++]?.size ?? 0);
    items.push({
      Id: '<missing>',
      Created: unixSeconds(h.created ?? img.created),
      CreatedBy: h.created_by ?? '',
      Tags: null,
      Size: size,
      Comment: h.comment ?? '',
    });
  }
  items.reverse();
  const chain = [v, ...parents];
  for (let k = 0; k < items.length && k < chain.length; k++) {
    items[k].Id = chain[k].record.id;
    items[k].Tags = chain[k].tags.length ? chain[k].tags : null;
  }
  return items;
}
