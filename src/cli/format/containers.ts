// formatter/container.go: the `ps` row context, column headers and default formats.
import type { ContainerSummary, Port } from '../../client/types.js';
import { ellipsis, truncateId } from './ellipsis.js';
import { goTimeString, humanSizeWithPrecision, timeAgo } from './units.js';
import type { Row } from './render.js';

export const containerHeaders: Record<string, string> = {
  ID: 'CONTAINER ID',
  Names: 'NAMES',
  Image: 'IMAGE',
  Command: 'COMMAND',
  CreatedAt: 'CREATED AT',
  RunningFor: 'CREATED',
  Ports: 'PORTS',
  State: 'STATE',
  Status: 'STATUS',
  Size: 'SIZE',
  Labels: 'LABELS',
  Mounts: 'MOUNTS',
  Networks: 'NETWORKS',
  LocalVolumes: 'LOCAL VOLUMES',
  Platform: 'PLATFORM',
};

export function psDefaultFormat(size: boolean): string {
  return (
    'table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.RunningFor}}\t{{.Status}}\t{{.Ports}}\t{{.Names}}' +
    (size ? '\t{{.Size}}' : '')
  );
}

const cmpStr = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

function joinHostPort(ip: string, port: number): string {
  return ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`;
}

/** api/types DisplayablePorts: ranges grouped, host mappings last. */
export function displayablePorts(ports: Port[]): string {
  const sorted = [...ports].sort(
    (a, b) =>
      a.PrivatePort - b.PrivatePort ||
      cmpStr(a.IP ?? '', b.IP ?? '') ||
      (a.PublicPort ?? 0) - (b.PublicPort ?? 0) ||
      cmpStr(a.Type, b.Type),
  );
  const groups = new Map<string, { first: number; last: number }>();
  const result: string[] = [];
  const hostMappings: string[] = [];
  const formGroup = (key: string, first: number, last: number) => {
    const parts = key.split('/');
    let type = parts[0];
    let ip = '';
    if (parts.length > 1) {
      ip = parts.slice(0, -1).join('/');
      type = parts[parts.length - 1];
    }
    let g = String(first);
    if (first !== last) g = `${g}-${last}`;
    if (ip) g = `${ip}:${g}->${g}`;
    return `${g}/${type}`;
  };
  for (const p of sorted) {
    const cur = p.PrivatePort;
    let key = p.Type;
    if (p.IP) {
      if (p.PublicPort !== cur) {
        hostMappings.push(`${joinHostPort(p.IP, p.PublicPort ?? 0)}->${p.PrivatePort}/${p.Type}`);
        continue;
      }
      key = `${p.IP}/${p.Type}`;
    }
    const g = groups.get(key);
    if (!g) {
      groups.set(key, { first: cur, last: cur });
      continue;
    }
    if (cur === g.last + 1) {
      g.last = cur;
      continue;
    }
    result.push(formGroup(key, g.first, g.last));
    groups.set(key, { first: cur, last: cur });
  }
  for (const [k, g] of groups) result.push(formGroup(k, g.first, g.last));
  return [...result, ...hostMappings].join(', ');
}

function familiarImage(image: string, imageId: string, trunc: boolean): string {
  if (!image) return '<no image>';
  if (!trunc) return image;
  if (truncateId(imageId) === truncateId(image)) return truncateId(image);
  // drop a digest, keep the tag
  const at = image.indexOf('@');
  let s = at >= 0 ? image.slice(0, at) : image;
  s = s.replace(/^docker\.io\/library\//, '').replace(/^docker\.io\//, '');
  return s;
}

export function containerRow(c: ContainerSummary, o: { trunc: boolean; now?: number }): Row {
  const now = o.now ?? Date.now();
  const labels = c.Labels ?? {};
  return {
    get ID() {
      return o.trunc ? truncateId(c.Id) : c.Id;
    },
    get Names() {
      let names = (c.Names ?? []).map((n) => n.replace(/^\//, ''));
      if (o.trunc) {
        const plain = names.find((n) => !n.includes('/'));
        if (plain !== undefined) names = [plain];
      }
      return names.join(',');
    },
    get Image() {
      return familiarImage(c.Image, c.ImageID, o.trunc);
    },
    get Command() {
      return JSON.stringify(o.trunc ? ellipsis(c.Command ?? '', 20) : (c.Command ?? ''));
    },
    get CreatedAt() {
      return goTimeString(c.Created);
    },
    get RunningFor() {
      return timeAgo(c.Created, now);
    },
    get Ports() {
      return displayablePorts(c.Ports ?? []);
    },
    get State() {
      return c.State;
    },
    get Status() {
      return c.Status;
    },
    get Size() {
      const srw = humanSizeWithPrecision(c.SizeRw ?? 0, 3);
      if ((c.SizeRootFs ?? 0) > 0) return `${srw} (virtual ${humanSizeWithPrecision(c.SizeRootFs!, 3)})`;
      return srw;
    },
    get Labels() {
      return Object.keys(labels)
        .sort()
        .map((k) => `${k}=${labels[k]}`)
        .join(',');
    },
    Label(name: unknown) {
      return labels[String(name)] ?? '';
    },
    get Mounts() {
      return (c.Mounts ?? [])
        .map((m) => (m.Name ? (o.trunc ? ellipsis(m.Name, 15) : m.Name) : (m.Source ?? '')))
        .join(',');
    },
    get LocalVolumes() {
      return String((c.Mounts ?? []).filter((m) => m.Type === 'volume').length);
    },
    get Networks() {
      return Object.keys(c.NetworkSettings?.Networks ?? {})
        .sort()
        .join(',');
    },
    // a nil *Platform (JSON null) unless the daemon sent the image's manifest descriptor
    get Platform() {
      const pl = (
        c as { ImageManifestDescriptor?: { platform?: { os?: string; architecture?: string; variant?: string } } }
      ).ImageManifestDescriptor?.platform;
      return pl ? [pl.os, pl.architecture, pl.variant].filter(Boolean).join('/') : null;
    },
  };
}
