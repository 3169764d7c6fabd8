// Container network namespaces, persisted as nsfs bind mounts under <exec-root>/netns/<id> so they outlive
// the processes that made them (and berthd restarts).
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
}

export class Netns implements NetnsPort {
  constructor(readonly dir: string) {}

  pathOf(id: string): string {
    return path.join(this.dir, id);
  }

  exists(id: string): boolean {
    try {
      // a bind-mounted nsfs file lives on another device than its directory
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
    await fsp.writeFile(p, '');
    // unshare bind-mounts the new namespace onto the file; the script runs inside it. Interfaces added later
    // start with IPv6 off, as Docker does for networks without IPv6 (glibc then keeps the DNS order of
    // answers instead of sorting them by prefix, so round-robin aliases rotate); IPv6 endpoints turn it on.
    await run('unshare', [
      `--net=${p}`,
      'sh',
      '-c',
      'echo 1 > /proc/sys/net/ipv6/conf/default/disable_ipv6; ip link set lo up',
    ]);
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

  redirectDns(netnsPath: string, ifname: string, gateway: string, self: string, jumps = true): Promise<void> {
    return redirectDns(netnsPath, ifname, gateway, self, jumps);
  }
}
