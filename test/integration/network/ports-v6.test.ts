// Published ports on IPv6 as Docker 28 (issues 16, 17): -p without a host address binds 0.0.0.0 and [::] on one
// host port, an address picks its family, -P both; inspect, `docker port` and ps show both; [::1] reaches an
// IPv4-only container through the userland proxy and a dual-stack one also through ip6tables DNAT; conflicts,
// rm, restart and a berthd killed with -9 keep both families right. Traffic only over the harness namespace's lo.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { after, before, test } from 'node:test';
import { daemonUnavailable, startDaemon, type Daemon, dockerOk } from '../../harness/daemon.js';
import { httpGet } from '../../harness/http-get.js';
import { untilValue } from '../../harness/until.js';

/** Why this namespace cannot carry IPv6 on lo (after trying to bring lo up), or null. */
function noIpv6(): string | null {
  if (!fs.existsSync('/proc/net/if_inet6')) return 'the kernel has no IPv6 (/proc/net/if_inet6 is absent)';
  const hasLo6 = () => /^0{31}1 .* lo$/m.test(fs.readFileSync('/proc/net/if_inet6', 'utf8'));
  if (!hasLo6()) {
    try {
      execFileSync('ip', ['link', 'set', 'lo', 'up'], { stdio: 'ignore' });
      execFileSync('sysctl', ['-qw', 'net.ipv6.conf.lo.disable_ipv6=0'], { stdio: 'ignore' });
    } catch {}
  }
  return hasLo6() ? null : 'no ::1 on lo in this namespace (IPv6 disabled), nothing can listen on [::]';
}

const skip = daemonUnavailable() ?? noIpv6();
if (skip) console.log(`# ports-v6: skipped: ${skip}`);
let d: Daemon;

before(async () => {
  if (!skip) d = await startDaemon();
});
after(async () => {
  if (!d) return;
  assert.deepEqual((await d.stop()).leaks, []);
  // the berthd started after the kill -9 also removed what the first one made (raw guard, ip6tables chains)
  const left = (cmd: string, table: string) =>
    execFileSync('sh', ['-c', `${cmd} -w -t ${table} -S 2>/dev/null || true`], { encoding: 'utf8' });
  assert.doesNotMatch(left('iptables', 'raw'), /BERTH/);
  assert.doesNotMatch(left('ip6tables', 'nat') + left('ip6tables', 'filter'), /BERTH/);
});

const ok = (args: string[]) => dockerOk(d, args);
const get = (url: string) => httpGet(url, 3000);
/** The page once it answers (the httpd may still be starting). */
const page = (url: string) =>
  untilValue(
    () => get(url).then((b) => b.trim()),
    (b) => b !== '',
  );
const refused = (url: string) =>
  get(url).then(
    (b) => assert.fail(`${url} still answers: ${b}`),
    () => {},
  );
const ports = async (name: string) =>
  JSON.parse(await ok(['inspect', '-f', '{{json .NetworkSettings.Ports}}', name])) as Record<
    string,
    Array<{ HostIp: string; HostPort: string }> | null
  >;
const httpd = (text: string) => ['busybox', 'sh', '-c', `mkdir /w; echo ${text} > /w/index.html; httpd -f -p 80 -h /w`];
const nat6 = () =>
  execFileSync('ip6tables', ['-w', '-t', 'nat', '-S', 'BERTH'], { encoding: 'utf8' })
    .split('\n')
    .filter((l) => l.includes('DNAT'));

test('-p 8080:80 binds 0.0.0.0 and [::]: inspect, docker port, ps, [::1] through the proxy, conflicts, rm', {
  skip: skip ?? false,
}, async () => {
  await ok(['run', '-d', '--name', 'web', '-p', '18180:80', ...httpd('four-and-six')]);
  assert.deepEqual((await ports('web'))['80/tcp'], [
    { HostIp: '0.0.0.0', HostPort: '18180' },
    { HostIp: '::', HostPort: '18180' },
  ]);
  assert.equal(await ok(['port', 'web']), '80/tcp -> 0.0.0.0:18180\n80/tcp -> [::]:18180');
  assert.equal(await ok(['port', 'web', '80/tcp']), '0.0.0.0:18180\n[::]:18180');
  assert.equal(
    await ok(['ps', '--filter', 'name=web', '--format', '{{.Ports}}']),
    '0.0.0.0:18180->80/tcp, [::]:18180->80/tcp',
  );
  assert.equal(await page('http://[::1]:18180/'), 'four-and-six'); // IPv4-only container, via the proxy
  assert.equal(await page('http://127.0.0.1:18180/'), 'four-and-six');
  // the same port again: Docker's text for the IPv4 half; an IPv6-only binding clashes with [::] as well
  const dup = await d.docker(['run', '-d', '--name', 'dup', '-p', '18180:80', 'busybox', 'sleep', '60']);
  assert.match(dup.stderr, /Bind for 0\.0\.0\.0:18180 failed: port is already allocated/);
  const dup6 = await d.docker(['run', '-d', '--name', 'dup6', '-p', '[::1]:18180:80', 'busybox', 'sleep', '60']);
  assert.match(dup6.stderr, /Bind for :::18180 failed: port is already allocated|Bind for ::1:18180 failed/);
  await ok(['rm', '-f', 'dup', 'dup6']);
  // rm releases both families: [::1] no longer answers and another container gets the port on both
  await ok(['rm', '-f', 'web']);
  await refused('http://[::1]:18180/');
  await ok(['run', '-d', '--name', 'web2', '-p', '18180:80', ...httpd('again')]);
  assert.equal(await page('http://[::1]:18180/'), 'again');
  await ok(['rm', '-f', 'web2']);
});

test('an address picks its family (127.0.0.1, [::1], 0.0.0.0 vs [::]); -P gets both on one port; host_binding_ipv4', {
  skip: skip ?? false,
}, async () => {
  await ok(['run', '-d', '--name', 'v4only', '-p', '127.0.0.1:18181:80', '-p', '0.0.0.0:18183:80', ...httpd('v4')]);
  assert.deepEqual(await ports('v4only'), {
    '80/tcp': [
      { HostIp: '127.0.0.1', HostPort: '18181' },
      { HostIp: '0.0.0.0', HostPort: '18183' },
    ],
  });
  await refused('http://[::1]:18181/');
  await refused('http://[::1]:18183/');
  assert.equal(await page('http://127.0.0.1:18181/'), 'v4'); // lo passes the raw guard below
  // other hosts cannot reach a port published on 127.0.0.1 (Docker 28's raw-table drop)
  const raw = () => execFileSync('iptables', ['-w', '-t', 'raw', '-S'], { encoding: 'utf8' });
  assert.match(raw(), /^-A BERTH-PREROUTING -d 127\.0\.0\.1\/32 ! -i lo -p tcp -m tcp --dport 18181 -j DROP$/m);
  assert.match(raw(), /^-A PREROUTING -j BERTH-PREROUTING$/m);
  // [::]:18183 is free: 0.0.0.0 and :: do not clash (moby's allocator)
  await ok(['run', '-d', '--name', 'v6only', '-p', '[::1]:18182:80', '-p', '[::]:18183:80', ...httpd('v6')]);
  assert.equal(await ok(['port', 'v6only']), '80/tcp -> [::1]:18182\n80/tcp -> [::]:18183');
  assert.equal(await page('http://[::1]:18182/'), 'v6');
  assert.equal(await page('http://[::1]:18183/'), 'v6');
  assert.equal(await page('http://127.0.0.1:18183/'), 'v4');
  await refused('http://127.0.0.1:18182/');
  await ok(['run', '-d', '--name', 'all', '--expose', '80', '-P', ...httpd('all')]);
  const all = (await ports('all'))['80/tcp'] ?? [];
  assert.deepEqual(
    all.map((b) => b.HostIp),
    ['0.0.0.0', '::'],
  );
  assert.equal(all[0]!.HostPort, all[1]!.HostPort, 'one host port for both families');
  assert.equal(await page(`http://[::1]:${all[1]!.HostPort}/`), 'all');
  await ok(['rm', '-f', 'v4only', 'v6only', 'all']);
  assert.doesNotMatch(raw(), /--dport 18181/);
  // a network's default binding address replaces 0.0.0.0 and [::] (moby's host_binding_ipv4)
  const opt = 'com.docker.network.bridge.host_binding_ipv4';
  await ok(['network', 'create', '-o', `${opt}=127.0.0.1`, 'lo4']);
  await ok(['run', '-d', '--name', 'lo4web', '--network', 'lo4', '-p', '18200:80', ...httpd('lo4')]);
  assert.equal(await ok(['port', 'lo4web']), '80/tcp -> 127.0.0.1:18200');
  assert.equal(await page('http://127.0.0.1:18200/'), 'lo4');
  await refused('http://[::1]:18200/');
  await ok(['rm', '-f', 'lo4web']);
  await ok(['network', 'rm', 'lo4']);
  const bad = await d.docker(['network', 'create', '-o', `${opt}=nope`, 'badbind']);
  assert.match(bad.stderr, /failed to parse com\.docker\.network\.bridge\.host_binding_ipv4 value: nope \(nil ip\)/);
});

test('restart re-binds both; a dual-stack container gets ip6tables DNAT; berthd killed -9 keeps both', {
  skip: skip ?? false,
}, async () => {
  await ok(['network', 'create', '--ipv6', '--subnet', 'fd00:be:28::/64', 'dual']);
  await ok(['run', '-d', '--name', 'dual1', '--network', 'dual', '-p', '18190:80', ...httpd('dual')]);
  await ok(['run', '-d', '--name', 'plain', '-p', '18191:80', ...httpd('plain')]);
  assert.equal(await page('http://[::1]:18190/'), 'dual');
  const ip6 = await ok(['inspect', '-f', '{{.NetworkSettings.Networks.dual.GlobalIPv6Address}}', 'dual1']);
  assert.equal(ip6, 'fd00:be:28::2');
  const hasIp6tables = nat6Available();
  if (hasIp6tables) {
    assert.deepEqual(
      nat6().filter((l) => l.includes('--dport 1819')),
      [`-A BERTH ! -i ${await bridgeOf('dual')} -p tcp -m tcp --dport 18190 -j DNAT --to-destination [${ip6}]:80`],
      'DNAT for the dual-stack container only; the IPv4-only one is proxied',
    );
    // a local IPv6 address other than ::1 goes through OUTPUT → BERTH → DNAT (the rule counts the packet)
    assert.equal(await page('http://[fd00:be:28::1]:18190/'), 'dual');
    const counted = execFileSync('ip6tables', ['-w', '-t', 'nat', '-L', 'BERTH', '-v', '-n', '-x'], {
      encoding: 'utf8',
    });
    assert.match(counted, /^\s*[1-9]\d*\s+\d+\s+DNAT\b.*dpt:18190 to:\[fd00:be:28::2\]:80$/m, counted);
  } else console.log('# ports-v6: no ip6tables here, DNAT checks skipped');
  // restart binds both families again
  await ok(['restart', '-t', '0', 'plain']);
  assert.equal(await ok(['port', 'plain']), '80/tcp -> 0.0.0.0:18191\n80/tcp -> [::]:18191');
  assert.equal(await page('http://[::1]:18191/'), 'plain');
  // berthd killed and started again: both proxies back, no duplicate rules
  const rules = hasIp6tables ? nat6() : [];
  const root = d.root;
  await d.kill('SIGKILL');
  d = await startDaemon({ root, busybox: false });
  assert.equal(await page('http://[::1]:18191/'), 'plain');
  assert.equal(await page('http://[::1]:18190/'), 'dual');
  assert.equal(await page('http://127.0.0.1:18190/'), 'dual');
  assert.equal(await ok(['port', 'dual1']), '80/tcp -> 0.0.0.0:18190\n80/tcp -> [::]:18190');
  if (hasIp6tables) assert.deepEqual(nat6(), rules);
  await ok(['rm', '-f', 'dual1', 'plain']);
  await refused('http://[::1]:18190/');
  if (hasIp6tables) assert.deepEqual(nat6(), []);
  await ok(['network', 'rm', 'dual']);
});

function nat6Available(): boolean {
  try {
    execFileSync('ip6tables', ['-w', '-t', 'nat', '-S', 'BERTH'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

async function bridgeOf(net: string): Promise<string> {
  const id = await ok(['network', 'inspect', '-f', '{{.Id}}', net]);
  return `br-${id.slice(0, 12)}`;
}
