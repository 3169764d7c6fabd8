// The compose side of `berth kube generate` (src/cli/commands/kube.ts): a project's services as
// generate's source groups. It sits beside main.ts because cli/compose already imports
// cli/commands, so commands/ importing compose/ would close a folder cycle.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Client } from '../client/client.js';
import type { ContainerConfig } from '../client/types.js';
import { loadProject } from './compose/load.js';
import { containerPlan } from './compose/convert.js';
import { orderServices } from './compose/ops.js';
import { parseDotEnv } from './compose/dotenv.js';
import type { Project, Service } from './compose/types.js';
import { containerFromCreate } from '../kube/sources.js';
import type { SourceGroup } from '../kube/source.js';

export { L } from './compose/convert.js';

/** An image's own config, or undefined when it is not on this daemon (then every field is written). */
export async function imageConfig(c: Client, image: string): Promise<Partial<ContainerConfig> | undefined> {
  try {
    return (await c.imageInspect(image)).Config as Partial<ContainerConfig> | undefined;
  } catch {
    return undefined;
  }
}

/** Variables a service reads from env files (compose merged them into its environment). */
function envFileVars(p: Project, s: Service): Record<string, string> {
  const files = s.raw.env_file;
  const list = typeof files === 'string' ? [files] : Array.isArray(files) ? files.map(String) : [];
  const out: Record<string, string> = {};
  for (const f of list) Object.assign(out, parseDotEnv(readFileSync(resolve(p.workingDir, f), 'utf8'), process.env));
  return out;
}

/** Service keys containerPlan turns into the create request (the rest would vanish in the YAML). */
const CONVERTED = new Set(
  (
    'hostname domainname user tty stdin_open environment env_file command entrypoint image build volumes ' +
    'working_dir labels stop_signal stop_grace_period healthcheck ports expose networks network_mode ' +
    'container_name restart privileged cap_add cap_drop read_only security_opt init mem_limit memswap_limit ' +
    'cpus deploy cpu_shares cpuset pids_limit tmpfs dns dns_search extra_hosts links logging shm_size sysctls ' +
    'pid ipc group_add oom_score_adj ulimits devices depends_on scale profiles pull_policy'
  ).split(' '),
);

/** Compose keys of a service that neither containerPlan nor generate carry: named, not dropped. */
function unconverted(s: Service, warn: (m: string) => void): void {
  for (const k of Object.keys(s.raw))
    if (!CONVERTED.has(k) && !k.startsWith('x-')) warn(`${s.name}: compose key "${k}" is not converted`);
  const deploy = (s.raw.deploy ?? {}) as Record<string, unknown>;
  for (const k of Object.keys(deploy))
    if (k !== 'replicas' && k !== 'resources') warn(`${s.name}: deploy.${k} is not converted`);
  const res = (deploy.resources ?? {}) as Record<string, unknown>;
  for (const k of Object.keys(res)) if (k !== 'limits') warn(`${s.name}: deploy.resources.${k} is not converted`);
}

/** Project-level settings a claim or the flat cluster network cannot carry. */
function projectWarnings(p: Project, warn: (m: string) => void): void {
  for (const [k, v] of Object.entries(p.volumes)) {
    if (v.driver && v.driver !== 'local')
      warn(`volume ${k}: driver ${v.driver} (choose a storageClassName for its claim)`);
    if (v.driver_opts && Object.keys(v.driver_opts).length) warn(`volume ${k}: driver_opts are not converted`);
  }
  for (const [k, v] of Object.entries(p.networks)) {
    const r = v.raw as Record<string, unknown>;
    for (const key of ['internal', 'ipam', 'driver_opts', 'enable_ipv6', 'attachable'])
      if (r[key] !== undefined && r[key] !== false)
        warn(`network ${k}: ${key} has no equivalent on the cluster network`);
  }
  for (const s of p.services)
    for (const [n, c] of Object.entries(s.networks))
      if (c.ipv4_address)
        warn(`${s.name}: fixed address ${c.ipv4_address} on ${n} (pods get their address from the cluster)`);
}

/** A compose project's services as groups, in dependency order. */
export async function composeGroups(c: Client, files: string[], projectName: string, warn: (m: string) => void) {
  const proj = loadProject({ files, projectName: projectName || undefined });
  projectWarnings(proj, warn);
  const groups: SourceGroup[] = [];
  for (const s of orderServices(proj)) {
    const plan = containerPlan(proj, s, 1);
    unconverted(s, warn);
    if (!s.image) warn(`${s.name}: built locally as ${plan.body.Image}; push it where the cluster can pull it`);
    const src = containerFromCreate(s.name, plan.body, envFileVars(proj, s));
    const img = await imageConfig(c, plan.body.Image ?? '').catch(() => undefined);
    if (img) src.imageDefaults = img;
    groups.push({
      name: s.name,
      containers: [src],
      replicas: s.replicas,
      networks: Object.entries(s.networks).map(([k, n]) => ({ name: proj.networks[k].name, aliases: n.aliases })),
      dependsOn: Object.keys(s.depends_on),
    });
  }
  return groups;
}
