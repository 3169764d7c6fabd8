// /info's Images counts every image, intermediate build images included (moby CountImages), so it
// equals the distinct ids of `images -a` (docker-py's test_images); the default list hides them.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { daemonUnavailable, startDaemon, type Daemon } from '../../harness/daemon.js';

const skip = daemonUnavailable();
const ctx = mkdtempSync(join(tmpdir(), 'berth-info-'));
let d: Daemon;

before(async () => {
  if (!skip) d = await startDaemon();
});
after(async () => {
  if (d) await d.stop();
  rmSync(ctx, { recursive: true, force: true });
});

test('info Images = distinct ids of images -a, with intermediate images present', {
  skip: skip ?? false,
  timeout: 120_000,
}, async () => {
  writeFileSync(join(ctx, 'Dockerfile'), 'FROM busybox\nRUN echo one > /one\nRUN echo two > /two\nLABEL x=y\n');
  const b = await d.docker(['build', '-q', '-t', 'infocount:1', ctx]);
  assert.equal(b.code, 0, b.stderr);
  const ids = async (args: string[]) => new Set((await d.docker(args)).stdout.split('\n').filter(Boolean));
  const all = await ids(['images', '-aq', '--no-trunc']);
  const shown = await ids(['images', '-q', '--no-trunc']);
  assert.ok(
    all.size > shown.size,
    `intermediate images exist and are hidden by default (${all.size} vs ${shown.size})`,
  );
  const info = await d.docker(['info', '--format', '{{.Images}}']);
  assert.equal(Number(info.stdout.trim()), all.size);
  assert.equal((await d.docker(['rmi', 'infocount:1'])).code, 0);
});
