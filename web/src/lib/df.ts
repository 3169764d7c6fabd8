// `docker system df`'s summary table from GET /system/df (the CLI's formatter/disk_usage.go rules).

export interface DfAnswer {
  LayersSize?: number;
  Images?: Array<{ Size: number; SharedSize?: number; Containers: number }> | null;
  Containers?: Array<{ State: string; SizeRw?: number }> | null;
  Volumes?: Array<{ UsageData?: { Size: number; RefCount: number } | null }> | null;
  BuildCache?: Array<{ Size: number; InUse: boolean; Shared: boolean }> | null;
}

export interface DfRow {
  type: string;
  total: number;
  active: number;
  size: number;
  reclaimable: number;
}

export function dfRows(d: DfAnswer): DfRow[] {
  const images = d.Images ?? [];
  const usedImages = images.filter((i) => i.Containers > 0);
  const used = usedImages.reduce((n, i) => n + i.Size - (i.SharedSize && i.SharedSize > 0 ? i.SharedSize : 0), 0);
  const layers = d.LayersSize ?? 0;
  const ctrs = d.Containers ?? [];
  const ctrSize = ctrs.reduce((n, c) => n + (c.SizeRw ?? 0), 0);
  const vols = d.Volumes ?? [];
  const volSize = (v: DfAnswer['Volumes'] & object) => v.reduce((n, x) => n + Math.max(x.UsageData?.Size ?? 0, 0), 0);
  const cache = d.BuildCache ?? [];
  return [
    {
      type: 'Images',
      total: images.length,
      active: usedImages.length,
      size: layers,
      reclaimable: Math.max(layers - used, 0),
    },
    {
      type: 'Containers',
      total: ctrs.length,
      active: ctrs.filter((c) => c.State === 'running').length,
      size: ctrSize,
      reclaimable: ctrs.filter((c) => c.State !== 'running').reduce((n, c) => n + (c.SizeRw ?? 0), 0),
    },
    {
      type: 'Local Volumes',
      total: vols.length,
      active: vols.filter((v) => (v.UsageData?.RefCount ?? 0) > 0).length,
      size: volSize(vols),
      reclaimable: volSize(vols.filter((v) => (v.UsageData?.RefCount ?? 0) === 0)),
    },
    {
      type: 'Build Cache',
      total: cache.length,
      active: cache.filter((c) => c.InUse).length,
      size: cache.reduce((n, c) => n + (c.Shared ? 0 : c.Size), 0),
      reclaimable: cache.filter((c) => !c.InUse && !c.Shared).reduce((n, c) => n + c.Size, 0),
    },
  ];
}

/** "1.2MB (40%)" as the RECLAIMABLE column prints it. */
export function reclaimableText(r: DfRow, human: (n: number) => string): string {
  return r.size > 0 ? `${human(r.reclaimable)} (${Math.floor((r.reclaimable * 100) / r.size)}%)` : human(r.reclaimable);
}
