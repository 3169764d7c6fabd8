// `update` (a running container's resources and restart policy) and `port` (its published ports).
import { isIP } from 'node:net';
import type { Command } from '../command.js';
import { StatusError } from '../command.js';
import { get, type FlagSpec, type Parsed } from '../flags/parser.js';
import { flagTable } from '../flags/table.js';
import { naturalLess } from '../format/resources.js';
import { ramInBytes } from '../format/units.js';
import { bytesOf, nanoCpusOf, resourceFlags } from '../opts/resources.js';
import { parseRestart } from '../opts/run-opts.js';
import { eachRef } from './common.js';

/** A byte-size flag (opts.MemBytes): checked as it is parsed, so a bad size is a usage error. */
const bytes = (minusOne = false): Partial<FlagSpec> => ({
  check: (v) => {
    if (!(minusOne && v === '-1')) ramInBytes(v);
  },
});

/** The CFS and block-IO flags are run/create's own (same names, help and parsing). */
const sharedWithCreate = new Set(['blkio-weight', 'cpu-period', 'cpu-quota', 'cpuset-mems']);

/** update's flags in name order, as its --help lists them. */
const updateFlags: FlagSpec[] = [
  ...resourceFlags.filter((f) => sharedWithCreate.has(f.name)),
  ...flagTable(
    `
  cpu-rt-period      int      Limit the CPU real-time period in microseconds
  cpu-rt-runtime     int      Limit the CPU real-time runtime in microseconds
  cpu-shares,c       int      CPU shares (relative weight)
  cpus               string   Number of CPUs
  cpuset-cpus        string   CPUs in which to allow execution (0-3, 0,1)
  kernel-memory      string   Kernel memory limit (deprecated)
  memory,m           string   Memory limit
  memory-reservation string   Memory soft limit
  memory-swap        string   Swap limit equal to memory plus swap: -1 to enable unlimited swap
  pids-limit         int      Tune container pids limit (set -1 for unlimited)
  restart            string   Restart policy to apply when a container exits
  `,
    {
      'kernel-memory': bytes(),
      memory: bytes(),
      'memory-reservation': bytes(),
      'memory-swap': bytes(true),
    },
  ),
].sort((a, b) => (a.name < b.name ? -1 : 1));

/** The update body: only what was given, so the daemon keeps the rest. */
export function updateBody(p: Parsed): Record<string, unknown> {
  const b: Record<string, unknown> = {
    BlkioWeight: get.int(p, 'blkio-weight'),
    CpuPeriod: get.int(p, 'cpu-period'),
    CpuQuota: get.int(p, 'cpu-quota'),
    CpuRealtimePeriod: get.int(p, 'cpu-rt-period'),
    CpuRealtimeRuntime: get.int(p, 'cpu-rt-runtime'),
    CpuShares: get.int(p, 'cpu-shares'),
    CpusetCpus: get.str(p, 'cpuset-cpus'),
    CpusetMems: get.str(p, 'cpuset-mems'),
    Memory: bytesOf(p, 'memory'),
    MemoryReservation: bytesOf(p, 'memory-reservation'),
    MemorySwap: bytesOf(p, 'memory-swap', true),
    KernelMemory: bytesOf(p, 'kernel-memory'),
    NanoCpus: nanoCpusOf(p, (m) => new StatusError(125, m)),
  };
  if (p.set.has('pids-limit')) b.PidsLimit = get.int(p, 'pids-limit');
  if (get.str(p, 'restart')) b.RestartPolicy = parseRestart(get.str(p, 'restart'));
  return b;
}

export const update: Command = {
  usage: 'container update [OPTIONS] CONTAINER [CONTAINER...]',
  desc: 'Update configuration of one or more containers',
  flags: updateFlags,
  args: { min: 1 },
  async run(ctx, p) {
    if (p.set.size === 0) throw new StatusError(1, 'you must provide one or more flags when using this command');
    const body = updateBody(p);
    const warns: string[] = [];
    const code = await eachRef(ctx, p.args, async (r) => {
      const res = await ctx
        .client()
        .request<{ Warnings?: string[] | null }>('POST', `/containers/${encodeURIComponent(r)}/update`, { body });
      warns.push(...(res?.Warnings ?? []));
      return r;
    });
    if (warns.length) ctx.io.stdout.write(`${warns.join('\n')}\n`);
    return code;
  },
};

const joinHostPort = (ip: string, port: string) => (isIP(ip) === 6 ? `[${ip}]:${port}` : `${ip}:${port}`);

export const port: Command = {
  usage: 'container port CONTAINER [PRIVATE_PORT[/PROTO]]',
  desc: 'List port mappings or a specific mapping for the container',
  args: { min: 1, max: 2 },
  async run(ctx, p) {
    const [container, want] = p.args;
    const c = await ctx.client().containerInspect(container);
    const ports = (c.NetworkSettings?.Ports ?? {}) as Record<
      string,
      Array<{ HostIp: string; HostPort: string }> | null
    >;
    const out: string[] = [];
    if (want) {
      const [num, proto = 'tcp'] = want.split('/');
      if (!/^\d+$/.test(num) || Number(num) > 65535)
        throw new StatusError(1, `Error: invalid port (${num}): strconv.ParseUint: parsing "${num}": invalid syntax`);
      const fronts = ports[`${num}/${proto}`];
      if (!fronts?.length) throw new StatusError(1, `Error: No public port '${want}' published for ${container}`);
      for (const f of fronts) out.push(joinHostPort(f.HostIp, f.HostPort));
    } else {
      for (const [from, fronts] of Object.entries(ports))
        for (const f of fronts ?? []) out.push(`${from} -> ${joinHostPort(f.HostIp, f.HostPort)}`);
    }
    if (out.length) ctx.io.stdout.write(`${out.sort(naturalLess).join('\n')}\n`);
    return 0;
  },
};
