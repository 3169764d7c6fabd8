// Network benchmark (issue 4 part 9), run in private namespaces of its own (it re-executes itself
// under unshare like test/harness/run-isolated.sh, so bridges, rules and traffic never touch the host):
//  - `run --rm busybox echo` on the default bridge vs `--net none` (the difference is network setup);
//  - DNS answer latency of the embedded server (N nslookups timed inside one container);
//  - throughput through a published port via DNAT (host → bridge IP) and via
//    the userland proxy (host → 127.0.0.1, container → gateway IP), each as a ratio to a direct connection to the container IP.
//   node dist/bench/net-bench.js    NET_BENCH_RUNS (default 10), NET_BENCH_MB (default 256), NET_BENCH_DNS (default 200)
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startDaemon, type Daemon } from '../test/harness/daemon.js';
import { reexecIsolated } from './isolated.js';
import { median } from './stats.js';

const RUNS = Number(process.env.NET_BENCH_RUNS ?? 10);
const MB = Number(process.env.NET_BENCH_MB ?? 256);
const DNS = Number(process.env.NET_BENCH_DNS ?? 200);

/** Seconds from busybox `time` output ("real\t0m 1.23s"), or NaN. */
export function busyboxReal(text: string): number {
  const m = /real\s+(?:(\d+)h\s*)?(\d+)m\s*([\d.]+)s/.exec(text);
  return m ? Number(m[1] ?? 0) * 3600 + Number(m[2]) * 60 + Number(m[3]) : NaN;
}

type Ok = (args: string[]) => Promise<string>;

/** `docker …` against `d`: its stdout, or an error with its stderr. */
const okFor =
  (d: Daemon): Ok =>
  async (args) => {
    const r = await d.docker(args, { timeoutMs: 300_000 });
    if (r.code !== 0) throw new Error(`docker ${args.join(' ')}: ${r.stderr}`);
    return r.stdout.trim();
  };

/** A host command's wall time in seconds. */
function hostTimed(cmd: string[]): number {
  const t0 = performance.now();
  const r = spawnSync(cmd[0]!, cmd.slice(1), { stdio: ['ignore', 'ignore', 'pipe'] });
  if (r.status !== 0) throw new Error(`${cmd.join(' ')}: ${r.stderr}`);
  return (performance.now() - t0) / 1000;
}

async function benchRun(ok: Ok): Promise<void> {
  const timed = async (args: string[]) => {
    const t0 = performance.now();
    await ok(args);
    return performance.now() - t0;
  };
  // 1. run --rm echo: bridge vs none, interleaved so load drift hits both alike (one warm-up each)
  const once = (net: string[]) => timed(['run', '--rm', ...net, 'busybox', 'echo', 'hi']);
  await once([]);
  await once(['--net', 'none']);
  const xb: number[] = [];
  const xn: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    xb.push(await once([]));
    xn.push(await once(['--net', 'none']));
  }
  const bridge = median(xb);
  const none = median(xn);
  console.log(`run --rm busybox echo (median of ${RUNS})`);
  console.log(`  default bridge      ${bridge.toFixed(0).padStart(6)} ms   (budget 150 ms)`);
  console.log(`  --net none          ${none.toFixed(0).padStart(6)} ms`);
  console.log(`  network setup cost  ${(bridge - none).toFixed(0).padStart(6)} ms   (budget 30 ms)`);
}

async function benchDns(d: Daemon, ok: Ok): Promise<void> {
  // 2. DNS: N lookups of a container name in one container, minus the same loop without the lookup
  await ok(['network', 'create', '--subnet', '10.90.0.0/24', 'benchnet']);
  await ok(['run', '-d', '--name', 'dnstarget', '--net', 'benchnet', 'busybox', 'sleep', '600']);
  await ok(['run', '-d', '--name', 'dnsasker', '--net', 'benchnet', 'busybox', 'sleep', '600']);
  const loop = async (body: string) => {
    const r = await d.docker([
      'exec',
      'dnsasker',
      'sh',
      '-c',
      `time sh -c 'i=0; while [ $i -lt ${DNS} ]; do ${body} >/dev/null || exit 1; i=$((i+1)); done'`,
    ]);
    if (r.code !== 0) throw new Error(`dns loop: ${r.stderr}`);
    return busyboxReal(r.stderr);
  };
  await loop('nslookup dnstarget');
  const withDns = await loop('nslookup dnstarget');
  const spawnOnly = await loop('busybox true');
  console.log(`embedded DNS (127.0.0.11), ${DNS} × nslookup of a container name in one container`);
  console.log(`  per lookup incl. nslookup process  ${((withDns * 1000) / DNS).toFixed(2).padStart(7)} ms`);
  console.log(
    `  answer latency (minus spawn loop)  ${(((withDns - spawnOnly) * 1000) / DNS).toFixed(2).padStart(7)} ms`,
  );
}

async function benchThroughput(d: Daemon, ok: Ok): Promise<void> {
  // 3. throughput: httpd serving an MB-sized file from a container published on 19000
  await ok([
    'run',
    '-d',
    '--name',
    'websrv',
    '-p',
    '19000:80',
    'busybox',
    'sh',
    '-c',
    `mkdir /w && dd if=/dev/zero of=/w/big bs=1M count=${MB} 2>/dev/null && touch /w/ready && httpd -f -p 80 -h /w`,
  ]);
  await ok(['run', '-d', '--name', 'webcli', 'busybox', 'sleep', '600']);
  const ip = await ok(['inspect', '-f', '{{.NetworkSettings.IPAddress}}', 'websrv']);
  const gw = await ok(['inspect', '-f', '{{.NetworkSettings.Gateway}}', 'websrv']);
  for (let i = 0; (await d.docker(['exec', 'websrv', 'test', '-e', '/w/ready'])).code !== 0; i++) {
    if (i > 300) throw new Error('websrv not ready');
    await new Promise((r) => setTimeout(r, 100));
  }
  const fromHost = (url: string) => {
    hostTimed(['busybox', 'wget', '-q', '-O', '/dev/null', url]); // warm-up (page cache, conntrack)
    return median([0, 1, 2].map(() => hostTimed(['busybox', 'wget', '-q', '-O', '/dev/null', url])));
  };
  const fromCtr = async (url: string) => {
    await ok(['exec', 'webcli', 'wget', '-q', '-O', '/dev/null', url]);
    const xs: number[] = [];
    for (let i = 0; i < 3; i++) {
      const r = await d.docker(['exec', 'webcli', 'sh', '-c', `time wget -q -O /dev/null ${url}`]);
      if (r.code !== 0) throw new Error(`wget ${url}: ${r.stderr}`);
      xs.push(busyboxReal(r.stderr));
    }
    return median(xs);
  };
  const rows: Array<[string, number, number]> = [];
  const hostDirect = fromHost(`http://${ip}:80/big`);
  rows.push(['host → container IP (direct)', hostDirect, hostDirect]);
  rows.push([`host → ${gw}:19000 (DNAT)`, fromHost(`http://${gw}:19000/big`), hostDirect]);
  rows.push(['host → 127.0.0.1:19000 (proxy)', fromHost('http://127.0.0.1:19000/big'), hostDirect]);
  const ctrDirect = await fromCtr(`http://${ip}:80/big`);
  rows.push(['container → container IP (direct)', ctrDirect, ctrDirect]);
  // same-bridge traffic skips BERTH's DNAT (`! -i <bridge>`), as in Docker: it reaches the proxy on the gateway
  rows.push([`container → ${gw}:19000 (proxy, hairpin)`, await fromCtr(`http://${gw}:19000/big`), ctrDirect]);
  console.log(`throughput of a ${MB} MiB HTTP download (busybox httpd → busybox wget), median of 3`);
  for (const [what, s, base] of rows)
    console.log(
      `  ${what.padEnd(42)} ${((MB * 1.048576) / s).toFixed(0).padStart(6)} MB/s  ratio to direct ${(base / s).toFixed(2)}`,
    );
}

async function main(): Promise<void> {
  const d: Daemon = await startDaemon();
  const ok = okFor(d);
  try {
    await benchRun(ok);
    await benchDns(d, ok);
    await benchThroughput(d, ok);
  } finally {
    await d.stop({ assert: false });
  }
}

if (process.argv[1]?.endsWith('net-bench.js')) {
  if (process.env.BERTH_ISOLATED !== '1') process.exit(reexecIsolated(fileURLToPath(import.meta.url)));
  main().catch((e: Error) => {
    console.error(`net-bench: ${e.message}`);
    process.exit(1);
  });
}
