// `berth kube generate|play|down`: Kubernetes YAML from containers or a compose project, and
// running such YAML on berth. The translation lives in src/kube/; this file reads the inputs
// (inspect JSON, compose files) and prints.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, extname } from 'node:path';
import type { Client } from '../../client/client.js';
import type { ContainerInspect } from '../../client/types.js';
import type { Command, CliContext } from '../command.js';
import { StatusError } from '../command.js';
import { get, type Parsed } from '../flags/parser.js';
import { composeGroups, imageConfig, L } from '../kube-compose.js';
import { generate } from '../../kube/generate.js';
import { containerFromInspect, networksFromInspect } from '../../kube/sources.js';
import type { GenerateOptions, SourceGroup } from '../../kube/source.js';
import { dnsName } from '../../kube/names.js';
import { parseYamlDocs, toYaml } from '../../kube/yaml-docs.js';
import { playObjects } from '../../kube/play-objects.js';
import { planPlay } from '../../kube/play-plan.js';
import { downPlay, runPlay } from '../../kube/play-run.js';
import { flagTable } from '../flags/table.js';

const TYPES = ['pod', 'deployment', 'statefulset'];

async function inspectAll(c: Client, refs: string[]): Promise<ContainerInspect[]> {
  return Promise.all(refs.map((r) => c.containerInspect(r)));
}

/** A compose project's running containers, one group per service, in the order compose created them. */
async function projectGroups(c: Client, ids: string[]): Promise<SourceGroup[]> {
  const byService = new Map<string, ContainerInspect[]>();
  const all = await inspectAll(c, ids);
  all.sort((a, b) => a.Created.localeCompare(b.Created));
  for (const x of all) {
    const svc = x.Config.Labels?.[L.service] ?? x.Name.slice(1);
    byService.set(svc, [...(byService.get(svc) ?? []), x]);
  }
  const out: SourceGroup[] = [];
  for (const [svc, xs] of byService) {
    xs.sort((a, b) => Number(a.Config.Labels?.[L.number] ?? 0) - Number(b.Config.Labels?.[L.number] ?? 0));
    const x = xs[0];
    const deps = (x.Config.Labels?.[L.dependsOn] ?? '').split(',').filter(Boolean);
    out.push({
      name: svc,
      containers: [containerFromInspect(x, await imageConfig(c, x.Config.Image))],
      replicas: xs.length,
      networks: networksFromInspect(x),
      dependsOn: deps.map((d) => d.split(':')[0]),
    });
  }
  return out;
}

/** Running containers: a compose project's name gives one group per service; other names one pod. */
async function containerGroups(ctx: CliContext, refs: string[], p: Parsed): Promise<SourceGroup[]> {
  const c = ctx.client();
  if (refs.length === 1) {
    const members = await c.containerList({
      all: true,
      filters: JSON.stringify({ label: [`${L.project}=${refs[0]}`] }),
    });
    if (members.length)
      return projectGroups(
        c,
        members.map((m) => m.Id),
      );
  }
  const xs = await inspectAll(c, refs);
  const containers = await Promise.all(
    xs.map(async (x) => containerFromInspect(x, await imageConfig(c, x.Config.Image))),
  );
  const name = get.str(p, 'name') || (xs.length === 1 ? xs[0].Name.slice(1) : `${xs[0].Name.slice(1)}-pod`);
  return [{ name, containers, replicas: 1, networks: networksFromInspect(xs[0]), dependsOn: [] }];
}

const isComposeFile = (a: string) => /\.ya?ml$/.test(a) && existsSync(a);

export const kubeGenerate: Command = {
  usage: 'kube generate [OPTIONS] [CONTAINER...|PROJECT|COMPOSE-FILE...]',
  desc: 'Generate Kubernetes YAML from containers or a compose project',
  flags: flagTable(`
    filename,f      string      Write the YAML to this file
    type,t          string=pod  pod, deployment or statefulset (default: pod for containers, deployment for a compose project)
    service,s       bool        Publish published ports through LoadBalancer Services
    compose-file,c  list        Compose file(s) to read (default: the project here)
    project-name,p  string      Compose project name
    name            string      Pod name for several containers
  `),
  async run(ctx, p) {
    const files = [...get.list(p, 'compose-file'), ...p.args.filter(isComposeFile)];
    const refs = p.args.filter((a) => !isComposeFile(a));
    const compose = files.length > 0 || refs.length === 0;
    const type = p.set.has('type') || !compose ? get.str(p, 'type') : 'deployment';
    if (!TYPES.includes(type)) throw new StatusError(125, `invalid --type "${type}": use ${TYPES.join(', ')}`);
    if (files.length && refs.length) throw new StatusError(125, 'give either containers or compose files, not both');
    const warnings: string[] = [];
    const warn = (m: string) => warnings.push(m);
    const groups = compose
      ? await composeGroups(ctx.client(), files, get.str(p, 'project-name'), warn)
      : await containerGroups(ctx, refs, p);
    const o: GenerateOptions = { type: type as GenerateOptions['type'], service: get.bool(p, 'service') };
    const g = generate(groups, o);
    for (const w of [...warnings, ...g.warnings]) ctx.io.stderr.write(`WARNING: ${w}\n`);
    const yaml = toYaml(g.objects);
    const out = get.str(p, 'filename');
    if (out) writeFileSync(out, yaml);
    else ctx.io.stdout.write(yaml);
    return 0;
  },
};

function playId(p: Parsed, file: string): string {
  return dnsName(get.str(p, 'name') || basename(file, extname(file)));
}

export const kubePlay: Command = {
  usage: 'kube play [OPTIONS] FILE',
  desc: 'Run Pods, Deployments, Services, ConfigMaps, Secrets and claims from Kubernetes YAML',
  args: { min: 1, max: 1 },
  flags: [{ name: 'name', type: 'string', help: 'Name of the play (default: the file name)' }],
  async run(ctx, p) {
    const file = p.args[0];
    const text = file === '-' ? readFileSync(0, 'utf8') : readFileSync(file, 'utf8');
    const plan = planPlay(playObjects(parseYamlDocs(text, file), file), playId(p, file));
    for (const w of plan.warnings) ctx.io.stderr.write(`WARNING: ${w}\n`);
    await runPlay(plan, { client: ctx.client(), log: (l) => ctx.io.stderr.write(` ${l}\n`) });
    return 0;
  },
};

export const kubeDown: Command = {
  usage: 'kube down [OPTIONS] FILE',
  desc: 'Remove what kube play created from a file',
  args: { min: 1, max: 1 },
  flags: flagTable(`
    name       string  Name of the play (default: the file name)
    volumes,v  bool    Also remove the volumes made for PersistentVolumeClaims
  `),
  async run(ctx, p) {
    await downPlay(playId(p, p.args[0]), ctx.client(), {
      volumes: get.bool(p, 'volumes'),
      log: (l) => ctx.io.stderr.write(` ${l}\n`),
    });
    return 0;
  },
};

/** The `kube` command group for main's table. */
export const kubeCommands: Record<string, Command> = { generate: kubeGenerate, play: kubePlay, down: kubeDown };
