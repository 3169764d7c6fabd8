// (moby refuses one-character container names: the brief's `--name c` is `--name sz-c` here.)
// Sizes as Docker reports them, in bytes of content (issues 16, 17): `ps -s` of a container that
// wrote 3 bytes is `3B (virtual …)`, an image's SIZE is the sum of its layers' file contents, and
// `system df -v` lists SHARED SIZE, UNIQUE SIZE and CONTAINERS per image (no intermediate build
// images), each container's size and each volume's, all read through the docker CLI.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { humanSize, humanSizeWithPrecision } from '../../../src/util/go-units.js';
import { busyboxTarball, daemonPerFile, getUnix, runCommand, dockerOk } from '../../harness/daemon.js';

const t = daemonPerFile();
const ctx = mkdtempSync(join(tmpdir(), 'berth-sizes-'));
after(() => rmSync(ctx, { recursive: true, force: true }));

const ok = (args: string[]) => dockerOk(t.d, args, { timeoutMs: 120_000 });

/** Bytes of regular-file content in the busybox fixture tar: what its one layer holds. */
async function fixtureContent(): Promise<number> {
  const r = await runCommand('tar', ['-tvf', await busyboxTarball()]);
  assert.equal(r.code, 0, r.stderr);
  let n = 0;
  for (const line of r.stdout.split('\n')) if (line.startsWith('-')) n += Number(line.split(/\s+/)[2]);
  return n;
}

/** The rows of one section of `docker system df -v`, cells split on the table's padding. */
function section(out: string, title: string): string[][] {
  const lines = out.split('\n');
  const at = lines.findIndex((l) => l.startsWith(title));
  assert.ok(at >= 0, `no "${title}" in:\n${out}`);
  const rows: string[][] = [];
  for (const l of lines.slice(at + 3)) {
    // title, blank line, header
    if (!l.trim()) break;
    rows.push(l.trim().split(/\s{2,}/));
  }
  return rows;
}

let busybox = 0; // bytes of the busybox image

test('ps -s: a container that wrote 3 bytes is "3B (virtual …)"; images SIZE is the layer content', {
  skip: t.skip ?? false,
  timeout: 120_000,
}, async () => {
  busybox = await fixtureContent();
  assert.equal(Number(await ok(['image', 'inspect', '--format', '{{.Size}}', 'busybox'])), busybox);
  assert.equal(await ok(['images', '--format', '{{.Size}}', 'busybox']), humanSizeWithPrecision(busybox, 3));
  await ok(['run', '--name', 'sz-c', 'busybox', 'sh', '-c', 'printf abc > /f']);
  const ps = await ok(['ps', '-as', '--filter', 'name=sz-c', '--format', '{{.Size}}']);
  assert.equal(ps, `3B (virtual ${humanSizeWithPrecision(busybox + 3, 3)})`);
  const [c] = (await t.d.dockerode.listContainers({ all: true, size: true, filters: { name: ['sz-c'] } })) as Array<{
    SizeRw?: number;
    SizeRootFs?: number;
  }>;
  assert.deepEqual([c?.SizeRw, c?.SizeRootFs], [3, busybox + 3]);
  // a deletion is a whiteout in the upper dir: no content, so 0B (moby's overlay2 DiffSize)
  await ok(['run', '--name', 'sz-rm', 'busybox', 'rm', '/bin/ls']);
  const rm = await ok(['ps', '-as', '--filter', 'name=sz-rm', '--format', '{{.Size}}']);
  assert.equal(rm, `0B (virtual ${humanSizeWithPrecision(busybox, 3)})`);
  await ok(['rm', 'sz-rm']);
});

test('system df -v: shared and unique sizes, containers per image, no intermediate images; volume bytes', {
  skip: t.skip ?? false,
  timeout: 180_000,
}, async () => {
  assert.ok(busybox > 0, 'the first test measured busybox');
  // a build with a step image under the final one (the RUN layer is shared with it, as in moby)
  writeFileSync(join(ctx, 'Dockerfile'), 'FROM busybox\nRUN printf 12345 > /five\nLABEL size=test\n');
  await ok(['build', '-q', '-t', 'sz:1', ctx]);
  await ok(['commit', 'sz-c', 'cm:1']); // one layer of its own: /f, 3 bytes
  await ok(['volume', 'create', 'sz-v']);
  await ok(['run', '--rm', '-v', 'sz-v:/d', 'busybox', 'sh', '-c', 'printf 1234567 > /d/x']);
  const all = (await ok(['images', '-aq', '--no-trunc'])).split('\n');
  assert.equal(new Set(all).size, 4, 'busybox, the build step image, sz:1, cm:1');

  const out = await ok(['system', 'df', '-v']);
  const header = out.split('\n')[2] ?? '';
  assert.match(header, /SIZE\s+SHARED SIZE\s+UNIQUE SIZE\s+CONTAINERS/);
  const images = new Map(section(out, 'Images space usage:').map((r) => [`${r[0]}:${r[1]}`, r.slice(4)]));
  assert.deepEqual([...images.keys()].sort(), ['busybox:latest', 'cm:1', 'sz:1'], out);
  const row = (size: number, shared: number, containers: number) => [
    humanSizeWithPrecision(size, 3),
    humanSize(shared),
    humanSize(size - shared),
    String(containers),
  ];
  assert.deepEqual(images.get('busybox:latest'), row(busybox, busybox, 1));
  assert.deepEqual(images.get('sz:1'), row(busybox + 5, busybox + 5, 0));
  assert.deepEqual(images.get('cm:1'), row(busybox + 3, busybox, 0));

  const containers = section(out, 'Containers space usage:');
  const c = containers.find((r) => r.at(-1) === 'sz-c');
  assert.ok(c, out);
  assert.equal(c[4], '3B', 'SIZE without the virtual part');
  assert.deepEqual(section(out, 'Local Volumes space usage:'), [['sz-v', '0', '7B']]);

  const j = JSON.parse((await getUnix(t.d.socket, '/v1.47/system/df')).body) as {
    LayersSize: number;
    Images: Array<{ Id: string; VirtualSize?: number }>;
  };
  assert.equal(j.LayersSize, busybox + 5 + 3, 'each distinct layer of the listed images once');
  assert.equal(j.Images.length, 3);
  assert.equal(j.Images[0]?.VirtualSize, undefined, 'no VirtualSize from API 1.44 on');

  const top = (await ok(['system', 'df'])).split('\n').map((l) => l.trim().split(/\s{2,}/));
  assert.deepEqual(top.find((r) => r[0] === 'Images')?.slice(1, 4), ['3', '1', humanSize(busybox + 8)]);
  await ok(['rm', 'sz-c']);
  await ok(['rmi', 'sz:1', 'cm:1']);
  await ok(['volume', 'rm', 'sz-v']);
});
