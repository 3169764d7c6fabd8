// Pure helpers of the benchmark: statistics, /proc parsing and the result table.

export function median(xs: number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** VmRSS in bytes from the text of /proc/<pid>/status, or 0 when absent. */
export function vmRssBytes(status: string): number {
  const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
  return m ? Number(m[1]) * 1024 : 0;
}

/**
 * Pss in bytes from the text of /proc/<pid>/smaps_rollup, or 0 when absent: private pages plus a
 * share of the shared ones (conmon's RSS is mostly libc and glib pages every conmon shares).
 */
export function pssBytes(smapsRollup: string): number {
  const m = /^Pss:\s+(\d+)\s+kB/m.exec(smapsRollup);
  return m ? Number(m[1]) * 1024 : 0;
}

/** PPid from the text of /proc/<pid>/status, or -1. */
export function parentPid(status: string): number {
  const m = /^PPid:\s+(\d+)/m.exec(status);
  return m ? Number(m[1]) : -1;
}

export type Unit = 'ms' | 's' | 'MiB';

export interface Row {
  name: string;
  unit: Unit;
  /** Budget: the figure must be at most this. */
  budget?: number;
  berth: number | null;
  ref?: number | null;
  /** A second reference daemon (Podman) measured in the same run. */
  ref2?: number | null;
}

function fmt(v: number | null | undefined, unit: Unit): string {
  if (v === null || v === undefined || Number.isNaN(v)) return '-';
  const digits = unit === 'ms' ? (v < 10 ? 1 : 0) : unit === 's' ? 2 : 1;
  return `${v.toFixed(digits)} ${unit}`;
}

/**
 * A plain-text table; each reference column is followed by its ratio = berth / that reference (below
 * 1 means berth is better). `ref2` names the second reference's column (Podman) when it was measured.
 */
export function formatTable(rows: Row[], withRef: boolean, ref2?: string): string {
  const refs: Array<[string, 'ref' | 'ref2']> = [
    ...(withRef ? [['reference', 'ref'] as [string, 'ref']] : []),
    ...(ref2 ? [[ref2, 'ref2'] as [string, 'ref2']] : []),
  ];
  const head = ['metric', 'berth', ...refs.flatMap(([label]) => [label, 'ratio']), 'budget', ''];
  const body = rows.map((r) => {
    const ok = r.budget === undefined || r.berth === null ? '' : r.berth <= r.budget ? 'ok' : 'OVER';
    const cols = refs.flatMap(([, key]) => {
      const v = r[key];
      return [fmt(v, r.unit), r.berth !== null && v ? (r.berth / v).toFixed(2) : '-'];
    });
    return [r.name, fmt(r.berth, r.unit), ...cols, r.budget === undefined ? '' : `≤ ${r.budget} ${r.unit}`, ok];
  });
  const all = [head, ...body];
  const widths = head.map((_, i) => Math.max(...all.map((row) => row[i].length)));
  const line = (row: string[]) =>
    row
      .map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i])))
      .join('  ')
      .trimEnd();
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}
