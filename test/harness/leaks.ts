// Leak probes for the integration harness: what berthd left behind in the test namespace.
// The parsers are pure (unit-tested); the probes read /proc and run `ip`/`iptables`.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

/** One snapshot of the things a test may leak. */
export interface Snapshot {
  mounts: string[]; // mount points under the watched roots
  links: string[]; // network interfaces other than lo
  chains: string[]; // "table/CHAIN" for iptables chains named BERTH*
  conmons: string[]; // "pid cmdline" of conmon processes mentioning a watched root
}

/** Unescape the octal escapes (\040 …) the kernel uses in /proc/self/mountinfo. */
export function unescapeMountField(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
}

/** Mount points from mountinfo text that equal or lie under one of `roots`. */
export function mountsUnder(mountinfo: string, roots: string[]): string[] {
  const out: string[] = [];
  for (const line of mountinfo.split('\n')) {
    const f = line.split(' ');
    if (f.length < 5) continue;
    const mp = unescapeMountField(f[4]);
    if (roots.some((r) => mp === r || mp.startsWith(r.endsWith('/') ? r : r + '/'))) out.push(mp);
  }
  return out;
}

/** Interface names from `ip -o link` output, without the `@peer` suffix, lo excluded. */
export function linkNames(ipOutput: string): string[] {
  const out: string[] = [];
  for (const line of ipOutput.split('\n')) {
    const m = /^\d+:\s+([^:\s]+):/.exec(line);
    if (!m) continue;
    const name = m[1].split('@')[0];
    if (name !== 'lo') out.push(name);
  }
  return out;
}

/** Chains named BERTH* from `iptables -t TABLE -S` output, as "table/CHAIN". */
export function berthChains(table: string, rulesOutput: string): string[] {
  const out: string[] = [];
  for (const line of rulesOutput.split('\n')) {
    const m = /^-N\s+(\S+)/.exec(line.trim());
    if (m && /^BERTH/i.test(m[1])) out.push(`${table}/${m[1]}`);
  }
  return out;
}

/** Items of `now` that were not in `baseline`: what appeared during the test and stayed. */
export function added(baseline: string[], now: string[]): string[] {
  const b = new Set(baseline);
  return now.filter((x) => !b.has(x));
}

function run(cmd: string, args: string[]): string {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 10_000 });
  } catch {
    return '';
  }
}

/** conmon processes whose command line mentions one of `roots`. */
export function conmonProcesses(roots: string[]): string[] {
  const out: string[] = [];
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    let cmd: string;
    try {
      cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
    } catch {
      continue; // exited meanwhile
    }
    const argv0 = cmd.split(' ')[0] ?? '';
    if (!/(^|\/)conmon$/.test(argv0)) continue;
    if (roots.some((r) => cmd.includes(r))) out.push(`${pid} ${cmd}`);
  }
  return out;
}

/** Open fd count of a process, or -1 when it cannot be read. */
export function fdCount(pid: number): number {
  try {
    return readdirSync(`/proc/${pid}/fd`).length;
  } catch {
    return -1;
  }
}

/** What a process's fds point at, grouped ("9x pipe:[N], 1x /proc/stat"): the detail of an fd leak. */
export function fdTargets(pid: number): string {
  const seen = new Map<string, number>();
  let fds: string[] = [];
  try {
    fds = readdirSync(`/proc/${pid}/fd`);
  } catch {
    return 'gone';
  }
  for (const fd of fds) {
    let t = '?';
    try {
      t = readlinkSync(`/proc/${pid}/fd/${fd}`).replace(/\d+/g, 'N');
    } catch {
      /* closed meanwhile */
    }
    seen.set(t, (seen.get(t) ?? 0) + 1);
  }
  return [...seen].map(([t, n]) => `${n}x ${t}`).join(', ');
}

/** Take a snapshot of mounts, links, BERTH* chains and conmon processes. */
export function snapshot(roots: string[]): Snapshot {
  let mountinfo = '';
  try {
    mountinfo = readFileSync('/proc/self/mountinfo', 'utf8');
  } catch {
    /* no /proc: nothing to report */
  }
  const chains: string[] = [];
  for (const table of ['filter', 'nat', 'mangle', 'raw']) {
    chains.push(...berthChains(table, run('iptables', ['-w', '-t', table, '-S'])));
  }
  return {
    mounts: mountsUnder(mountinfo, roots),
    links: linkNames(run('ip', ['-o', 'link'])),
    chains,
    conmons: conmonProcesses(roots),
  };
}

/**
 * Human-readable leaks once berthd has stopped. Mounts under the temp roots and conmon
 * processes always count; links and chains count when they appeared after the baseline
 * (a default bridge made at startup may outlive the daemon, like docker0 does).
 */
export function diffLeaks(baseline: Snapshot, now: Snapshot): string[] {
  const leaks: string[] = [];
  for (const m of now.mounts) leaks.push(`mount left: ${m}`);
  for (const l of added(baseline.links, now.links)) leaks.push(`network interface left: ${l}`);
  for (const c of added(baseline.chains, now.chains)) leaks.push(`iptables chain left: ${c}`);
  for (const p of now.conmons) leaks.push(`conmon process left: ${p}`);
  return leaks;
}
