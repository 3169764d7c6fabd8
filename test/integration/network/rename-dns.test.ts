// Renaming a running container on a user network: the embedded DNS answers to the new name and no
// longer to the old one (moby's ContainerRename → Sandbox.Rename), and the rename survives a
// restart of the renamed container.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { daemonPerFile } from '../../harness/daemon.js';

const berthd = daemonPerFile();

test('a renamed running container resolves by its new name only', { skip: berthd.skip ?? false }, async () => {
  const d = berthd.d;
  const ok = async (args: string[]) => {
    const r = await d.docker(args);
    assert.equal(r.code, 0, `docker ${args.join(' ')}: ${r.stderr}`);
    return r.stdout.trim();
  };
  await ok(['network', 'create', 'rnnet']);
  await ok(['run', '-d', '--name', 'rnold', '--network', 'rnnet', 'busybox', 'sleep', '300']);
  await ok(['run', '-d', '--name', 'rnasker', '--network', 'rnnet', 'busybox', 'sleep', '300']);
  const ip = await ok(['inspect', '-f', '{{.NetworkSettings.Networks.rnnet.IPAddress}}', 'rnold']);
  const lookup = (name: string) => d.docker(['exec', 'rnasker', 'nslookup', name, '127.0.0.11']);
  assert.ok((await lookup('rnold')).stdout.includes(ip));

  await ok(['rename', 'rnold', 'rnnew']);
  const now = await lookup('rnnew');
  assert.equal(now.code, 0, now.stdout + now.stderr);
  assert.ok(now.stdout.includes(ip), now.stdout);
  const old = await lookup('rnold');
  assert.ok(!old.stdout.includes(ip), `the old name still resolves: ${old.stdout}`);
  const names = await ok(['inspect', '-f', '{{json .NetworkSettings.Networks.rnnet.DNSNames}}', 'rnnew']);
  assert.ok(names.includes('"rnnew"') && !names.includes('rnold'), names);

  await ok(['restart', '-t', '0', 'rnnew']);
  const ip2 = await ok(['inspect', '-f', '{{.NetworkSettings.Networks.rnnet.IPAddress}}', 'rnnew']);
  assert.ok((await lookup('rnnew')).stdout.includes(ip2));
  await ok(['rm', '-f', 'rnnew', 'rnasker']);
  await ok(['network', 'rm', 'rnnet']);
});
