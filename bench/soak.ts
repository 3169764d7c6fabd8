// Soak (issue 14): many `docker run --rm`, then many concurrent attach/logs/exec streams that the
// client resets at random points, against a berthd started on temp roots (run it through
// scripts/soak.sh, which gives it its own namespaces). Before and after, with no container left,
// it counts what could leak — mounts, veths, iptables rules, berthd's fds, conmon processes — and
// berthd's RSS; it prints the table and exits 1 if anything grew (RSS: more than 10 %).
// Bounded: SOAK_MAX_MINUTES stops it early (it then reports what it did).
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import net from 'node:net';
import { startDaemon, type Daemon } from '../test/harness/daemon.js';
import { seeded } from '../test/integration/hardening/raw-client.js';

const env = (k: string, d: number) => (process.env[k] ? Number(process.env[k]) : d);
const RUNS = env('SOAK_RUNS', 1000);
const STREAMS = env('SOAK_STREAMS', 200);
const CONC = Math.max(1, env('SOAK_CONCURRENCY', 4));
const SEED = env('SOAK_SEED', 1);
const DEADLINE = Date.now() + env('SOAK_MAX_MINUTES', 40) * 60_000;
const RSS_TOLERANCE = 0.1;
/** Which streams a round opens (default all three), to narrow down a leak. */
const KINDS = new Set((process.env.SOAK_STREAM_KINDS ?? 'attach,logs,exec').split(','));

const rnd = seeded(SEED);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Stats {
  dropped: number;
  execFailed: number;
  bytes: number;
}
interface Figures {
  mounts: number;
  veths: number;
  rules: number;
  fds: number;
  conmons: number;
  rssKiB: number;
  fdTargets: string[];
}

/** What berthd's fds point at (for the report when they grew). */
function fdTargets(pid: number): string[] {
  const out: string[] = [];
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      out.push(readlinkSync(`/proc/${pid}/fd/${fd}`).replace(/\d{3,}/g, 'N'));
    } catch {
      /* closed meanwhile */
    }
  }
  return out.sort();
}

function run(cmd: string, args: string[]): string {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 10_000 });
  } catch {
    return '';
  }
}

function measure(pid: number): Figures {
  const rules = ['filter', 'nat', 'mangle', 'raw'].reduce(
    (n, t) =>
      n +
      run('iptables', ['-w', '-t', t, '-S'])
        .split('\n')
        .filter((l) => l.startsWith('-A')).length,
    0,
  );
  let conmons = 0;
  for (const p of readdirSync('/proc')) {
    if (!/^\d+$/.test(p)) continue;
    try {
      if (/(^|\/)conmon$/.test(readFileSync(`/proc/${p}/cmdline`, 'utf8').split('\0')[0] ?? '')) conmons++;
    } catch {
      /* exited */
    }
  }
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return {
    mounts: readFileSync('/proc/self/mountinfo', 'utf8').trim().split('\n').length,
    veths: run('ip', ['-o', 'link'])
      .split('\n')
      .filter((l) => /^\d+:\s+veth/.test(l)).length,
    rules,
    fds: readdirSync(`/proc/${pid}/fd`).length,
    conmons,
    rssKiB: Number(/^VmRSS:\s+(\d+)/m.exec(status)?.[1] ?? 0),
    fdTargets: fdTargets(pid),
  };
}

/** Runs `n` jobs, `CONC` at a time, until done or past the deadline; returns how many ran. */
async function pool(n: number, job: (i: number) => Promise<void>): Promise<number> {
  let next = 0;
  const worker = async () => {
    while (next < n && Date.now() < DEADLINE) await job(next++);
  };
  await Promise.all(Array.from({ length: CONC }, worker));
  return Math.min(next, n);
}

/**
 * Sends a raw HTTP request on the daemon socket and drops the connection after `dropAfter`
 * response bytes or `dropMs`, whichever comes first: an abrupt close, or a half-close.
 */
function sendAndDrop(
  socket: string,
  head: string,
  body: string,
  dropAfter: number,
  dropMs: number,
  reset: boolean,
): Promise<number> {
  // the drop point counts response bytes: with dropAfter 0 the request is dropped as soon as it is sent
  return new Promise((resolve) => {
    const s = net.connect(socket);
    let got = 0;
    let done = false;
    const drop = () => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      // unix sockets have no RST: closing with unread data queued is the reset (berthd reads ECONNRESET, writes EPIPE)
      if (reset) {
        s.pause();
        s.destroy();
      } else {
        s.end();
        setTimeout(() => s.destroy(), 20);
      }
      resolve(got);
    };
    const timer = setTimeout(drop, dropMs);
    s.on('connect', () => s.write(head + `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n` + body));
    s.on('data', (b: Buffer) => {
      got += b.length;
      if (got >= dropAfter) drop();
    });
    s.on('error', () => drop());
    s.on('close', () => drop());
  });
}

function postJson(
  socket: string,
  path: string,
  body: unknown,
): Promise<{ status: number; json: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const s = net.connect(socket);
    const data = JSON.stringify(body);
    let buf = '';
    s.on('connect', () =>
      s.write(
        `POST ${path} HTTP/1.1\r\nHost: d\r\nContent-Type: application/json\r\nConnection: close\r\nContent-Length: ${Buffer.byteLength(data)}\r\n\r\n${data}`,
      ),
    );
    s.setEncoding('utf8');
    s.on('data', (c: string) => (buf += c));
    s.on('error', reject);
    s.on('end', () => {
      const status = Number(/^HTTP\/1\.1 (\d+)/.exec(buf)?.[1] ?? 0);
      const text = buf.slice(buf.indexOf('\r\n\r\n') + 4);
      // a chunked body: the JSON sits between the chunk sizes
      const json = /^[0-9a-f]+\r\n/.test(text) ? (text.split('\r\n')[1] ?? '{}') : text;
      try {
        resolve({ status, json: JSON.parse(json || '{}') as Record<string, unknown> });
      } catch {
        resolve({ status, json: {} });
      }
    });
  });
}

/** One stream iteration: attach, logs -f and an exec, started together, each dropped at random. */
async function streamRound(d: Daemon, id: string, stats: Stats): Promise<void> {
  const up = 'Connection: Upgrade\r\nUpgrade: tcp\r\n';
  const r = () => rnd() < 0.7;
  const jobs: Promise<number>[] = [];
  // the random draws happen whatever the kinds, so a seed replays the same drop points
  const [aAt, aMs, aReset, lAt, lMs, lReset, eAt, eMs, eReset] = [
    rnd() * 4000,
    rnd() * 300,
    r(),
    rnd() * 4000,
    rnd() * 300,
    r(),
    rnd() * 200,
    rnd() * 300,
    r(),
  ];
  if (KINDS.has('attach'))
    jobs.push(
      sendAndDrop(
        d.socket,
        `POST /containers/${id}/attach?stream=1&stdout=1&stderr=1 HTTP/1.1\r\nHost: d\r\n${up}`,
        '',
        Math.floor(aAt),
        Math.floor(aMs),
        aReset,
      ),
    );
  if (KINDS.has('logs'))
    jobs.push(
      sendAndDrop(
        d.socket,
        `GET /containers/${id}/logs?follow=1&stdout=1&stderr=1&tail=20 HTTP/1.1\r\nHost: d\r\n`,
        '',
        Math.floor(lAt),
        Math.floor(lMs),
        lReset,
      ),
    );
  const ex = KINDS.has('exec')
    ? await postJson(d.socket, `/containers/${id}/exec`, {
        AttachStdout: true,
        AttachStderr: true,
        Cmd: ['sh', '-c', 'for i in 1 2 3 4 5 6 7 8; do echo exec-$i; done'],
      })
    : null;
  if (ex && ex.status === 201 && typeof ex.json.Id === 'string') {
    jobs.push(
      sendAndDrop(
        d.socket,
        `POST /exec/${ex.json.Id}/start HTTP/1.1\r\nHost: d\r\nContent-Type: application/json\r\n${up}`,
        '{"Detach":false,"Tty":false}',
        Math.floor(eAt),
        Math.floor(eMs),
        eReset,
      ),
    );
  } else if (ex) stats.execFailed++;
  for (const got of await Promise.all(jobs)) stats.bytes += got;
  stats.dropped += jobs.length;
}

/** Waits (bounded) for the figures that should return to the baseline to get there. */
async function settle(d: Daemon, base: Figures): Promise<Figures> {
  let now = measure(d.pid);
  for (
    let i = 0;
    i < 100 && (now.fds > base.fds || now.conmons > base.conmons || now.mounts > base.mounts || now.veths > base.veths);
    i++
  ) {
    await sleep(100);
    now = measure(d.pid);
  }
  return now;
}

async function removeAll(d: Daemon): Promise<void> {
  for (const c of await d.dockerode.listContainers({ all: true }))
    await d.dockerode
      .getContainer(c.Id)
      .remove({ force: true })
      .catch(() => {});
}

async function main(): Promise<void> {
  const d = await startDaemon({ fdSlack: 8 });
  let failedRuns = 0;
  let ranRuns = 0;
  let ranStreams = 0;
  const stats: Stats = { dropped: 0, execFailed: 0, bytes: 0 };
  let base: Figures | null = null;
  let after: Figures | null = null;
  let sockets: string[] = [];
  let rssBase = 0;
  const t0 = Date.now();
  try {
    // warm-up: code paths compiled and heaps grown by both phases before the baseline
    await pool(20, async () => void (await d.docker(['run', '--rm', 'busybox', 'true'])));
    const warm = await d.docker(['run', '-d', 'busybox', 'sh', '-c', 'while :; do echo warm; usleep 20000; done']);
    if (warm.code === 0)
      await pool(20, () => streamRound(d, warm.stdout.trim(), { dropped: 0, execFailed: 0, bytes: 0 }));
    await removeAll(d);
    await sleep(500);
    base = measure(d.pid);
    process.stderr.write(
      `soak: ${RUNS} × run --rm, ${STREAMS} × attach/logs/exec rounds, concurrency ${CONC}, seed ${SEED}\n`,
    );
    // RSS is compared from 10 % into the runs: until then V8's heaps are still growing to their
    // working size (measured: +10-20 % over the first ~100 runs, then flat), which is not a leak
    const rssAt = Math.min(RUNS - 1, Math.max(20, Math.floor(RUNS / 10)));
    ranRuns = await pool(RUNS, async (i) => {
      if (i === rssAt) rssBase = measure(d.pid).rssKiB;
      const r = await d.docker(['run', '--rm', 'busybox', 'echo', `soak-${i}`]);
      if (r.code !== 0 || r.stdout.trim() !== `soak-${i}`) {
        failedRuns++;
        if (failedRuns <= 5) process.stderr.write(`run ${i} failed (${r.code}): ${r.stderr.trim()}\n`);
      }
      if ((i + 1) % 100 === 0)
        process.stderr.write(
          `  ${i + 1} runs, ${Math.round((Date.now() - t0) / 1000)} s, rss ${measure(d.pid).rssKiB} KiB\n`,
        );
    });
    const talker = await d.docker([
      'run',
      '-d',
      '--name',
      'soak-talker',
      'busybox',
      'sh',
      '-c',
      'i=0; while :; do i=$((i+1)); echo tick-$i; usleep 20000; done',
    ]);
    if (talker.code !== 0) throw new Error(`talker: ${talker.stderr}`);
    const id = talker.stdout.trim();
    ranStreams = await pool(STREAMS, async (i) => {
      await streamRound(d, id, stats);
      if ((i + 1) % 50 === 0)
        process.stderr.write(
          `  ${i + 1} stream rounds, ${Math.round((Date.now() - t0) / 1000)} s, rss ${measure(d.pid).rssKiB} KiB\n`,
        );
    });
    await removeAll(d);
    after = await settle(d, base);
    // berthd's unix sockets with their peers, to tell which stream kept one
    if (after.fds > base.fds)
      sockets = run('ss', ['-xpn'])
        .split('\n')
        .filter((l) => l.includes(`pid=${d.pid},`));
  } finally {
    const alive = (() => {
      try {
        process.kill(d.pid, 0);
        return true;
      } catch {
        return false;
      }
    })();
    const stop = await d.stop({ assert: false });
    report({
      base,
      after,
      rssBase: rssBase || base?.rssKiB || 0,
      ranRuns,
      failedRuns,
      ranStreams,
      stats,
      alive,
      harnessLeaks: stop.leaks,
      secs: (Date.now() - t0) / 1000,
      sockets,
    });
  }
}

function report(o: {
  base: Figures | null;
  after: Figures | null;
  rssBase: number;
  ranRuns: number;
  failedRuns: number;
  ranStreams: number;
  stats: Stats;
  alive: boolean;
  harnessLeaks: string[];
  secs: number;
  sockets: string[];
}): void {
  const lines: string[] = [];
  let bad = !o.alive || !o.base || !o.after || o.failedRuns > 0 || o.harnessLeaks.length > 0;
  lines.push(
    `runs: ${o.ranRuns}/${RUNS} (${o.failedRuns} failed); stream rounds: ${o.ranStreams}/${STREAMS} (${o.stats.dropped} connections dropped after ${o.stats.bytes} response bytes, ${o.stats.execFailed} exec creates refused); ${o.secs.toFixed(0)} s; berthd ${o.alive ? 'alive' : 'DEAD'}`,
  );
  if (o.base && o.after) {
    lines.push('', 'figure            before    after   growth');
    for (const k of ['mounts', 'veths', 'rules', 'fds', 'conmons'] as const) {
      const g = o.after[k] - o.base[k];
      if (g > 0) bad = true;
      lines.push(
        `${k.padEnd(16)}${String(o.base[k]).padStart(8)}${String(o.after[k]).padStart(9)}${String(g).padStart(9)}`,
      );
    }
    const pct = (o.after.rssKiB - o.rssBase) / o.rssBase;
    if (pct > RSS_TOLERANCE) bad = true;
    lines.push(
      `${'rss KiB'.padEnd(16)}${String(o.rssBase).padStart(8)}${String(o.after.rssKiB).padStart(9)}${`${(pct * 100).toFixed(1)}%`.padStart(9)}`,
    );
    lines.push(`(rss "before" is taken 10 % into the runs; at the very start it was ${o.base.rssKiB} KiB)`);
  }
  if (o.base && o.after && o.after.fds > o.base.fds) {
    const left = [...o.after.fdTargets];
    for (const t of o.base.fdTargets) left.splice(left.indexOf(t), left.includes(t) ? 1 : 0);
    lines.push(
      '',
      `new fds: ${left.join(', ')}`,
      'berthd unix sockets (ss -xpn):',
      ...o.sockets.slice(0, 40).map((l) => `  ${l.replace(/\s+/g, ' ')}`),
    );
  }
  if (o.ranRuns < RUNS || o.ranStreams < STREAMS) lines.push('', `stopped early at SOAK_MAX_MINUTES`);
  for (const l of o.harnessLeaks) lines.push(`harness: ${l}`);
  lines.push('', bad ? 'SOAK FAILED' : 'soak passed: nothing leaked, RSS within 10 %');
  process.stdout.write(lines.join('\n') + '\n');
  process.exitCode = bad ? 1 : 0;
}

main().catch((e) => {
  process.stderr.write(`soak: ${(e as Error).stack ?? e}\n`);
  process.exit(1);
});
