// Test support: a DiskUsage over a fixed report that answers only the kinds asked (all when none),
// as the real one, and records the kinds of each call.
import type { DfType, DiskUsage, DiskUsageReport } from '../../engine/disk-usage.js';

const FIELDS: Record<DfType, Array<keyof DiskUsageReport>> = {
  image: ['layersSize', 'images'],
  container: ['containers'],
  volume: ['volumes'],
  'build-cache': ['buildCache'],
};

export function fakeDiskUsage(report: DiskUsageReport): { df: Pick<DiskUsage, 'usage'>; asked: DfType[][] } {
  const asked: DfType[][] = [];
  const usage = async (types: readonly DfType[] = []): Promise<DiskUsageReport> => {
    asked.push([...types]);
    const out: Record<string, unknown> = {};
    for (const [type, fields] of Object.entries(FIELDS) as Array<[DfType, Array<keyof DiskUsageReport>]>)
      if (types.length === 0 || types.includes(type))
        for (const f of fields) if (report[f] !== undefined) out[f] = report[f];
    return out as DiskUsageReport;
  };
  return { df: { usage }, asked };
}
