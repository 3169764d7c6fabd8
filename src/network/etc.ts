// /etc/hosts, /etc/resolv.conf and legacy-link environment variables, as Docker writes them (pure).

export const HOSTS_HEADER =
  '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\nfe00::0\tip6-localnet\nff00::0\tip6-mcastprefix\nff02::1\tip6-allnodes\nff02::2\tip6-allrouters\n';

export interface HostsInput {
  extraHosts: string[]; // "name:ip", or "name:host-gateway"
  /** What `host-gateway` stands for: the default bridge's gateway, as moby's HostGatewayIP. */
  hostGateway?: string;
  links: Array<{ ip: string; alias: string; id: string; name: string }>;
  self?: { ip: string; hostname: string; domainname?: string };
}

export function buildHosts(h: HostsInput): string {
  let out = HOSTS_HEADER;
  for (const e of h.extraHosts) {
    const i = e.indexOf(':');
    const ip = i > 0 && e.slice(i + 1) === 'host-gateway' ? h.hostGateway : e.slice(i + 1);
    if (i > 0 && ip) out += `${ip}\t${e.slice(0, i)}\n`;
  }
  for (const l of h.links) out += `${l.ip}\t${l.alias} ${l.id.slice(0, 12)} ${l.name}\n`;
  if (h.self?.ip) {
    const names = h.self.domainname ? `${h.self.hostname}.${h.self.domainname} ${h.self.hostname}` : h.self.hostname;
    out += `${h.self.ip}\t${names}\n`;
  }
  return out;
}

export interface ResolvInput {
  host: string; // the host's /etc/resolv.conf
  embedded: boolean; // user network: 127.0.0.11
  dns: string[];
  search: string[];
  options: string[];
}

export function hostNameservers(resolv: string): string[] {
  return [...resolv.matchAll(/^\s*nameserver\s+(\S+)/gm)].map((m) => m[1]!);
}

export function buildResolvConf(r: ResolvInput): string {
  const search = r.search.length
    ? r.search
    : [...r.host.matchAll(/^\s*(?:search|domain)\s+(.+)$/gm)].flatMap((m) => m[1]!.trim().split(/\s+/));
  const hostOpts = [...r.host.matchAll(/^\s*options\s+(.+)$/gm)].flatMap((m) => m[1]!.trim().split(/\s+/));
  let ns: string[];
  let opts = r.options.length ? [...r.options] : hostOpts;
  if (r.embedded) {
    ns = ['127.0.0.11'];
    if (!opts.some((o) => o.startsWith('ndots:'))) opts = [...opts, 'ndots:0'];
  } else {
    ns = r.dns.length ? r.dns : hostNameservers(r.host).filter((n) => !/^(127\.|::1$)/.test(n));
    if (!ns.length) ns = ['8.8.8.8', '8.8.4.4'];
  }
  let out = ns.map((n) => `nameserver ${n}\n`).join('');
  if (search.length) out += `search ${search.join(' ')}\n`;
  if (opts.length) out += `options ${opts.join(' ')}\n`;
  return out;
}

export interface LinkEnvInput {
  alias: string;
  name: string; // "/self/alias"
  ip: string;
  ports: Array<{ port: number; proto: string }>;
  env: string[]; // the target's Config.Env
}

/** Docker's legacy link variables (<ALIAS>_PORT, _PORT_<n>_<PROTO>…, _NAME, _ENV_…). */
export function linkEnv(l: LinkEnvInput): string[] {
  const A = l.alias.toUpperCase().replace(/-/g, '_');
  const out: string[] = [];
  const ports = [...l.ports].sort((a, b) => a.port - b.port || a.proto.localeCompare(b.proto));
  if (ports.length) out.push(`${A}_PORT=${ports[0]!.proto}://${l.ip}:${ports[0]!.port}`);
  for (const p of ports) {
    const P = `${A}_PORT_${p.port}_${p.proto.toUpperCase()}`;
    out.push(
      `${P}=${p.proto}://${l.ip}:${p.port}`,
      `${P}_ADDR=${l.ip}`,
      `${P}_PORT=${p.port}`,
      `${P}_PROTO=${p.proto}`,
    );
  }
  out.push(`${A}_NAME=${l.name}`);
  for (const e of l.env) {
    const i = e.indexOf('=');
    if (i < 0) continue;
    const k = e.slice(0, i);
    if (k === 'HOME' || k === 'PATH') continue;
    out.push(`${A}_ENV_${k}=${e.slice(i + 1)}`);
  }
  return out;
}
