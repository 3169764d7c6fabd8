// Container network namespaces, persisted as nsfs bind mounts under <exec-root>/netns/<id> so they outlive
// the processes that made them (and berthd restarts). A few are made ahead of time (.pool-*, in a directory of
// their own outside the exec-root, so they do not count among the daemon's mounts): a start takes one by a
// symlink <id> → <pool dir>/.pool-x instead of spawning unshare on its critical path.
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { redirectDns } from './dns/redirect.js';
import { run } from './exec.js';

/** Container namespaces as the service uses them (Netns; tests pass a fake). */
export interface NetnsPort {
  pathOf(id: string): string;
  exists(id: string): boolean;
  create(id: string): Promise<string>;
  remove(id: string): Promise<void>;
  list(): string[];
  /** Send the namespace's 127.0.0.11:53 to the embedded DNS server on `gateway`. */
  /** `jumps` false: the jumps into berth's chains exist already (only the chains are rewritten). */
  redirectDns(netnsPath: string, ifname: string, gateway: string, self: string, jumps?: boolean): Promise<void>;
  /** Daemon shutdown: the namespaces made ahead of time go. */
  drain?(): Promise<void>;
}

const POOL = '.pool-';
/** Namespaces kept ready; BERTH_NETNS_POOL=0 turns the pool off (benchmarks compare both). */
const POOL_SIZE = Math.max(0, Math.min(16, Number(process.env.BERTH_NETNS_POOL ?? 4) || 0));

export class Netns implements NetnsPort {
  private readonly pool: string[] = [];
  private filling: Promise<void> | null = null;
  private closed = false;
  /** A crashed berthd's unused pooled namespaces are removed before any new one is made. */
  private readonly swept: Promise<void>;

  constructor(
    readonly dir: string,
    private readonly poolSize = POOL_SIZE,
    /** One per exec-root (several berthds on one host, test daemons in their own mount namespaces). */
    readonly poolDir = path.join('/run/berth-netns-pool', createHash('sha256').update(dir).digest('hex').slice(0, 16)),
  ) {
    this.swept = this.sweep().catch(() => {});
  }

  pathOf(id: string): string {
    return path.join(this.dir, id);
  }

  exists(id: string): boolean {
    try {
      // a bind-mounted nsfs file lives on another device than its directory (stat follows a pool link)
      const st = fs.statSync(this.pathOf(id), { throwIfNoEntry: false }); // ps asks for every container: no throw
      return !!st && st.dev !== fs.statSync(this.dir).dev;
    } catch {
      return false;
    }
  }

  async create(id: string): Promise<string> {
    const p = this.pathOf(id);
    await fsp.mkdir(this.dir, { recursive: true });
    if (this.exists(id)) return p;
    await fsp.rm(p, { force: true }); // a dangling link or an unmounted file
    const pooled = this.pool.shift();
    this.refill();
    if (pooled) await fsp.symlink(path.join(this.poolDir, pooled), p);
    else await makeNamespace(p);
    return p;
  }

  async remove(id: string): Promise<void> {
    const p = this.pathOf(id);
    const target = await fsp.readlink(p).catch(() => null);
    const real = target ? path.resolve(this.dir, target) : p;
    await run('umount', ['-l', real], { allowFail: true });
    await fsp.rm(real, { force: true });
    // the link last: a crash before leaves it listed, and the next start removes both
    if (target) await fsp.rm(p, { force: true });
  }

  list(): string[] {
    try {
      return fs.readdirSync(this.dir);
    } catch {
      return [];
    }
  }

  redirectDns(netnsPath: string, ifname: string, gateway: string, self: string, jumps = true): Promise<void> {
    return redirectDns(netnsPath, ifname, gateway, self, jumps);
  }

  /** Resolves once the pool is full (or a round of making failed): tests and benchmarks. */
  async filled(): Promise<number> {
    this.refill();
    await this.filling;
    return this.pool.length;
  }

  async drain(): Promise<void> {
    this.closed = true;
    await this.swept;
    await this.filling;
    for (const name of this.pool.splice(0)) await this.unmake(name);
    await fsp.rmdir(this.poolDir).catch(() => {}); // still in use by running containers: it stays
  }

  /** Made in the background, one at a time, up to the pool's size; a failure stops this round. */
  private refill(): void {
    if (this.filling || this.closed || this.pool.length >= this.poolSize) return;
    this.filling = (async () => {
      await this.swept;
      await fsp.mkdir(this.poolDir, { recursive: true });
      while (!this.closed && this.pool.length < this.poolSize) {
        const name = POOL + randomBytes(6).toString('hex');
        try {
          await makeNamespace(path.join(this.poolDir, name));
        } catch {
          await this.unmake(name);
          return;
        }
        if (this.closed) await this.unmake(name);
        else this.pool.push(name);
      }
    })().finally(() => {
      this.filling = null;
    });
  }

  /** Pooled namespaces no container links to: what a berthd killed with -9 left. */
  private async sweep(): Promise<void> {
    const pooled = await fsp.readdir(this.poolDir).catch(() => [] as string[]);
    if (!pooled.length) return;
    const used = new Set<string>();
    for (const n of await fsp.readdir(this.dir).catch(() => [] as string[])) {
      const t = await fsp.readlink(path.join(this.dir, n)).catch(() => null);
      if (t) used.add(path.resolve(this.dir, t));
    }
    for (const n of pooled) if (n.startsWith(POOL) && !used.has(path.join(this.poolDir, n))) await this.unmake(n);
  }

  private async unmake(name: string): Promise<void> {
    const p = path.join(this.poolDir, name);
    await run('umount', ['-l', p], { allowFail: true });
    await fsp.rm(p, { force: true });
  }
}

/** unshare bind-mounts a new namespace onto `p`; the script runs inside it. */
async function makeNamespace(p: string): Promise<void> {
  await fsp.writeFile(p, '');
  // Interfaces added later start with IPv6 off, as Docker does for networks without IPv6 (glibc then keeps the
  // DNS order of answers instead of sorting them by prefix, so round-robin aliases rotate); IPv6 endpoints turn
  // it on.
  await run('unshare', [
    `--net=${p}`,
    'sh',
    '-c',
    'echo 1 > /proc/sys/net/ipv6/conf/default/disable_ipv6; ip link set lo up',
  ]);
}
