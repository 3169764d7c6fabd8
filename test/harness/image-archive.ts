// Test images of random data as docker-archive files (Docker 25 layout: manifest.json + blobs/sha256),
// for load/push/crash tests that need layers big enough to interrupt.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface RandomArchive {
  /** the docker-archive */
  archive: string;
  /** the first layer as a plain tar (a rootfs for `docker import`), when asked for */
  firstLayerTar?: string;
}

/** `layers` layers of `layerMb` MB of random data each, tagged `tag`, written under `dir`. */
export function makeRandomArchive(
  dir: string,
  o: { tag: string; layers: number; layerMb: number; keepFirstLayer?: boolean },
): RandomArchive {
  const arch = join(dir, 'arch');
  const blobs = join(arch, 'blobs', 'sha256');
  mkdirSync(blobs, { recursive: true });
  const diffIds: string[] = [];
  const res: RandomArchive = { archive: join(dir, 'image.tar') };
  for (let i = 0; i < o.layers; i++) {
    const rootfs = join(dir, `rootfs${i}`);
    mkdirSync(rootfs);
    execFileSync('sh', ['-c', `head -c ${o.layerMb * 1e6} /dev/urandom > ${rootfs}/data${i}`]);
    const t = join(arch, 'layer.tar');
    execFileSync('tar', ['-C', rootfs, '-cf', t, '.']);
    if (i === 0 && o.keepFirstLayer) execFileSync('cp', [t, (res.firstLayerTar = join(dir, 'rootfs.tar'))]);
    const hex = execFileSync('sha256sum', [t], { encoding: 'utf8' }).split(' ')[0]!;
    execFileSync('mv', [t, join(blobs, hex)]);
    rmSync(rootfs, { recursive: true });
    diffIds.push(hex);
  }
  const config = JSON.stringify({
    architecture: 'amd64',
    os: 'linux',
    created: '2024-01-01T00:00:00Z',
    config: { Cmd: ['sh'] },
    rootfs: { type: 'layers', diff_ids: diffIds.map((h) => `sha256:${h}`) },
    history: diffIds.map(() => ({ created: '2024-01-01T00:00:00Z', created_by: 'crash-test' })),
  });
  const cfg = createHash('sha256').update(config).digest('hex');
  writeFileSync(join(blobs, cfg), config);
  writeFileSync(
    join(arch, 'manifest.json'),
    JSON.stringify([
      { Config: `blobs/sha256/${cfg}`, RepoTags: [o.tag], Layers: diffIds.map((h) => `blobs/sha256/${h}`) },
    ]),
  );
  execFileSync('tar', ['-C', arch, '-cf', res.archive, 'manifest.json', 'blobs']);
  rmSync(arch, { recursive: true });
  return res;
}
