// Container network namespaces, persisted as nsfs bind mounts under <exec-root>/netns/<id> so they outlive
// the processes that made them (and berthd restarts).
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { run } from './exec.js';

export class Netns {
  constructor(readonly dir: string) {}

  pathOf(id: string): string {
    return path.join(this.dir, id);
  }

  exists(id: string): boolean {
    try {
      // a bind-mounted nsfs file lives on another device than its directory
      return fs.statSync(this.pathOf(id)).dev !== fs.statSync(this.dir).dev;
    } catch {
      return false;
    }
  }

  async create(id: string): Promise<string> {
    const p = this.pathOf(id);
    await fsp.mkdir(this.dir, { recursive: true });
    if (this.exists(id)) return p;
    await fsp.writeFile(p, '');
    // unshare bind-mounts the new namespace onto the file; the script runs inside it. Interfaces added later
    // start with IPv6 off, as Docker does for networks without IPv6 (glibc then keeps the DNS order of
    // answers instead of sorting them by prefix, so round-robin aliases rotate); IPv6 endpoints turn it on.
    await run('unshare', [`--net=${p}`, 'sh', '-c', 'echo 1 > /proc/sys/net/ipv6/conf/default/disable_ipv6; ip link set lo up']);
    return p;
  }

  async remove(id: string): Promise<void> {
    const p = this.pathOf(id);
    await run('umount', ['-l', p], { allowFail: true });
    await fsp.rm(p, { force: true });
  }

  list(): string[] {
    try {
      return fs.readdirSync(this.dir);
    } catch {
      return [];
    }
  }
}
