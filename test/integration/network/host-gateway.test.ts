// `--add-host name:host-gateway` writes the default bridge's gateway into /etc/hosts, as Docker
// does (docker-compose's `host.docker.internal:host-gateway` idiom), on the default bridge and on
// a user network; a container there reaches the host through that name.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { daemonPerFile } from '../../harness/daemon.js';

const berthd = daemonPerFile();

test('--add-host host.docker.internal:host-gateway names the bridge gateway', {
  skip: berthd.skip ?? false,
}, async () => {
  const d = berthd.d;
  const gw = (
    await d.docker(['network', 'inspect', '-f', '{{(index .IPAM.Config 0).Gateway}}', 'bridge'])
  ).stdout.trim();
  assert.match(gw, /^\d+\.\d+\.\d+\.\d+$/);
  const hostsLine = async (net: string) => {
    const r = await d.docker([
      'run',
      '--rm',
      '--network',
      net,
      '--add-host',
      'host.docker.internal:host-gateway',
      'busybox',
      'sh',
      '-c',
      'grep host.docker.internal /etc/hosts && ping -c1 -W2 host.docker.internal >/dev/null && echo reached',
    ]);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    return r.stdout;
  };
  assert.equal(await hostsLine('bridge'), `${gw}\thost.docker.internal\nreached\n`);
  assert.equal((await d.docker(['network', 'create', 'hgnet'])).code, 0);
  assert.equal(await hostsLine('hgnet'), `${gw}\thost.docker.internal\nreached\n`);
  assert.equal((await d.docker(['network', 'rm', 'hgnet'])).code, 0);
});
