// Legacy links' names (docker-py's test_remove_link): `docker run --link a:mylink` gives a the extra
// name "/b/mylink" in ps; `docker rm --link b/mylink` (DELETE /containers/b/mylink?link=1) removes
// only that link and leaves both containers; the container's own name cannot be removed as a link.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { daemonPerFile } from '../../harness/daemon.js';

const berthd = daemonPerFile();

test('docker rm --link removes a legacy link and its name, not the containers', {
  skip: berthd.skip ?? false,
}, async () => {
  const d = berthd.d;
  assert.equal((await d.docker(['run', '-d', '--name', 'la', 'busybox', 'sleep', '300'])).code, 0);
  const b = await d.docker(['run', '-d', '--name', 'lb', '--link', 'la:mylink', 'busybox', 'sleep', '300']);
  assert.equal(b.code, 0, b.stderr);
  const names = async () =>
    (await d.docker(['ps', '-a', '--no-trunc', '--filter', 'name=la', '--format', '{{.Names}}'])).stdout.trim();
  assert.equal(await names(), 'la,lb/mylink');
  const ps = (await d.dockerode.listContainers({ all: true })) as Array<{ Names: string[] }>;
  assert.ok(ps.some((c) => c.Names.includes('/lb/mylink')));

  const own = await d.docker(['rm', '--link', 'la']);
  assert.notEqual(own.code, 0);
  assert.match(own.stderr, /Conflict, cannot remove the default link name of the container/);
  const none = await d.docker(['rm', '--link', 'lb/nosuch']);
  assert.notEqual(none.code, 0);
  assert.match(none.stderr, /No such container: lb\/nosuch/);

  const rm = await d.docker(['rm', '--link', 'lb/mylink']);
  assert.equal(rm.code, 0, rm.stderr);
  assert.equal(await names(), 'la');
  const links = (await d.docker(['inspect', '-f', '{{json .HostConfig.Links}}', 'lb'])).stdout.trim();
  assert.equal(links, 'null');
  const both = (await d.docker(['ps', '-q', '--filter', 'name=l'])).stdout.trim().split('\n');
  assert.equal(both.length, 2, 'both containers are still there');
  assert.equal((await d.docker(['rm', '-f', 'la', 'lb'])).code, 0);
});
