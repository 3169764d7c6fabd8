// Networking end to end in the harness namespace: default bridge addressing, -p publishing through
// the userland proxy (loopback) and iptables DNAT (bridge address), port conflicts, user networks
// with embedded DNS and round-robin aliases (docker CLI + dockerode), and restart safety after kill -9.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { after, before, test } from 'node:test';
import { daemonUnavailable, startDaemon, type Daemon, dockerOk } from '../../harness/daemon.js';
import { httpGet } from '../../harness/http-get.js';

const skip = daemonUnavailable();
let d: Daemon;

before(async () => {
  if (skip) return;
  d = await startDaemon();
});
after(async () => {
  if (!d) return;
  assert.deepEqual((await d.stop()).leaks, []);
});

const ok = (args: string[]) => dockerOk(d, args);

const get = (url: string) => httpGet(url, 3000);

async function eventually(url: string, ms = 10_000): Promise<string> {
  const end = Date.now() + ms;
  for (;;) {
    try {
      return await get(url);
    } catch (e) {
      if (Date.now() > end) throw e;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

const dnatRules = () =>
  execFileSync('iptables', ['-w', '-t', 'nat', '-S', 'BERTH'], { encoding: 'utf8' })
    .split('\n')
    .filter((l) => l.includes('DNAT'));

test('default bridge: address, MAC, route, hosts file, reachable from the host', { skip: skip ?? false }, async () => {
  await ok([
    'run',
    '-d',
    '--name',
    'b1',
    'busybox',
    'sh',
    '-c',
    'mkdir /w; echo hi-b1 > /w/index.html; httpd -f -p 8000 -h /w',
  ]);
  const ip = await ok(['inspect', '-f', '{{.NetworkSettings.IPAddress}}', 'b1']);
  assert.match(ip, /^172\.17\.\d+\.\d+$/);
  assert.equal(
    await ok(['inspect', '-f', '{{.NetworkSettings.Gateway}} {{.NetworkSettings.IPPrefixLen}}', 'b1']),
    '172.17.0.1 16',
  );
  assert.match(await ok(['inspect', '-f', '{{.NetworkSettings.MacAddress}}', 'b1']), /^02:42:ac:11:/);
  assert.match(await ok(['exec', 'b1', 'ip', 'route']), /^default via 172\.17\.0\.1 dev eth0/m);
  assert.match(await ok(['exec', 'b1', 'cat', '/etc/hosts']), new RegExp(`^${ip.replace(/\./g, '\\.')}\\s`, 'm'));
  assert.equal((await eventually(`http://${ip}:8000/`)).trim(), 'hi-b1');
  const members = await ok([
    'network',
    'inspect',
    '-f',
    '{{range .Containers}}{{.Name}} {{.IPv4Address}}{{end}}',
    'bridge',
  ]);
  assert.equal(members, `b1 ${ip}/16`);
  await ok(['rm', '-f', 'b1']);
});

test('-p publishes through the proxy (loopback) and DNAT (bridge address); conflicts fail cleanly', {
  skip: skip ?? false,
}, async () => {
  const id = await ok([
    'run',
    '-d',
    '--name',
    'web',
    '-p',
    '18080:80',
    '-p',
    '127.0.0.1::81',
    '-p',
    '15514:514/udp',
    'busybox',
    'sh',
    '-c',
    'mkdir /w; echo hello > /w/index.html; httpd -p 80 -h /w; httpd -f -p 81 -h /w',
  ]);
  assert.equal((await eventually('http://127.0.0.1:18080/')).trim(), 'hello');
  assert.equal((await eventually('http://172.17.0.1:18080/')).trim(), 'hello'); // OUTPUT → BERTH → DNAT
  const ports = (await ok(['port', 'web'])).split('\n').sort();
  assert.deepEqual(
    ports.filter((l) => (l.startsWith('80/') || l.startsWith('514/')) && !l.includes('[::]')), // [::]: ports-v6.test
    ['514/udp -> 0.0.0.0:15514', '80/tcp -> 0.0.0.0:18080'],
  );
  const eph = /81\/tcp -> 127\.0\.0\.1:(\d+)/.exec(ports.join('\n'));
  assert.ok(eph, ports.join('\n'));
  assert.equal((await eventually(`http://127.0.0.1:${eph[1]}/`)).trim(), 'hello');
  assert.ok(dnatRules().some((l) => l.includes('--dport 18080') && l.includes(':80')));
  // the same host port again: Docker's error, and nothing left behind by the failed start
  const before = dnatRules().length;
  const dup = await d.docker(['run', '-d', '--name', 'dup', '-p', '18080:80', 'busybox', 'sleep', '60']);
  assert.notEqual(dup.code, 0);
  assert.match(dup.stderr, /Bind for 0\.0\.0\.0:18080 failed: port is already allocated/);
  assert.equal(dnatRules().length, before);
  assert.equal(await ok(['inspect', '-f', '{{.NetworkSettings.IPAddress}}', 'dup']), '');
  // ps shows the mapping; stopping releases the port
  assert.match(await ok(['ps', '--filter', 'name=web', '--format', '{{.Ports}}']), /0\.0\.0\.0:18080->80\/tcp/);
  await ok(['stop', '-t', '0', 'web']);
  await assert.rejects(get('http://127.0.0.1:18080/'));
  assert.equal(dnatRules().length, 0);
  await ok(['start', 'dup']);
  await ok(['rm', '-f', id, 'dup']);
});

test('user network: own subnet, 127.0.0.11 DNS by name and round-robin alias, connect/disconnect', {
  skip: skip ?? false,
}, async () => {
  const net = await d.dockerode.createNetwork({
    Name: 'un',
    Driver: 'bridge',
    IPAM: { Config: [{ Subnet: '10.77.0.0/24', IPRange: '10.77.0.128/25', Gateway: '10.77.0.1' }] },
  });
  const info = await net.inspect();
  assert.deepEqual(info.IPAM?.Config, [{ Subnet: '10.77.0.0/24', IPRange: '10.77.0.128/25', Gateway: '10.77.0.1' }]);
  const overlap = await d.docker(['network', 'create', '--subnet', '10.77.0.0/16', 'un2']);
  assert.match(overlap.stderr, /Pool overlaps with other one on this address space/);
  for (const n of ['a1', 'a2'])
    await ok(['run', '-d', '--name', n, '--net', 'un', '--net-alias', 'svc', 'busybox', 'sleep', '300']);
  await ok(['run', '-d', '--name', 'asker', '--net', 'un', 'busybox', 'sleep', '300']);
  const ips = await Promise.all(
    ['a1', 'a2'].map((n) => ok(['inspect', '-f', '{{(index .NetworkSettings.Networks "un").IPAddress}}', n])),
  );
  for (const ip of ips) assert.match(ip, /^10\.77\.0\.(12[89]|1[3-9]\d|2\d\d)$/);
  assert.equal(await ok(['exec', 'asker', 'grep', 'nameserver', '/etc/resolv.conf']), 'nameserver 127.0.0.11');
  const ns = await ok(['exec', 'asker', 'nslookup', 'svc', '127.0.0.11']);
  for (const ip of ips) assert.ok(ns.includes(ip), ns);
  const firsts = new Set<string>();
  for (let i = 0; i < 6; i++)
    firsts.add(/PING svc \(([\d.]+)\)/.exec(await ok(['exec', 'asker', 'ping', '-c1', '-W1', 'svc']))?.[1] ?? '');
  assert.equal(firsts.size, 2, `round robin: ${[...firsts]}`);
  assert.match(
    await ok(['exec', 'asker', 'ping', '-c1', '-W2', 'a1']),
    new RegExp(`\\(${ips[0]!.replace(/\./g, '\\.')}\\)`),
  );
  // a container on the default bridge joins later with an alias, then leaves
  await ok(['run', '-d', '--name', 'late', 'busybox', 'sleep', '300']);
  await net.connect({ Container: 'late', EndpointConfig: { Aliases: ['lateal'] } });
  assert.equal(await ok(['exec', 'late', 'sh', '-c', 'ls /sys/class/net | grep -c ^eth']), '2');
  assert.match(await ok(['exec', 'asker', 'ping', '-c1', '-W2', 'lateal']), /1 packets received/);
  await ok(['network', 'disconnect', 'un', 'late']);
  assert.equal(
    await ok(['inspect', '-f', '{{range $k, $v := .NetworkSettings.Networks}}{{$k}} {{end}}', 'late']),
    'bridge',
  );
  const rm = await d.docker(['network', 'rm', 'un']);
  assert.match(rm.stderr, /has active endpoints/);
  await ok(['rm', '-f', 'a1', 'a2', 'asker', 'late']);
  assert.equal(await ok(['network', 'rm', 'un']), 'un');
  const gone = await d.docker(['network', 'inspect', 'un']);
  assert.match(gone.stderr, /network un not found/);
});

test('berthd killed with -9 and restarted keeps published ports working without duplicate rules', {
  skip: skip ?? false,
}, async () => {
  await ok([
    'run',
    '-d',
    '--name',
    'keep',
    '-p',
    '18090:80',
    'busybox',
    'sh',
    '-c',
    'mkdir /w; echo kept > /w/index.html; httpd -f -p 80 -h /w',
  ]);
  assert.equal((await eventually('http://172.17.0.1:18090/')).trim(), 'kept');
  const rules = dnatRules();
  const root = d.root;
  await d.kill('SIGKILL');
  d = await startDaemon({ root, busybox: false });
  assert.equal((await eventually('http://127.0.0.1:18090/')).trim(), 'kept'); // proxy back
  assert.deepEqual(dnatRules(), rules);
  const next = await ok(['run', '-d', '--name', 'next', 'busybox', 'sleep', '60']);
  const ipKeep = await ok(['inspect', '-f', '{{.NetworkSettings.IPAddress}}', 'keep']);
  assert.notEqual(await ok(['inspect', '-f', '{{.NetworkSettings.IPAddress}}', next]), ipKeep);
  await ok(['rm', '-f', 'keep', 'next']);
});

// An "outside" namespace joined to the harness namespace by a veth: 10.99.0.1 here, 10.99.0.2 there.
// Only namespaces this test made carry the traffic.
async function outsideNs(): Promise<{ pid: number; close: () => void }> {
  const { spawn } = await import('node:child_process');
  const p = spawn('unshare', ['--net', 'sleep', '300'], { stdio: 'ignore' });
  await new Promise((r) => setTimeout(r, 200));
  const pid = p.pid!;
  const sh = (cmd: string) => execFileSync('sh', ['-c', cmd], { stdio: 'pipe' });
  sh(`ip link add vout0 type veth peer name vout1 && ip link set vout1 netns ${pid}`);
  sh('ip addr add 10.99.0.1/24 dev vout0 && ip link set vout0 up');
  sh(
    `nsenter --net=/proc/${pid}/ns/net sh -c 'ip link set lo up; ip addr add 10.99.0.2/24 dev vout1; ip link set vout1 up; ip route add default via 10.99.0.1'`,
  );
  return {
    pid,
    close: () => {
      execFileSync('ip', ['link', 'del', 'vout0'], { stdio: 'ignore' });
      p.kill('SIGKILL');
    },
  };
}

test('isolation: two user networks cannot reach each other; --internal has no way out', {
  skip: skip ?? false,
}, async () => {
  const out = await outsideNs();
  try {
    await ok(['network', 'create', '--subnet', '10.81.0.0/24', 'iso1']);
    await ok(['network', 'create', '--subnet', '10.82.0.0/24', 'iso2']);
    await ok(['network', 'create', '--internal', '--subnet', '10.83.0.0/24', 'isoint']);
    assert.equal(await ok(['network', 'inspect', '-f', '{{.Internal}}', 'isoint']), 'true');
    for (const [n, net] of [
      ['i1', 'iso1'],
      ['i2', 'iso2'],
      ['in1', 'isoint'],
      ['in2', 'isoint'],
    ])
      await ok(['run', '-d', '--name', n!, '--net', net!, '--cap-add', 'NET_ADMIN', 'busybox', 'sleep', '300']);
    const ip = (n: string, net: string) =>
      ok(['inspect', '-f', `{{(index .NetworkSettings.Networks "${net}").IPAddress}}`, n]);
    const ping = async (from: string, to: string) =>
      (await d.docker(['exec', from, 'ping', '-c1', '-W1', to])).code === 0;
    const [i2, in2] = [await ip('i2', 'iso2'), await ip('in2', 'isoint')];
    // positive controls: a normal network reaches the outside namespace (masqueraded), the internal one itself
    assert.ok(await ping('i1', '10.99.0.2'), 'iso1 → outside');
    assert.ok(await ping('in1', in2), 'inside the internal network');
    // bridge to bridge is dropped in BERTH-ISOLATION-*, both ways and to/from the internal network
    assert.equal(await ping('i1', i2), false, 'iso1 → iso2');
    assert.equal(await ping('i2', await ip('i1', 'iso1')), false, 'iso2 → iso1');
    assert.equal(await ping('i1', in2), false, 'iso1 → isoint');
    assert.equal(await ping('in1', i2), false, 'isoint → iso2');
    // the internal network: even with a route out (NET_ADMIN), forwarding leaves nothing through
    await d.docker(['exec', 'in1', 'ip', 'route', 'add', '10.99.0.0/24', 'via', '10.83.0.1']);
    assert.match(await ok(['exec', 'in1', 'ip', 'route']), /10\.99\.0\.0\/24 via 10\.83\.0\.1/);
    assert.equal(await ping('in1', '10.99.0.2'), false, 'isoint → outside');
    const drops = execFileSync('iptables', ['-w', '-S', 'BERTH-ISOLATION-1'], { encoding: 'utf8' });
    assert.match(drops, /! -d 10\.83\.0\.0\/24 -i br-[0-9a-f]{12} -j DROP/);
    const nat = execFileSync('iptables', ['-w', '-t', 'nat', '-S', 'BERTH-POSTROUTING'], { encoding: 'utf8' });
    assert.match(nat, /-s 10\.81\.0\.0\/24 .*MASQUERADE/);
    assert.doesNotMatch(nat, /-s 10\.83\.0\.0\/24/);
    await ok(['rm', '-f', 'i1', 'i2', 'in1', 'in2']);
    await ok(['network', 'rm', 'iso1', 'iso2', 'isoint']);
  } finally {
    out.close();
  }
});
