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

/** A compose project's services as groups, in dependency order. */
export async function composeGroups(c: Client, files: string[], projectName: string, warn: (m: string) => void) {
  const proj = loadProject({ files, projectName: projectName || undefined });
  const groups: SourceGroup[] = [];
  for (const s of orderServices(proj)) {
    const plan = containerPlan(proj, s, 1);
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
