// HostConfig.PortBindings / PublishAllPorts → the list of ports to publish (pure, before allocation).
import { invalid } from '../../errdefs.js';

export interface PortRequest {
  proto: 'tcp' | 'udp';
  containerPort: number;
  hostIp: string; // '0.0.0.0' when unspecified
  hostPortStart: number; // 0 = ephemeral
  hostPortEnd: number;
}

type Bindings = Record<string, Array<{ HostIp?: string; HostPort?: string }> | null> | null | undefined;

export function parsePortKey(key: string): { port: number; proto: 'tcp' | 'udp' } {
  const [p, proto = 'tcp'] = key.split('/');
  if (!/^\d+$/.test(p ?? '') || Number(p) < 1 || Number(p) > 65535) throw invalid(`invalid containerPort: ${p}`);
  if (proto !== 'tcp' && proto !== 'udp') throw invalid(`invalid proto: ${proto}`);
  return { port: Number(p), proto };
}

function hostRange(s: string | undefined): [number, number] {
  if (!s) return [0, 0];
  const m = /^(\d+)(?:-(\d+))?$/.exec(s);
  if (!m) throw invalid(`invalid hostPort: ${s}`);
  const a = Number(m[1]);
  const b = m[2] ? Number(m[2]) : a;
  if (a < 1 || a > 65535 || b > 65535 || b < a) throw invalid(`invalid hostPort: ${s}`);
  return [a, b];
}

/** Validate and expand bindings; PublishAllPorts adds an ephemeral binding for each exposed port without one. */
export function portRequests(
  bindings: Bindings,
  exposed: Record<string, object> | null | undefined,
  publishAll: boolean,
): PortRequest[] {
  const out: PortRequest[] = [];
  const seen = new Set<string>();
  for (const [key, list] of Object.entries(bindings ?? {})) {
    const { port, proto } = parsePortKey(key);
    seen.add(`${port}/${proto}`);
    for (const b of list ?? [{}]) {
      const [s, e] = hostRange(b.HostPort);
      const hostIp = b.HostIp || '0.0.0.0';
      if (hostIp.includes(':')) continue; // IPv6 host addresses are not published (no ip6tables support yet)
      out.push({ proto, containerPort: port, hostIp, hostPortStart: s, hostPortEnd: e });
    }
  }
  if (publishAll)
    for (const key of Object.keys(exposed ?? {})) {
      const { port, proto } = parsePortKey(key);
      if (seen.has(`${port}/${proto}`)) continue;
      out.push({ proto, containerPort: port, hostIp: '0.0.0.0', hostPortStart: 0, hostPortEnd: 0 });
    }
  return out;
}
