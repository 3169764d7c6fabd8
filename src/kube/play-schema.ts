// The fields `kube play` understands, per kind. Anything else is refused by name before anything is
// created: a field berth would ignore could change what the workload means.
import { invalid } from '../errdefs.js';

/** `true`: any value; an object: these keys; a one-element array: a list of that shape. */
export type Shape = true | { [k: string]: Shape } | [Shape];

const strMap: Shape = true;
const keyRef: Shape = { name: true, key: true, optional: true };
const probe: Shape = {
  exec: { command: true },
  initialDelaySeconds: true,
  periodSeconds: true,
  timeoutSeconds: true,
  failureThreshold: true,
  successThreshold: true,
};
const container: Shape = {
  name: true,
  image: true,
  imagePullPolicy: true,
  command: true,
  args: true,
  workingDir: true,
  env: [{ name: true, value: true, valueFrom: { secretKeyRef: keyRef, configMapKeyRef: keyRef } }],
  envFrom: [{ prefix: true, secretRef: { name: true, optional: true }, configMapRef: { name: true, optional: true } }],
  ports: [{ containerPort: true, protocol: true, hostPort: true, hostIP: true, name: true }],
  volumeMounts: [{ name: true, mountPath: true, readOnly: true }],
  resources: { limits: strMap, requests: strMap },
  livenessProbe: probe,
  readinessProbe: probe,
  securityContext: {
    runAsUser: true,
    runAsGroup: true,
    privileged: true,
    readOnlyRootFilesystem: true,
    capabilities: { add: true, drop: true },
  },
  stdin: true,
  tty: true,
};
const items: Shape = [{ key: true, path: true }];
const podSpec: Shape = {
  containers: [container],
  initContainers: [container],
  volumes: [
    {
      name: true,
      persistentVolumeClaim: { claimName: true, readOnly: true },
      hostPath: { path: true, type: true },
      emptyDir: { medium: true, sizeLimit: true },
      configMap: { name: true, items, optional: true, defaultMode: true },
      secret: { secretName: true, items, optional: true, defaultMode: true },
    },
  ],
  restartPolicy: true,
  hostname: true,
  hostNetwork: true,
  hostAliases: [{ ip: true, hostnames: true }],
  terminationGracePeriodSeconds: true,
};
const meta: Shape = { name: true, namespace: true, labels: strMap, annotations: strMap };
const template: Shape = { metadata: { labels: strMap, annotations: strMap }, spec: podSpec };
const selector: Shape = { matchLabels: strMap };
const top = (o: Record<string, Shape>): Shape => ({ apiVersion: true, kind: true, metadata: meta, ...o });

/** Each kind `kube play` runs, with its apiVersion and fields. */
export const KINDS: Record<string, { apiVersion: string; shape: Shape }> = {
  Pod: { apiVersion: 'v1', shape: top({ spec: podSpec }) },
  Deployment: { apiVersion: 'apps/v1', shape: top({ spec: { replicas: true, selector, template } }) },
  StatefulSet: {
    apiVersion: 'apps/v1',
    shape: top({ spec: { replicas: true, serviceName: true, selector, template } }),
  },
  Service: {
    apiVersion: 'v1',
    shape: top({
      spec: {
        selector: strMap,
        type: true,
        clusterIP: true,
        ports: [{ name: true, port: true, targetPort: true, protocol: true, nodePort: true }],
      },
    }),
  },
  ConfigMap: { apiVersion: 'v1', shape: top({ data: strMap, binaryData: strMap, immutable: true }) },
  Secret: { apiVersion: 'v1', shape: top({ type: true, data: strMap, stringData: strMap, immutable: true }) },
  PersistentVolumeClaim: {
    apiVersion: 'v1',
    shape: top({ spec: { accessModes: true, resources: { requests: strMap, limits: strMap } } }),
  },
};

/** Paths (a.b[0].c) in `v` that `shape` does not allow. */
export function unknownFields(v: unknown, shape: Shape, path = ''): string[] {
  if (shape === true || v === null || v === undefined) return [];
  if (Array.isArray(shape)) {
    if (!Array.isArray(v)) return [];
    return v.flatMap((x, i) => unknownFields(x, shape[0], `${path}[${i}]`));
  }
  if (typeof v !== 'object' || Array.isArray(v)) return [];
  const out: string[] = [];
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
    const p = path ? `${path}.${k}` : k;
    const s = shape[k];
    if (s === undefined) out.push(p);
    else out.push(...unknownFields(x, s, p));
  }
  return out;
}

/** Checks one document's kind, apiVersion and fields; `where` names it in the error. */
export function checkDocument(doc: unknown, where: string): void {
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) throw invalid(`${where}: not a Kubernetes object`);
  const o = doc as Record<string, unknown>;
  const k = KINDS[String(o.kind)];
  if (!k)
    throw invalid(
      `${where}: unsupported kind ${JSON.stringify(o.kind)} (kube play runs ${Object.keys(KINDS).join(', ')})`,
    );
  if (o.apiVersion !== k.apiVersion)
    throw invalid(`${where}: ${String(o.kind)} needs apiVersion ${k.apiVersion}, not ${JSON.stringify(o.apiVersion)}`);
  const name = (o.metadata as { name?: unknown } | undefined)?.name;
  if (typeof name !== 'string' || !name) throw invalid(`${where}: ${String(o.kind)} without metadata.name`);
  const bad = unknownFields(doc, k.shape);
  if (bad.length) throw invalid(`${where}: ${String(o.kind)} "${name}": unsupported field(s) ${bad.join(', ')}`);
}
