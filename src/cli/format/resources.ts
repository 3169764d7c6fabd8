// formatter/volume.go and network/formatter.go: row contexts, headers and default tables.
import { truncateId } from './ellipsis.js';
import type { Row } from './render.js';
import { humanSize } from './units.js';

export interface VolumeLike {
  Name: string;
  Driver: string;
  Mountpoint: string;
  Scope?: string;
  Labels?: Record<string, string> | null;
  UsageData?: { Size: number; RefCount: number } | null;
}

export interface NetworkLike {
  Id: string;
  Name: string;
  Driver: string;
  Scope?: string;
  Created?: string;
  EnableIPv4?: boolean;
  EnableIPv6?: boolean;
  Internal?: boolean;
  Labels?: Record<string, string> | null;
}

export const volumeHeaders: Record<string, string> = {
  Name: 'VOLUME NAME',
  Driver: 'DRIVER',
  Scope: 'SCOPE',
  Mountpoint: 'MOUNTPOINT',
  Labels: 'LABELS',
  Links: 'LINKS',
  Size: 'SIZE',
};
export const volumeDefaultFormat = 'table {{.Driver}}\t{{.Name}}';

export const networkHeaders: Record<string, string> = {
  ID: 'NETWORK ID',
  Name: 'NAME',
  Driver: 'DRIVER',
  Scope: 'SCOPE',
  IPv4: 'IPV4',
  IPv6: 'IPV6',
  Internal: 'INTERNAL',
  Labels: 'LABELS',
  CreatedAt: 'CREATED AT',
};
export const networkDefaultFormat = 'table {{.ID}}\t{{.Name}}\t{{.Driver}}\t{{.Scope}}';

/** Labels as `k=v,…`, keys sorted (Go's map order is random; sorted is one of its outcomes). */
export function joinLabels(labels: Record<string, string> | null | undefined): string {
  const l = labels ?? {};
  return Object.keys(l)
    .sort()
    .map((k) => `${k}=${l[k]}`)
    .join(',');
}

/** Go's time.Time.String() of an RFC 3339 (nano) time in UTC: fraction without trailing zeros. */
export function goTimeFromISO(iso: string | undefined): string {
  const m = /^(\d{4}-\d\d-\d\d)T(\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)$/.exec(iso ?? '');
  if (!m) return '0001-01-01 00:00:00 +0000 UTC';
  const frac = (m[3] ?? '').replace(/0+$/, '');
  const zone = m[4] === 'Z' ? '+0000 UTC' : `${m[4].replace(':', '')} ${m[4].replace(':', '')}`;
  return `${m[1]} ${m[2]}${frac ? '.' + frac : ''} ${zone}`;
}

export function volumeRow(v: VolumeLike): Row {
  return {
    Name: v.Name,
    Driver: v.Driver,
    Scope: v.Scope ?? 'local',
    Mountpoint: v.Mountpoint,
    Labels: joinLabels(v.Labels),
    Label: (name: unknown) => v.Labels?.[String(name)] ?? '',
    Links: v.UsageData ? String(v.UsageData.RefCount) : 'N/A',
    Size: v.UsageData && v.UsageData.Size >= 0 ? humanSize(v.UsageData.Size) : 'N/A',
    Group: 'N/A',
    Availability: 'N/A',
    Status: 'N/A',
  };
}

export function networkRow(n: NetworkLike, trunc: boolean): Row {
  return {
    ID: trunc ? truncateId(n.Id) : n.Id,
    Name: n.Name,
    Driver: n.Driver,
    Scope: n.Scope ?? 'local',
    IPv4: String(n.EnableIPv4 ?? false),
    IPv6: String(n.EnableIPv6 ?? false),
    Internal: String(n.Internal ?? false),
    Labels: joinLabels(n.Labels),
    Label: (name: unknown) => n.Labels?.[String(name)] ?? '',
    CreatedAt: goTimeFromISO(n.Created),
  };
}

/** sortorder.NaturalLess: digit runs compare as numbers (docker sorts volume and network lists so). */
export function naturalLess(a: string, b: string): number {
  const re = /(\d+)|(\D+)/g;
  const pa = a.match(re) ?? [];
  const pb = b.match(re) ?? [];
  for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
    const x = pa[i];
    const y = pb[i];
    if (x === y) continue;
    const nx = /^\d/.test(x);
    const ny = /^\d/.test(y);
    if (nx && ny) {
      const d = Number(x) - Number(y);
      if (d !== 0) return d;
      return x.length - y.length;
    }
    return x < y ? -1 : 1;
  }
  return pa.length - pb.length;
}
