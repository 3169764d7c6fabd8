// `compose ps`, `compose logs` and `compose config`: what the project is and does.
import { stringify } from 'yaml';
import { get } from '../flags/parser.js';
import { displayablePorts } from '../format/containers.js';
import { tabwrite } from '../format/tabwriter.js';
import { timeAgo } from '../format/units.js';
import type { ComposeCommand } from './context.js';
import { imageName, L } from './convert.js';
import { streamLogs } from './logs.js';
import * as ops from './ops.js';
import type { Project } from './types.js';
import { flagTable } from '../flags/table.js';

export const ps: ComposeCommand = {
  usage: 'ps [OPTIONS] [SERVICE...]',
  desc: 'List containers',
  flags: flagTable(`
    all,a     bool          Show all stopped containers
    quiet,q   bool          Only display IDs
    services  bool          Display services
    status    list          Filter services by status
    format    string=table
  `),
  async run(x, p) {
    const proj = x.load();
    let cs = await ops.projectContainers(x.c, proj.name, {
      all: get.bool(p, 'all') || get.list(p, 'status').length > 0,
      oneoff: 'any',
    });
    if (p.args.length) cs = cs.filter((c) => p.args.includes(c.Labels?.[L.service] ?? ''));
    const st = get.list(p, 'status');
    if (st.length) cs = cs.filter((c) => st.includes(c.State));
    const w = x.cli.io.stdout;
    if (get.bool(p, 'quiet')) w.write(cs.map((c) => c.Id + '\n').join(''));
    else if (get.bool(p, 'services'))
      w.write([...new Set(cs.map((c) => c.Labels?.[L.service] ?? ''))].map((s) => s + '\n').join(''));
    else if (get.str(p, 'format') === 'json')
      w.write(
        JSON.stringify(
          cs.map((c) => ({
            ID: c.Id,
            Name: ops.nameOf(c),
            Image: c.Image,
            Command: c.Command,
            Project: proj.name,
            Service: c.Labels?.[L.service],
            Created: c.Created,
            State: c.State,
            Status: c.Status,
            Ports: displayablePorts(c.Ports),
          })),
        ) + '\n',
      );
    else {
      const rows = cs.map((c) =>
        [
          ops.nameOf(c),
          c.Image,
          JSON.stringify(c.Command.length > 20 ? c.Command.slice(0, 19) + '…' : c.Command),
          c.Labels?.[L.service] ?? '',
          timeAgo(c.Created),
          c.Status,
          displayablePorts(c.Ports),
        ].join('\t'),
      );
      w.write(tabwrite(['NAME\tIMAGE\tCOMMAND\tSERVICE\tCREATED\tSTATUS\tPORTS', ...rows].join('\n') + '\n'));
    }
    return 0;
  },
};

export const logs: ComposeCommand = {
  usage: 'logs [OPTIONS] [SERVICE...]',
  desc: 'View output from containers',
  flags: flagTable(`
    follow,f       bool        Follow log output
    no-color       bool        Produce monochrome output
    no-log-prefix  bool        Don't print prefix in logs
    timestamps,t   bool        Show timestamps
    tail,n         string=all  Number of lines to show from the end of the logs
    since          string
    until          string
    index          int=0
  `),
  async run(x, p) {
    const proj = x.load();
    for (const n of p.args) ops.serviceByName(proj, n);
    let cs = await ops.projectContainers(x.c, proj.name, { oneoff: 'any' });
    if (p.args.length) cs = cs.filter((c) => p.args.includes(c.Labels?.[L.service] ?? ''));
    if (get.int(p, 'index')) cs = cs.filter((c) => ops.numberOf(c) === get.int(p, 'index'));
    const color = !get.bool(p, 'no-color') && (x.cli.io.stdout as { isTTY?: boolean }).isTTY === true;
    const ac = new AbortController();
    const onInt = () => ac.abort();
    process.once('SIGINT', onInt);
    try {
      await streamLogs(x.c, cs, x.cli.io.stdout, {
        follow: get.bool(p, 'follow'),
        tail: get.str(p, 'tail'),
        timestamps: get.bool(p, 'timestamps'),
        since: get.str(p, 'since') || undefined,
        until: get.str(p, 'until') || undefined,
        color,
        prefix: !get.bool(p, 'no-log-prefix'),
        signal: ac.signal,
      });
    } finally {
      process.off('SIGINT', onInt);
    }
    return 0;
  },
};

export const config: ComposeCommand = {
  usage: 'config [OPTIONS] [SERVICE...]',
  desc: 'Parse, resolve and render compose file in canonical format',
  flags: flagTable(`
    quiet,q   bool         Only validate the configuration, don't print anything
    services  bool         Print the service names, one per line
    volumes   bool         Print the volume names, one per line
    images    bool         Print the image names, one per line
    profiles  bool         Print the profile names, one per line
    format    string=yaml
  `),
  async run(x, p) {
    const proj = x.load(p.args);
    const w = x.cli.io.stdout;
    if (get.bool(p, 'quiet')) return 0;
    if (get.bool(p, 'services')) w.write(proj.services.map((s) => s.name + '\n').join(''));
    else if (get.bool(p, 'volumes'))
      w.write(
        Object.keys(proj.volumes)
          .map((s) => s + '\n')
          .join(''),
      );
    else if (get.bool(p, 'images')) w.write(proj.services.map((s) => imageName(proj, s) + '\n').join(''));
    else if (get.bool(p, 'profiles'))
      w.write(
        [...new Set([...proj.services, ...proj.disabled].flatMap((s) => s.profiles))]
          .sort()
          .map((s) => s + '\n')
          .join(''),
      );
    else {
      const m = canonical(proj, p.args);
      w.write(get.str(p, 'format') === 'json' ? JSON.stringify(m, null, 2) + '\n' : stringify(m));
    }
    return 0;
  },
};

/** The resolved model as `config` prints it: interpolated, merged, names filled in. */
function canonical(proj: Project, only: string[]): Record<string, unknown> {
  const services: Record<string, unknown> = {};
  for (const s of proj.services) {
    if (only.length && !only.includes(s.name)) continue;
    const r: Record<string, unknown> = { ...s.raw };
    if (s.build)
      r.build = { ...s.build, args: Object.keys(s.build.args).length ? s.build.args : undefined, labels: undefined };
    if (s.command) r.command = s.command;
    if (s.entrypoint) r.entrypoint = s.entrypoint;
    if (Object.keys(s.environment).length) r.environment = s.environment;
    else delete r.environment;
    delete r.env_file;
    if (Object.keys(s.depends_on).length) r.depends_on = s.depends_on;
    if (Object.keys(s.networks).length)
      r.networks = Object.fromEntries(
        Object.entries(s.networks).map(([k, v]) => [k, v.aliases.length || v.ipv4_address ? v : null]),
      );
    if (s.volumes.length)
      r.volumes = s.volumes.map((v) => ({
        type: v.type,
        source: v.source,
        target: v.target,
        read_only: v.readOnly || undefined,
      }));
    services[s.name] = JSON.parse(JSON.stringify(r));
  }
  const res = (m: Record<string, { name: string; external: boolean; raw: Record<string, unknown> }>) =>
    Object.fromEntries(
      Object.entries(m).map(([k, v]) => [
        k,
        JSON.parse(JSON.stringify({ ...v.raw, name: v.name, external: v.external || undefined })),
      ]),
    );
  const out: Record<string, unknown> = { name: proj.name, services };
  if (Object.keys(proj.networks).length) out.networks = res(proj.networks);
  if (Object.keys(proj.volumes).length) out.volumes = res(proj.volumes);
  return out;
}
