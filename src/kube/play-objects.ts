// The documents of a play file, checked (kinds, apiVersions, fields, duplicates) and sorted by kind.
import { invalid } from '../errdefs.js';
import type { ConfigMap, PersistentVolumeClaim, Secret, Service, StrMap, Workload } from './types.js';
import { checkDocument } from './play-schema.js';

export interface PlayObjects {
  workloads: Workload[];
  services: Service[];
  claims: PersistentVolumeClaim[];
  /** ConfigMaps and Secrets by name: text values (for env) and bytes (for files). */
  configMaps: Map<string, { text: StrMap; bytes: Record<string, Buffer> }>;
  secrets: Map<string, { text: StrMap; bytes: Record<string, Buffer> }>;
  /** Accepted fields berth cannot honour (namespaces, pull policies), named for the user. */
  warnings: string[];
}

/** Warnings for fields play accepts but has no way to honour on one host. */
function ignoredOf(o: Workload | Service | PersistentVolumeClaim | ConfigMap | Secret): string[] {
  const out: string[] = [];
  const who = `${o.kind} ${o.metadata.name}`;
  const ns = (o.metadata as { namespace?: string }).namespace;
  if (ns && ns !== 'default') out.push(`${who}: namespace ${ns} is ignored (berth has one)`);
  if (o.kind !== 'Pod' && o.kind !== 'Deployment' && o.kind !== 'StatefulSet') return out;
  const spec = o.kind === 'Pod' ? o.spec : o.spec.template?.spec;
  for (const c of [...(spec?.containers ?? []), ...(spec?.initContainers ?? [])]) {
    const pull = (c as { imagePullPolicy?: string }).imagePullPolicy;
    if (pull && pull !== 'IfNotPresent')
      out.push(`${who}: ${c.name}: imagePullPolicy ${pull} (berth pulls missing images only)`);
  }
  return out;
}

function dataOf(o: ConfigMap | Secret, where: string) {
  const bytes: Record<string, Buffer> = {};
  const b64 = o.kind === 'Secret' ? o.data : o.binaryData;
  const plain = o.kind === 'Secret' ? o.stringData : o.data;
  for (const [k, v] of Object.entries(b64 ?? {})) {
    if (typeof v !== 'string' || !/^[A-Za-z0-9+/\s]*={0,2}\s*$/.test(v))
      throw invalid(`${where}: ${o.kind} "${o.metadata.name}": ${k} is not base64`);
    bytes[k] = Buffer.from(v, 'base64');
  }
  for (const [k, v] of Object.entries(plain ?? {})) bytes[k] = Buffer.from(String(v));
  const text = Object.fromEntries(Object.entries(bytes).map(([k, v]) => [k, v.toString('utf8')]));
  return { text, bytes };
}

/** Sorts checked documents; `file` names them in errors ("file.yaml: document 3: …"). */
export function playObjects(docs: unknown[], file: string): PlayObjects {
  const out: PlayObjects = {
    workloads: [],
    services: [],
    claims: [],
    configMaps: new Map(),
    secrets: new Map(),
    warnings: [],
  };
  const seen = new Set<string>();
  docs.forEach((d, i) => {
    const where = `${file}: document ${i + 1}`;
    checkDocument(d, where);
    const o = d as Workload | Service | PersistentVolumeClaim | ConfigMap | Secret;
    const key = `${o.kind}/${o.metadata.name}`;
    if (seen.has(key)) throw invalid(`${where}: ${key} appears twice`);
    seen.add(key);
    out.warnings.push(...ignoredOf(o));
    if (o.kind === 'Service') out.services.push(o);
    else if (o.kind === 'PersistentVolumeClaim') out.claims.push(o);
    else if (o.kind === 'ConfigMap') out.configMaps.set(o.metadata.name, dataOf(o, where));
    else if (o.kind === 'Secret') out.secrets.set(o.metadata.name, dataOf(o, where));
    else out.workloads.push(o);
  });
  if (!out.workloads.length) throw invalid(`${file}: no Pod, Deployment or StatefulSet to run`);
  return out;
}
