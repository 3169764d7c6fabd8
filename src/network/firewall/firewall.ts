// Applies rendered rules with iptables-restore (iptables-nft) and owns the jumps from the built-in chains. IPv6
// networks get the same rules through ip6tables, once one exists; a host without ip6tables is warned about once
// and left without IPv6 rules (its IPv6 networks still work on-link).
import { internal } from '../../errdefs.js';
import { run } from '../exec.js';
import {
  CHAINS,
  JUMPS,
  JUMPS6,
  RAW_CHAIN,
  RAW_JUMP,
  renderFlush,
  renderRaw,
  renderRules,
  type FwState,
} from './rules.js';

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

/** The raw table's loopback guard (IPv4); a host without the raw table is warned about once and goes without. */
class LoopbackGuard {
  private last = '';
  broken = false;

  async apply(s: FwState): Promise<void> {
    const text = renderRaw(s);
    // made with the first port published on loopback (then also applied to empty it after the last one goes)
    if (this.broken || text === this.last || (!this.last && !text.includes('\n-A '))) return;
    try {
      await run('iptables-restore', ['--noflush', '-w'], { input: text });
      const [table, chain, rule] = RAW_JUMP;
      const ok = await run('iptables', ['-w', '-t', table, '-C', chain, ...rule], { allowFail: true });
      if (ok.code !== 0) await run('iptables', ['-w', '-t', table, '-I', chain, '1', ...rule]);
      this.last = text;
    } catch (e) {
      this.broken = true;
      throw internal(
        `no raw table: ports published on 127.0.0.1 are not guarded from other hosts: ${(e as Error).message}`,
        e,
      );
    }
  }

  /** Also when this daemon never applied it: an earlier one killed with -9 may have left the chain. */
  async cleanup(): Promise<void> {
    const [table, chain, rule] = RAW_JUMP;
    for (let i = 0; i < 8; i++)
      if ((await run('iptables', ['-w', '-t', table, '-D', chain, ...rule], { allowFail: true })).code !== 0) break;
    await run('iptables', ['-w', '-t', table, '-F', RAW_CHAIN], { allowFail: true });
    await run('iptables', ['-w', '-t', table, '-X', RAW_CHAIN], { allowFail: true });
    this.last = '';
  }
}

export class Firewall {
  private readonly v4 = new Family(4, 'iptables', JUMPS);
  private readonly v6 = new Family(6, 'ip6tables', JUMPS6);
  private readonly raw = new LoopbackGuard();

  constructor(readonly enabled: boolean) {}

  async apply(s: FwState): Promise<void> {
    if (!this.enabled) return;
    await this.v4.apply(s);
    const rawFailed = await this.raw.apply(s).then(
      () => null,
      (e: unknown) => e,
    );
    // ip6tables only once an IPv6 network exists (then also to empty the chains after the last one goes)
    if (!this.v6.broken && (this.v6.last || s.networks.some((n) => n.subnet6)))
      try {
        await this.v6.apply(s);
      } catch (e) {
        this.v6.broken = true;
        throw internal(
          `ip6tables unavailable, IPv6 networks get no NAT or isolation rules: ${(e as Error).message}`,
          e,
        );
      }
    if (rawFailed) throw rawFailed;
  }

  /** Remove every jump and chain berth made (daemon shutdown with nothing left running). */
  async cleanup(): Promise<void> {
    if (!this.enabled) return;
    await this.v4.cleanup();
    // also what an earlier berthd killed with -9 left; a host without the raw table or ip6tables has none
    await this.raw.cleanup().catch(() => {});
    await this.v6.cleanup().catch(() => {});
  }
}
