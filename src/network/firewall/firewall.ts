// Applies rendered rules with iptables-restore (iptables-nft) and owns the jumps from the built-in chains. IPv6
// networks get the same rules through ip6tables, once one exists; a host without ip6tables is warned about once
// and left without IPv6 rules (its IPv6 networks still work on-link).
import { internal } from '../../errdefs.js';
import { run } from '../exec.js';
import { CHAINS, JUMPS, JUMPS6, renderFlush, renderRules, type FwState } from './rules.js';

/** One address family's tools and what was last applied with them. */
class Family {
  jumpsReady = false;
  last = '';
  /** ip6tables failed once: not tried again until the next daemon start. */
  broken = false;

  constructor(
    readonly family: 4 | 6,
    readonly bin: string,
    readonly jumps: typeof JUMPS,
  ) {}

  async apply(s: FwState): Promise<void> {
    const text = renderRules(s, this.family);
    if (text === this.last && this.jumpsReady) return;
    await run(`${this.bin}-restore`, ['--noflush', '-w'], { input: text });
    this.last = text;
    if (!this.jumpsReady) {
      for (const [table, chain, rule] of this.jumps) {
        const ok = await run(this.bin, ['-w', '-t', table, '-C', chain, ...rule], { allowFail: true });
        if (ok.code !== 0) await run(this.bin, ['-w', '-t', table, '-I', chain, '1', ...rule]);
      }
      this.jumpsReady = true;
    }
  }

  async cleanup(): Promise<void> {
    for (const [table, chain, rule] of this.jumps) {
      for (let i = 0; i < 8; i++) {
        const r = await run(this.bin, ['-w', '-t', table, '-D', chain, ...rule], { allowFail: true });
        if (r.code !== 0) break;
      }
    }
    await run(`${this.bin}-restore`, ['--noflush', '-w'], { input: renderFlush(), allowFail: true });
    for (const table of ['filter', 'nat'] as const)
      for (const c of [...CHAINS[table]].reverse())
        await run(this.bin, ['-w', '-t', table, '-X', c], { allowFail: true });
    this.jumpsReady = false;
    this.last = '';
  }
}

export class Firewall {
  private readonly v4 = new Family(4, 'iptables', JUMPS);
  private readonly v6 = new Family(6, 'ip6tables', JUMPS6);

  constructor(readonly enabled: boolean) {}

  async apply(s: FwState): Promise<void> {
    if (!this.enabled) return;
    await this.v4.apply(s);
    // ip6tables only once an IPv6 network exists (then also to empty the chains after the last one goes)
    if (this.v6.broken || (!this.v6.last && !s.networks.some((n) => n.subnet6))) return;
    try {
      await this.v6.apply(s);
    } catch (e) {
      this.v6.broken = true;
      throw internal(`ip6tables unavailable, IPv6 networks get no NAT or isolation rules: ${(e as Error).message}`, e);
    }
  }

  /** Remove every jump and chain berth made (daemon shutdown with nothing left running). */
  async cleanup(): Promise<void> {
    if (!this.enabled) return;
    await this.v4.cleanup();
    if (this.v6.last) await this.v6.cleanup();
  }
}
