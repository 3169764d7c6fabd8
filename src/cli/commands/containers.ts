// Container lifecycle and listing commands: ps, stop, kill, restart, wait, rm, pause, unpause,
// rename, top, logs, inspect, prune, stats.
import { filtersArg } from '../../client/client.js';
import { ClientError } from '../../client/client-error.js';
import type { Client } from '../../client/client.js';
import type { ContainerStats } from '../../client/types.js';
import type { Command, CliContext } from '../command.js';
import { StatusError } from '../command.js';
import { type FlagSpec, get } from '../flags/parser.js';
import { flagTable } from '../flags/table.js';
import { containerHeaders, containerRow, psDefaultFormat } from '../format/containers.js';
import { runLiveStats } from './stats-live.js';
import { renderRows, type Row } from '../format/render.js';
import { tabwrite } from '../format/tabwriter.js';
import { getTimestamp } from '../format/timestamp.js';
import { bytesSize, humanSizeWithPrecision } from '../format/units.js';
import { truncateId } from '../format/ellipsis.js';
import {
  eachRef,
  flag,
  forEach,
  inspectCommand,
  isNotFound,
  noSuchObject,
  printInspect,
  pruneCommand,
} from './common.js';
import { readUntilInterrupt } from '../streams.js';
import { copyLogs } from '../log-demux.js';

export const ps: Command = {
  usage: 'container ls [OPTIONS]',
  desc: 'List containers',
  flags: [
    ...flagTable(`
      all,a     bool    Show all containers (default shows just running)
      quiet,q   bool    Only display container IDs
      last,n    int=-1  Show n last created containers (includes all states)
      latest,l  bool    Show the latest created container (includes all states)
      size,s    bool    Display total file sizes
      no-trunc  bool    Don't truncate output
      filter,f  list    Filter output based on conditions provided
    `),
    flag.format,
  ],
  args: { max: 0 },
  async run(ctx, p) {
    const limit = get.bool(p, 'latest') ? 1 : get.int(p, 'last');
    const format = get.str(p, 'format');
    const size = get.bool(p, 'size') || /\.Size\b/.test(format);
    const list = await ctx.client().containerList({
      all: get.bool(p, 'all') || limit > 0 || undefined,
      limit: limit > 0 ? limit : undefined,
      size: size || undefined,
      filters: filtersArg(get.list(p, 'filter')),
    });
    const trunc = !get.bool(p, 'no-trunc');
    const rows = list.map((c) => containerRow(c, { trunc }));
    const f = get.bool(p, 'quiet') ? '{{.ID}}' : format;
    ctx.io.stdout.write(renderRows(rows, f, psDefaultFormat(get.bool(p, 'size')), containerHeaders));
    return 0;
  },
};

const simple = (usage: string, desc: string, fn: (ctx: CliContext, ref: string) => Promise<void>): Command => ({
  usage,
  desc,
  args: { min: 1 },
  run: (ctx, p) => forEach(ctx, p.args, (r) => fn(ctx, r)),
});

export const pause = simple(
  'container pause CONTAINER [CONTAINER...]',
  'Pause all processes within one or more containers',
  (ctx, r) => ctx.client().containerPause(r),
);
export const unpause = simple(
  'container unpause CONTAINER [CONTAINER...]',
  'Unpause all processes within one or more containers',
  (ctx, r) => ctx.client().containerUnpause(r),
);

const stopFlags = flagTable(`
  time,t      int     Seconds to wait before killing the container
  signal,s    string  Signal to send to the container
`);

/** stop and restart: the same flags and loop, a different endpoint. */
function stopLike(what: 'stop' | 'restart', desc: string): Command {
  return {
    usage: `container ${what} [OPTIONS] CONTAINER [CONTAINER...]`,
    desc,
    flags: stopFlags,
    args: { min: 1 },
    run: (ctx, p) => {
      const q = { t: p.set.has('time') ? get.int(p, 'time') : undefined, signal: get.str(p, 'signal') || undefined };
      const c = ctx.client();
      return forEach(ctx, p.args, (r) => (what === 'stop' ? c.containerStop(r, q) : c.containerRestart(r, q)));
    },
  };
}

export const stop = stopLike('stop', 'Stop one or more running containers');
export const restart = stopLike('restart', 'Restart one or more containers');

export const kill: Command = {
  usage: 'container kill [OPTIONS] CONTAINER [CONTAINER...]',
  desc: 'Kill one or more running containers',
  flags: [{ name: 'signal', short: 's', type: 'string', help: 'Signal to send to the container' }],
  args: { min: 1 },
  run: (ctx, p) =>
    forEach(ctx, p.args, (r) => ctx.client().containerKill(r, { signal: get.str(p, 'signal') || undefined })),
};

export const wait: Command = {
  usage: 'container wait CONTAINER [CONTAINER...]',
  desc: 'Block until one or more containers stop, then print their exit codes',
  args: { min: 1 },
  run: (ctx, p) =>
    forEach(ctx, p.args, async (r) => String((await ctx.client().containerWait(r, 'not-running')).StatusCode)),
};

export const rm: Command = {
  usage: 'container rm [OPTIONS] CONTAINER [CONTAINER...]',
  desc: 'Remove one or more containers',
  flags: flagTable(`
  force,f            bool            Force the removal of a running container (uses SIGKILL)
  volumes,v          bool            Remove anonymous volumes associated with the container
  link,l             bool            Remove the specified link
  `),
  args: { min: 1 },
  run(ctx, p) {
    const force = get.bool(p, 'force');
    const remove = async (r: string) => {
      await ctx.client().containerRemove(r, {
        force: force || undefined,
        v: get.bool(p, 'volumes') || undefined,
        link: get.bool(p, 'link') || undefined,
      });
      return r;
    };
    // rm -f of a missing container is not an error (docker 23+)
    return eachRef(ctx, p.args, remove, { skip: (e) => force && isNotFound(e) });
  },
};

export const rename: Command = {
  usage: 'container rename CONTAINER NEW_NAME',
  desc: 'Rename a container',
  args: { min: 2, max: 2 },
  async run(ctx, p) {
    const [oldName, newName] = p.args;
    if (!newName.trim()) throw new StatusError(1, 'Error: neither old nor new names may be empty');
    await ctx.client().containerRename(oldName, newName);
    return 0;
  },
};

export const top: Command = {
  usage: 'container top CONTAINER [ps OPTIONS]',
  desc: 'Display the running processes of a container',
  stopAtArg: true,
  args: { min: 1 },
  async run(ctx, p) {
    const [id, ...psArgs] = p.args;
    const r = await ctx.client().containerTop(id, psArgs.length ? psArgs.join(' ') : undefined);
    const text = [r.Titles.join('\t'), ...r.Processes.map((x) => x.join('\t'))].join('\n') + '\n';
    ctx.io.stdout.write(tabwrite(text, { minWidth: 20, padding: 3 }));
    return 0;
  },
};

export const logs: Command = {
  usage: 'container logs [OPTIONS] CONTAINER',
  desc: 'Fetch the logs of a container',
  flags: flagTable(`
    follow,f      bool        Follow log output
    tail,n        string=all  Number of lines to show from the end of the logs
    timestamps,t  bool        Show timestamps
    since         string      Show logs since timestamp or relative (e.g. 42m for 42 minutes)
    until         string      Show logs before a timestamp or relative
    details       bool        Show extra details provided to logs
  `),
  args: { min: 1, max: 1 },
  async run(ctx, p) {
    const c = ctx.client();
    const info = await c.containerInspect(p.args[0]);
    const now = new Date();
    let since: string | undefined;
    let until: string | undefined;
    try {
      since = get.str(p, 'since') ? getTimestamp(get.str(p, 'since'), now) : undefined;
      until = get.str(p, 'until') ? getTimestamp(get.str(p, 'until'), now) : undefined;
    } catch (e) {
      throw new StatusError(
        1,
        `invalid value for "${get.str(p, 'since') && !since ? 'since' : 'until'}": ${(e as Error).message}`,
      );
    }
    const res = await c.containerLogs(info.Id, {
      stdout: true,
      stderr: true,
      follow: get.bool(p, 'follow') || undefined,
      timestamps: get.bool(p, 'timestamps') || undefined,
      tail: get.str(p, 'tail'),
      since,
      until,
      ...(get.bool(p, 'details') ? { details: true } : {}),
    });
    await readUntilInterrupt(res, () => copyLogs(res, ctx.io.stdout, ctx.io.stderr, info.Config.Tty === true));
    return 0;
  },
};

const sizeFlag: FlagSpec = { name: 'size', short: 's', type: 'bool', help: 'Display total file sizes' };

export const containerInspect = inspectCommand(
  'container inspect [OPTIONS] CONTAINER [CONTAINER...]',
  'Display detailed information on one or more containers',
  (ctx, r, p) => ctx.client().containerInspect(r, { size: get.bool(p, 'size') || undefined }),
  [sizeFlag],
);

/** What the generic `inspect` looks up, in docker's order when no --type is given. */
const inspectTypes: Record<string, (c: Client, r: string, size: boolean) => Promise<unknown>> = {
  container: (c, r, size) => c.containerInspect(r, { size: size || undefined }),
  image: (c, r) => c.imageInspect(r),
  network: (c, r) => c.request('GET', `/networks/${encodeURIComponent(r)}`),
  volume: (c, r) => c.request('GET', `/volumes/${encodeURIComponent(r)}`),
};

export const inspect: Command = {
  usage: 'inspect [OPTIONS] NAME|ID [NAME|ID...]',
  desc: 'Return low-level information on Docker objects',
  flags: [flag.formatF, sizeFlag, { name: 'type', type: 'string', help: 'Only inspect objects of the given type' }],
  args: { min: 1 },
  run(ctx, p) {
    const type = get.str(p, 'type');
    const known = ['config', 'container', 'image', 'network', 'node', 'plugin', 'secret', 'service', 'task', 'volume'];
    if (type && !known.includes(type))
      throw new StatusError(1, `unknown type: "${type}": must be one of ${known.map((k) => `"${k}"`).join(', ')}`);
    if (type && !inspectTypes[type]) throw new StatusError(1, `berth: inspect --type ${type} is not supported`);
    const c = ctx.client();
    const size = get.bool(p, 'size');
    const order = type ? [type] : Object.keys(inspectTypes);
    const fetch = async (r: string) => {
      for (const [i, t] of order.entries()) {
        try {
          return await inspectTypes[t](c, r, size);
        } catch (e) {
          if (!(e instanceof ClientError) || e.status !== 404 || i === order.length - 1) throw e;
        }
      }
    };
    return printInspect(ctx, p.args, get.str(p, 'format'), fetch, type ? undefined : noSuchObject);
  },
};

export const prune = pruneCommand({
  name: 'container prune',
  desc: 'Remove all stopped containers',
  warning: 'WARNING! This will remove all stopped containers.',
  async prune(ctx, filters) {
    const r = await ctx.client().containerPrune(filtersArg(filters));
    return { title: 'Deleted Containers', items: r.ContainersDeleted ?? [], space: r.SpaceReclaimed ?? 0 };
  },
});

const statsHeaders: Record<string, string> = {
  Container: 'CONTAINER',
  ID: 'CONTAINER ID',
  Name: 'NAME',
  CPUPerc: 'CPU %',
  MemUsage: 'MEM USAGE / LIMIT',
  MemPerc: 'MEM %',
  NetIO: 'NET I/O',
  BlockIO: 'BLOCK I/O',
  PIDs: 'PIDS',
};

/** The docker CLI's stats calculations (cgroup v1 and v2 memory "cache" accounting). */
export function statsRow(ref: string, s: ContainerStats, trunc = true): Row {
  const cpuDelta = s.cpu_stats.cpu_usage.total_usage - s.precpu_stats.cpu_usage.total_usage;
  const sysDelta = (s.cpu_stats.system_cpu_usage ?? 0) - (s.precpu_stats.system_cpu_usage ?? 0);
  const ncpu = s.cpu_stats.online_cpus || s.cpu_stats.cpu_usage.percpu_usage?.length || 1;
  const cpu = sysDelta > 0 && cpuDelta > 0 ? (cpuDelta / sysDelta) * ncpu * 100 : 0;
  const st = s.memory_stats.stats ?? {};
  const cache = st.total_inactive_file ?? st.inactive_file ?? 0;
  const usage = s.memory_stats.usage ?? 0;
  const mem = cache < usage ? usage - cache : usage;
  const limit = s.memory_stats.limit ?? 0;
  let rx = 0;
  let tx = 0;
  for (const n of Object.values(s.networks ?? {})) {
    rx += n.rx_bytes;
    tx += n.tx_bytes;
  }
  let rd = 0;
  let wr = 0;
  for (const e of s.blkio_stats?.io_service_bytes_recursive ?? []) {
    if (/^read$/i.test(e.op)) rd += e.value;
    else if (/^write$/i.test(e.op)) wr += e.value;
  }
  const id = s.id ?? ref;
  return {
    Container: ref,
    ID: trunc ? truncateId(id) : id,
    Name: (s.name ?? '').replace(/^\//, '') || '--',
    CPUPerc: `${cpu.toFixed(2)}%`,
    MemUsage: `${bytesSize(mem)} / ${bytesSize(limit)}`,
    MemPerc: `${(limit ? (mem / limit) * 100 : 0).toFixed(2)}%`,
    NetIO: `${humanSizeWithPrecision(rx, 3)} / ${humanSizeWithPrecision(tx, 3)}`,
    BlockIO: `${humanSizeWithPrecision(rd, 3)} / ${humanSizeWithPrecision(wr, 3)}`,
    PIDs: String(s.pids_stats?.current ?? 0),
  };
}

export const stats: Command = {
  usage: 'container stats [OPTIONS] [CONTAINER...]',
  desc: 'Display a live stream of container(s) resource usage statistics',
  flags: [
    ...flagTable(`
      all,a      bool
      no-stream  bool  Disable streaming stats and only pull the first result
      no-trunc   bool
    `),
    flag.format,
  ],
  async run(ctx, p) {
    const c = ctx.client();
    const refs = async () =>
      p.args.length ? p.args : (await c.containerList({ all: get.bool(p, 'all') || undefined })).map((x) => x.Id);
    const fmt = get.str(p, 'format');
    const dflt =
      'table {{.ID}}\t{{.Name}}\t{{.CPUPerc}}\t{{.MemUsage}}\t{{.MemPerc}}\t{{.NetIO}}\t{{.BlockIO}}\t{{.PIDs}}';
    const once = async () => {
      const rows: Row[] = [];
      const errs: string[] = [];
      for (const r of await refs()) {
        try {
          rows.push(statsRow(r, await c.containerStatsOnce(r), !get.bool(p, 'no-trunc')));
        } catch (e) {
          errs.push(e instanceof ClientError ? `Error response from daemon: ${e.message}` : (e as Error).message);
        }
      }
      return { out: renderRows(rows, fmt, dflt, statsHeaders), errs };
    };
    if (get.bool(p, 'no-stream')) {
      const { out, errs } = await once();
      // nothing to show (every container failed): docker prints no header either
      if (!errs.length || out.split('\n').length > 2) ctx.io.stdout.write(out);
      if (errs.length) ctx.io.stderr.write(errs.join('\n') + '\n');
      return errs.length ? 1 : 0;
    }
    return runLiveStats(c, ctx.io, {
      refs: p.args,
      all: get.bool(p, 'all'),
      filters: [],
      render: (rows) => renderRows(rows, fmt, dflt, statsHeaders),
      row: (r, s) => statsRow(r, s, !get.bool(p, 'no-trunc')),
    });
  },
};
