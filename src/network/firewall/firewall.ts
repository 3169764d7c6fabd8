// Applies rendered rules with iptables-restore (iptables-nft) and owns the jumps from the built-in chains.
import { run } from '../exec.js';
import { CHAINS, JUMPS, renderFlush, renderRules, type FwState } from './rules.js';

export class Firewall {
  private jumpsReady = false;
  private last = '';

  constructor(readonly enabled: boolean) {}

  async apply(s: FwState): Promise<void> {
    if (!this.enabled) return;
    const text = renderRules(s);
    if (text === this.last && this.jumpsReady) return;
    await run('iptables-restore', ['--noflush', '-w'], { input: text });
    this.last = text;
    if (!this.jumpsReady) {
      for (const [table, chain, rule] of JUMPS) {
        const ok = await run('iptables', ['-w', '-t', table, '-C', chain, ...rule], { allowFail: true });
        if (ok.code !== 0) await run('iptables', ['-w', '-t', table, '-I', chain, '1', ...rule]);
      }
      this.jumpsReady = true;
    }
  }

  /** Remove every jump and chain berth made (daemon shutdown with nothing left running). */
  async cleanup(): Promise<void> {
    if (!this.enabled) return;
    for (const [table, chain, rule] of JUMPS) {
      for (let i = 0; i < 8; i++) {
        const r = await run('iptables', ['-w', '-t', table, '-D', chain, ...rule], { allowFail: true });
        if (r.code !== 0) break;
      }
    }
    await run('iptables-restore', ['--noflush', '-w'], { input: renderFlush(), allowFail: true });
    for (const table of ['filter', 'nat'] as const)
      for (const c of [...CHAINS[table]].reverse())
        await run('iptables', ['-w', '-t', table, '-X', c], { allowFail: true });
    this.jumpsReady = false;
    this.last = '';
  }
}
