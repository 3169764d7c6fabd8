// Formatting as the docker CLI prints it (go-units HumanSize, ps's PORTS column, short ids).

const UNITS = ['B', 'kB', 'MB', 'GB', 'TB', 'PB'];
/** Decimal sizes with 3 significant digits, like docker images' SIZE column. */
export function humanSize(n: number): string {
  if (!Number.isFinite(n) || n < 0) return '-';
  let i = 0;
  let v = n;
  while (v >= 1000 && i < UNITS.length - 1) {
    v /= 1000;
    i++;
  }
  return `${Number(v.toPrecision(3))}${UNITS[i]}`;
}

/** Binary sizes, like docker stats' memory columns. */
export function binarySize(n: number): string {
  const u = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  let v = n;
  while (v >= 1024 && i < u.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(i === 0 ? 0 : 2)}${u[i]}`;
}

export const shortId = (id: string) => id.replace(/^sha256:/, '').slice(0, 12);

export interface Port {
  IP?: string;
  PrivatePort: number;
  PublicPort?: number;
  Type: string;
}

/** The PORTS column: "0.0.0.0:8080->80/tcp, 443/tcp", sorted like the CLI. */
export function formatPorts(ports: Port[] | null | undefined): string {
  const seen = new Set<string>();
  const out: string[] = [];
  const sorted = [...(ports ?? [])].sort(
    (a, b) =>
      a.PrivatePort - b.PrivatePort || (a.PublicPort ?? 0) - (b.PublicPort ?? 0) || a.Type.localeCompare(b.Type),
  );
  for (const p of sorted) {
    const host = p.IP?.includes(':') ? `[${p.IP}]` : p.IP;
    const s = p.PublicPort
      ? `${host ?? '0.0.0.0'}:${p.PublicPort}->${p.PrivatePort}/${p.Type}`
      : `${p.PrivatePort}/${p.Type}`;
    if (!seen.has(s)) out.push(s);
    seen.add(s);
  }
  return out.join(', ');
}

/** Health from a container list's Status text ("Up 3 minutes (healthy)"), or '' without a check. */
export function healthOf(status: string): string {
  return /\((healthy|unhealthy|health: starting)\)/.exec(status)?.[1] ?? '';
}

/** "3 minutes ago" from a unix time, as the CLI prints CREATED. */
export function ago(unixSeconds: number, now = Date.now()): string {
  const s = Math.max(0, Math.round(now / 1000 - unixSeconds));
  const steps: Array<[number, string]> = [
    [60 * 60 * 24 * 365, 'year'],
    [60 * 60 * 24 * 30, 'month'],
    [60 * 60 * 24 * 7, 'week'],
    [60 * 60 * 24, 'day'],
    [60 * 60, 'hour'],
    [60, 'minute'],
  ];
  for (const [n, name] of steps) {
    const k = Math.floor(s / n);
    if (k >= 1) return k === 1 ? `${name === 'hour' ? 'An' : 'A'} ${name} ago` : `${k} ${name}s ago`;
  }
  return s < 1 ? 'Less than a second ago' : `${s} seconds ago`;
}
