// Coalesced firewall applies: callers that changed the state while a run is queued share that run
// (it reads the state when it starts), so 50 parallel starts cost a few iptables-restore runs, not 50.
import type { FwState } from './rules.js';

export interface FirewallPort {
  apply(s: FwState): Promise<void>;
  cleanup(): Promise<void>;
}

export class FirewallQueue {
  private queued: Promise<void> | null = null;
  private active: Promise<void> = Promise.resolve();

  constructor(
    private readonly fw: FirewallPort,
    private readonly state: () => FwState,
    private readonly warn: (m: string) => void,
  ) {}

  /** Apply the state as it is when the run starts; a failure is logged, never thrown (rules are re-applied later). */
  apply(): Promise<void> {
    if (this.queued !== null) return this.queued;
    const run = this.active.then(async () => {
      this.queued = null;
      try {
        await this.fw.apply(this.state());
      } catch (e) {
        this.warn(`iptables: ${(e as Error).message}`);
      }
    });
    this.queued = run;
    this.active = run;
    return run;
  }

  cleanup(): Promise<void> {
    return this.fw.cleanup();
  }
}
