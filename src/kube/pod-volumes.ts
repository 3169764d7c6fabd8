// Docker storage → pod volumes: named volumes as PersistentVolumeClaims, bind mounts as hostPath
// (with a warning: they tie the pod to this host), tmpfs as emptyDir medium Memory, anonymous
// volumes as emptyDir. One PodVolumes collects a whole pod, so containers share volume entries.
import type { SourceContainer } from './source.js';
import type { PersistentVolumeClaim, Volume, VolumeMount } from './types.js';
import { dnsName } from './names.js';
import { bytesQuantity } from './quantity.js';

/** The annotation keeping a claim's Docker volume name (Kubernetes names cannot hold `_`). */
export const VOLUME_NAME_ANNOTATION = 'io.berth.kube/volume-name';
/** Docker volumes have no size: claims request this. */
export const DEFAULT_CLAIM_SIZE = '1Gi';

interface DockerMount {
  type: 'volume' | 'bind' | 'tmpfs';
  source: string;
  target: string;
  readOnly: boolean;
  tmpfsSize?: number;
}

/** The container's mounts in Docker terms, from Binds, Mounts, Tmpfs and anonymous Volumes. */
function dockerMounts(c: SourceContainer, warn: (m: string) => void): DockerMount[] {
  const out: DockerMount[] = [];
  for (const b of c.hostConfig.Binds ?? []) {
    const [source, target, opts = ''] = b.split(':');
    const o = opts.split(',');
    if (o.some((x) => x && !['ro', 'rw', 'z', 'Z'].includes(x))) warn(`${c.name}: mount option "${opts}" on ${target}`);
    out.push({ type: source.startsWith('/') ? 'bind' : 'volume', source, target, readOnly: o.includes('ro') });
  }
  for (const m of c.hostConfig.Mounts ?? []) {
    if (m.Type !== 'bind' && m.Type !== 'volume' && m.Type !== 'tmpfs') {
      warn(`${c.name}: ${m.Type} mount on ${m.Target} has no Kubernetes equivalent`);
      continue;
    }
    const size = m.TmpfsOptions?.SizeBytes;
    out.push({
      type: m.Type,
      source: m.Source ?? '',
      target: m.Target,
      readOnly: m.ReadOnly === true,
      tmpfsSize: size,
    });
  }
  for (const [target, opts] of Object.entries(c.hostConfig.Tmpfs ?? {})) {
    const size = /(?:^|,)size=(\d+)([kmg]?)/i.exec(opts);
    const mult: Record<string, number> = { '': 1, k: 1024, m: 2 ** 20, g: 2 ** 30 };
    const tmpfsSize = size ? Number(size[1]) * mult[size[2].toLowerCase()]! : undefined;
    if (opts.split(',').some((o) => o !== '' && !o.startsWith('size=')))
      warn(`${c.name}: tmpfs options "${opts}" on ${target} (only size= is kept)`);
    out.push({ type: 'tmpfs', source: '', target, readOnly: false, tmpfsSize });
  }
  const taken = new Set(out.map((m) => m.target));
  for (const target of Object.keys(c.config.Volumes ?? {}))
    if (!taken.has(target) && !Object.hasOwn(c.imageDefaults?.Volumes ?? {}, target))
      out.push({ type: 'volume', source: '', target, readOnly: false });
  return out;
}

/** Accumulates one pod's volumes and the claims they need. */
export class PodVolumes {
  readonly volumes: Volume[] = [];
  readonly claims: PersistentVolumeClaim[] = [];
  private readonly byKey = new Map<string, string>();

  constructor(private readonly warn: (m: string) => void) {}

  /** The mounts of one container; adds the pod volumes and claims they use. */
  mountsOf(c: SourceContainer): VolumeMount[] {
    return dockerMounts(c, this.warn).map((m) => {
      const name = this.volumeFor(m, c.name);
      return { name, mountPath: m.target, ...(m.readOnly ? { readOnly: true } : {}) };
    });
  }

  private volumeFor(m: DockerMount, who: string): string {
    const key = m.source ? `${m.type}:${m.source}` : `${who}:${m.target}`;
    const had = this.byKey.get(key);
    if (had) return had;
    const base =
      m.type === 'volume' && m.source
        ? dnsName(m.source)
        : dnsName(`${m.type === 'bind' ? 'host' : m.type === 'tmpfs' ? 'tmp' : 'anon'}-${m.target}`);
    let name = base;
    for (let i = 2; this.volumes.some((v) => v.name === name); i++) name = `${base.slice(0, 58)}-${i}`;
    this.byKey.set(key, name);
    this.volumes.push(this.volumeEntry(name, m, who));
    return name;
  }

  private volumeEntry(name: string, m: DockerMount, who: string): Volume {
    if (m.type === 'bind') {
      this.warn(`${who}: bind mount ${m.source} → hostPath: the pod only works on a node that has this path`);
      return { name, hostPath: { path: m.source } };
    }
    if (m.type === 'tmpfs') {
      const sizeLimit = m.tmpfsSize ? bytesQuantity(m.tmpfsSize) : undefined;
      return { name, emptyDir: { medium: 'Memory', ...(sizeLimit ? { sizeLimit } : {}) } };
    }
    if (!m.source) return { name, emptyDir: {} };
    if (!this.claims.some((c) => c.metadata.name === name)) {
      this.warn(
        `volume ${m.source}: its PersistentVolumeClaim requests ${DEFAULT_CLAIM_SIZE} (Docker volumes have no size)`,
      );
      this.claims.push({
        apiVersion: 'v1',
        kind: 'PersistentVolumeClaim',
        metadata: { name, annotations: { [VOLUME_NAME_ANNOTATION]: m.source } },
        spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: DEFAULT_CLAIM_SIZE } } },
      });
    }
    return { name, persistentVolumeClaim: { claimName: name } };
  }
}
