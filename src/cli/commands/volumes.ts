// `volume create|ls|inspect|rm|prune` over /volumes, as docker CLI 28 prints them.
import { filtersArg } from '../../client/client.js';
import { type Command, StatusError } from '../command.js';
import { flagTable } from '../flags/table.js';
import { keyValueMap } from '../opts/key-value.js';
import { get } from '../flags/parser.js';
import { naturalLess, volumeDefaultFormat, volumeHeaders, volumeRow, type VolumeLike } from '../format/resources.js';
import { conflict, eachRef, flag, inspectCommand, listCommand, pruneCommand } from './common.js';

const enc = encodeURIComponent;

export const volumeCreate: Command = {
  usage: 'volume create [OPTIONS] [VOLUME]',
  desc: 'Create a volume',
  flags: flagTable(`
  driver,d           string=local    Specify volume driver name
  label              list            Set metadata for a volume
  name               string          Specify volume name
  opt,o              list            Set driver specific options
  `),
  args: { max: 1 },
  async run(ctx, p) {
    let name = get.str(p, 'name');
    if (p.args.length === 1) {
      if (name)
        throw conflict('conflicting options: cannot specify a volume-name through both --name and as a positional arg');
      name = p.args[0];
    }
    const v = await ctx.client().request<VolumeLike>('POST', '/volumes/create', {
      body: {
        Name: name,
        Driver: get.str(p, 'driver'),
        DriverOpts: keyValueMap(get.list(p, 'opt')),
        Labels: keyValueMap(get.list(p, 'label')),
      },
    });
    ctx.io.stdout.write(`${v.Name}\n`);
    return 0;
  },
};

export const volumeLs = listCommand<VolumeLike>({
  usage: 'volume ls [OPTIONS]',
  desc: 'List volumes',
  quietHelp: 'volume names',
  quietField: '.Name',
  defaultFormat: volumeDefaultFormat,
  headers: volumeHeaders,
  async fetch(ctx, filters) {
    const r = await ctx.client().request<{ Volumes: VolumeLike[] | null }>('GET', '/volumes', { query: { filters } });
    return (r.Volumes ?? []).sort((a, b) => naturalLess(a.Name, b.Name));
  },
  row: (v) => volumeRow(v),
});

/** docker decodes a volume into Go maps, so its Labels, Options and Status print with sorted keys. */
function sortMaps(v: Record<string, unknown>): Record<string, unknown> {
  const out = { ...v };
  for (const k of ['Labels', 'Options', 'Status']) {
    const m = v[k] as Record<string, unknown> | null | undefined;
    if (m && typeof m === 'object')
      out[k] = Object.fromEntries(
        Object.keys(m)
          .sort()
          .map((x) => [x, m[x]]),
      );
  }
  return out;
}

export const volumeInspect = inspectCommand(
  'volume inspect [OPTIONS] VOLUME [VOLUME...]',
  'Display detailed information on one or more volumes',
  async (ctx, r) => sortMaps(await ctx.client().request<Record<string, unknown>>('GET', `/volumes/${enc(r)}`)),
);

export const volumeRm: Command = {
  usage: 'volume rm [OPTIONS] VOLUME [VOLUME...]',
  desc: 'Remove one or more volumes',
  flags: [flag.force('Force the removal of one or more volumes')],
  args: { min: 1 },
  run: (ctx, p) =>
    eachRef(ctx, p.args, async (r) => {
      await ctx
        .client()
        .request('DELETE', `/volumes/${enc(r)}`, { query: { force: get.bool(p, 'force') || undefined } });
      return r;
    }),
};

export const volumePrune = pruneCommand({
  name: 'volume prune',
  desc: 'Remove unused local volumes',
  warning: 'WARNING! This will remove anonymous local volumes not used by at least one container.',
  all: {
    help: 'Remove all unused volumes, not just anonymous ones',
    warning: 'WARNING! This will remove all local volumes not used by at least one container.',
  },
  async prune(ctx, filters, p) {
    const f = [...filters];
    if (get.bool(p, 'all')) {
      if (f.some((x) => x.startsWith('all=')))
        throw conflict('conflicting options: cannot specify both --all and --filter all=1');
      f.push('all=true');
    }
    const r = await ctx
      .client()
      .request<{ VolumesDeleted: string[] | null; SpaceReclaimed: number }>('POST', '/volumes/prune', {
        query: { filters: filtersArg(f) },
      });
    return { title: 'Deleted Volumes', items: r.VolumesDeleted ?? [], space: r.SpaceReclaimed ?? 0 };
  },
});

/** Only swarm cluster volumes can be updated: docker inspects the volume and refuses a local one. */
export const volumeUpdate: Command = {
  usage: 'volume update [OPTIONS] [VOLUME]',
  desc: 'Update a volume (cluster volumes only)',
  flags: [
    {
      name: 'availability',
      type: 'string',
      default: 'active',
      help: 'Cluster Volume availability ("active", "pause", "drain")',
    },
  ],
  args: { min: 1, max: 1 },
  async run(ctx, p) {
    const v = await ctx.client().request<{ ClusterVolume?: unknown }>('GET', `/volumes/${enc(p.args[0])}`);
    if (!v.ClusterVolume) throw new StatusError(1, 'can only update cluster volumes');
    throw new StatusError(1, 'berth: cluster volumes need swarm mode, which berth does not support');
  },
};

export const volumeGroup: Record<string, Command> = {
  create: volumeCreate,
  ls: volumeLs,
  list: volumeLs,
  inspect: volumeInspect,
  rm: volumeRm,
  remove: volumeRm,
  prune: volumePrune,
  update: volumeUpdate,
};
