// zstd-compressed layers (application/vnd.oci.image.layer.v1.tar+zstd): an OCI image layout whose
// two layers are zstd (made here with the zstd program) is loaded with `docker load` and, copied
// into Debian's docker-registry by skopeo, pulled with `docker pull`; both then run. A corrupt
// zstd layer fails the load with zstd's reason and leaves nothing behind.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { busyboxTarball, daemonUnavailable, startDaemon, type Daemon, dockerOk } from '../../harness/daemon.js';
import { DOCKER_REGISTRY, startDockerRegistry, type TestRegistry } from '../../harness/registry.js';

const missing = ['/usr/bin/zstd', '/usr/bin/skopeo', DOCKER_REGISTRY].filter((p) => !existsSync(p));
const skip = daemonUnavailable() ?? (missing.length ? `not installed: ${missing.join(', ')}` : null);
const ZSTD_LAYER = 'application/vnd.oci.image.layer.v1.tar+zstd';
const tmp = mkdtempSync(join(tmpdir(), 'berth-zstd-'));
let d: Daemon;
let reg: TestRegistry | null = null;

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** An OCI image layout in `dir`: busybox's rootfs, plus a layer with /hello, both zstd. */
async function makeLayout(dir: string, tag: string, corrupt = false): Promise<void> {
  const blobs = join(dir, 'blobs', 'sha256');
  mkdirSync(blobs, { recursive: true });
  const extra = join(tmp, `extra-${tag}`);
  mkdirSync(extra, { recursive: true });
  writeFileSync(join(extra, 'hello'), 'hello from zstd\n');
  const tars = [readFileSync(await busyboxTarball()), execFileSync('tar', ['-C', extra, '-cf', '-', 'hello'])];
  const layers = tars.map((t, i) => {
    const z = execFileSync('zstd', ['-c', '-q', '-3'], { input: t, maxBuffer: 64 << 20 });
    if (corrupt && i === 1) z.fill(0x55, 30, 80);
    writeFileSync(join(blobs, sha(z)), z);
    return { mediaType: ZSTD_LAYER, digest: `sha256:${sha(z)}`, size: z.length };
  });
  const config = Buffer.from(
    JSON.stringify({
      architecture: 'amd64',
      os: 'linux',
      created: '2024-01-01T00:00:00Z',
      config: { Cmd: ['sh'] },
      rootfs: { type: 'layers', diff_ids: tars.map((t) => `sha256:${sha(t)}`) },
      history: [
        { created: '2024-01-01T00:00:00Z', created_by: 'busybox' },
        { created: '2024-01-01T00:00:00Z', created_by: 'hello' },
      ],
    }),
  );
  writeFileSync(join(blobs, sha(config)), config);
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: {
        mediaType: 'application/vnd.oci.image.config.v1+json',
        digest: `sha256:${sha(config)}`,
        size: config.length,
      },
      layers,
    }),
  );
  writeFileSync(join(blobs, sha(manifest)), manifest);
  writeFileSync(join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  writeFileSync(
    join(dir, 'index.json'),
    JSON.stringify({
      schemaVersion: 2,
      manifests: [
        {
          mediaType: 'application/vnd.oci.image.manifest.v1+json',
          digest: `sha256:${sha(manifest)}`,
          size: manifest.length,
          annotations: {
            'io.containerd.image.name': `docker.io/zstd/bb:${tag}`,
            'org.opencontainers.image.ref.name': tag,
          },
        },
      ],
    }),
  );
}

async function startRegistry(): Promise<string> {
  reg = await startDockerRegistry(tmp);
  return reg.addr;
}

const ok = (args: string[]) => dockerOk(d, args, { timeoutMs: 120_000 });

before(async () => {
  if (skip) return;
  d = await startDaemon({ busybox: false });
});
after(async () => {
  reg?.stop();
  rmSync(tmp, { recursive: true, force: true });
  if (d) assert.deepEqual((await d.stop()).leaks, []);
});

test('docker load of an OCI archive with zstd layers', { skip: skip ?? false, timeout: 120_000 }, async () => {
  const layout = join(tmp, 'oci-load');
  await makeLayout(layout, 'load');
  const tar = join(tmp, 'oci-load.tar');
  execFileSync('tar', ['-C', layout, '-cf', tar, '.']);
  assert.match(await ok(['load', '-i', tar]), /Loaded image: zstd\/bb:load/);
  assert.equal(await ok(['run', '--rm', 'zstd/bb:load', 'cat', '/hello']), 'hello from zstd');
  assert.equal(await ok(['image', 'inspect', '--format', '{{len .RootFS.Layers}}', 'zstd/bb:load']), '2');
  // saved again, the layers are plain tars that load back (the diffIDs did not change)
  const saved = join(tmp, 'saved.tar');
  await ok(['save', '-o', saved, 'zstd/bb:load']);
  await ok(['rmi', 'zstd/bb:load']);
  await ok(['load', '-i', saved]);
  assert.equal(await ok(['run', '--rm', 'zstd/bb:load', 'cat', '/hello']), 'hello from zstd');
  await ok(['rmi', 'zstd/bb:load']);
});

test('a corrupt zstd layer fails the load and stores nothing', { skip: skip ?? false, timeout: 120_000 }, async () => {
  const layout = join(tmp, 'oci-bad');
  await makeLayout(layout, 'bad', true);
  const tar = join(tmp, 'oci-bad.tar');
  execFileSync('tar', ['-C', layout, '-cf', tar, '.']);
  const blobsDir = join(d.dataRoot, 'content', 'blobs', 'sha256');
  const before = existsSync(blobsDir) ? readdirSync(blobsDir).sort() : [];
  const r = await d.docker(['load', '-i', tar]);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /zstd: /);
  assert.equal((await d.docker(['image', 'inspect', 'zstd/bb:bad'])).code, 1);
  assert.equal(await ok(['images', '-aq']), '');
  assert.deepEqual(existsSync(blobsDir) ? readdirSync(blobsDir).sort() : [], before);
});

test('docker pull of a registry image with zstd layers (pushed by skopeo)', {
  skip: skip ?? false,
  timeout: 120_000,
}, async () => {
  const R = await startRegistry();
  const layout = join(tmp, 'oci-pull');
  await makeLayout(layout, 'pull');
  execFileSync(
    'skopeo',
    ['copy', '--quiet', '--dest-tls-verify=false', `oci:${layout}:pull`, `docker://${R}/zstd/bb:pull`],
    { stdio: 'pipe' },
  );
  const raw = execFileSync('skopeo', ['inspect', '--raw', '--tls-verify=false', `docker://${R}/zstd/bb:pull`], {
    encoding: 'utf8',
  });
  assert.deepEqual(
    (JSON.parse(raw) as { layers: { mediaType: string }[] }).layers.map((l) => l.mediaType),
    [ZSTD_LAYER, ZSTD_LAYER],
  );
  const out = await ok(['pull', `${R}/zstd/bb:pull`]);
  assert.match(out, /Pull complete/);
  assert.match(out, /Status: Downloaded newer image/);
  assert.equal(await ok(['run', '--rm', `${R}/zstd/bb:pull`, 'cat', '/hello']), 'hello from zstd');
  await ok(['rmi', `${R}/zstd/bb:pull`]);
});
