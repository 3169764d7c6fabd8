// The host's IPv4 routes, which a new network's subnet must not overlap (Docker skips them too).
import { run } from './exec.js';
import { parseCidr4, type Cidr4 } from './ip.js';

/** IPv4 subnets routed on the host, except those through `ownBridges` (our own bridges' routes). */
export async function routedSubnets(ownBridges: string[] = []): Promise<Cidr4[]> {
  const r = await run('ip', ['-4', '-o', 'route', 'show'], { allowFail: true });
  return parseRoutes(r.stdout, ownBridges);
}

/** `ip -4 -o route show` output → destinations (a bare address is a /32; the default route is skipped). */
export function parseRoutes(text: string, ownBridges: string[] = []): Cidr4[] {
  const out: Cidr4[] = [];
  for (const line of text.split('\n')) {
    const f = line.trim().split(/\s+/);
    const dev = f[f.indexOf('dev') + 1];
    if (f.includes('dev') && dev && ownBridges.includes(dev)) continue;
    const dst = f[0];
    if (!dst || dst === 'default') continue;
    const c = parseCidr4(dst.includes('/') ? dst : `${dst}/32`);
    if (c) out.push(c);
  }
  return out;
}
