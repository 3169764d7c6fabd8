// Docker's JSON for the engine's small container answers (moby api/types/container): create,
// wait, top, prune, update and exec create. The engine returns data; only this file spells them.
import type { Created, Pruned, TopTable } from '../../engine/types.js';

/** container.CreateResponse (and exec create's IDResponse without warnings). */
export const createdJson = (r: Created) => ({ Id: r.id, Warnings: r.warnings });
export const idJson = (r: { id: string }) => ({ Id: r.id });

/** container.WaitResponse: Error only when waiting itself failed, which the engine throws instead. */
export const waitJson = (r: { statusCode: number }) => ({ StatusCode: r.statusCode, Error: null });

/** container.TopResponse. */
export const topJson = (r: TopTable) => ({ Titles: r.titles, Processes: r.processes });

/** container.PruneReport. */
export const pruneJson = (r: Pruned) => ({ ContainersDeleted: r.deleted, SpaceReclaimed: r.spaceReclaimed });

/** container.UpdateResponse. */
export const updateJson = (r: { warnings: string[] }) => ({ Warnings: r.warnings });
