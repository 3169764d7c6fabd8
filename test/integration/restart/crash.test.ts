// Restart safety (issue 3, part 7): berthd killed with SIGKILL while 20 containers run, then started
// again on the same roots; also one daemon per data-root and SIGTERM leaving containers running.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { berthdMain, daemonUnavailable, runCommand, startDaemon, type Daemon } from '../../harness/daemon.js';
import { snapshot } from '../../harness/leaks.js';

const skip = daemonUnavailable();
let live: Daemon | undefined;
after(async () => {
  if (live) await live.stop({ assert: false });
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};
/** Every conmon in this test's pid namespace. */
const conmons = () =>
  readdirSync('/proc')
    .filter((p) => /^\d+$/.test(p))
    .filter((p) => {
      try {
        return readFileSync(`/proc/${p}/comm`, 'utf8').trim() === 'conmon';
      } catch {
        return false;
      }
    });

function tmpFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    let ents;
    try {
      ents = readdirSync(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of ents) {
      const p = join(d, e.name);
      if (e.isDirectory() && !e.isSymbolicLink()) {
        // container rootfs trees (overlay upper/lower dirs) hold the containers' own files
        if (/\/snapshots\/[^/]+\/(fs|work)$/.test(p) || /\/(fs|diff|work|merged|rootfs)$/.test(p)) continue;
        walk(p);
      } else if (/\.tmp$|\.tmp[.-]/.test(e.name)) out.push(p);
    }
  };
  walk(dir);
  return out;
}

const ok = async (d: Daemon, args: string[]) => {
  const r = await d.docker(args);
  assert.equal(r.code, 0, `docker ${args.join(' ')}: ${r.stderr}`);
  return r.stdout.trim();
};

/** Runs the `names` as tickers (five at a time): name → pid. */
async function startTickers(d1: Daemon, names: string[]): Promise<Map<string, number>> {
  for (let i = 0; i < names.length; i += 5) {
    await Promise.all(
      names
        .slice(i, i + 5)
        .map((n) =>
          ok(d1, [
            'run',
            '-d',
            '--name',
            n,
            'busybox',
            'sh',
            '-c',
            `i=0; while true; do echo ${n} tick $i; i=$((i+1)); sleep 0.5; done`,
          ]),
        ),
    );
  }
  const pids1 = new Map<string, number>();
  for (const n of names) pids1.set(n, Number(await ok(d1, ['inspect', '-f', '{{.State.Pid}}', n])));
  return pids1;
}

/** After the crash: the tickers run on as the same processes; what ended meanwhile is recorded. */
async function assertTakenOver(d2: Daemon, names: string[], pids1: Map<string, number>, exStarted: number) {
  // all 20 still running, same processes
  const running = (await ok(d2, ['ps', '--format', '{{.Names}}'])).split('\n').sort();
  for (const n of names) assert.ok(running.includes(n), `${n} listed as running`);
  for (const n of names) {
    const st = JSON.parse(await ok(d2, ['inspect', n]))[0].State;
    assert.equal(st.Status, 'running', n);
    assert.equal(st.Pid, pids1.get(n), `${n} keeps its pid`);
  }
  // exited meanwhile: exit code and FinishedAt
  const ex = JSON.parse(await ok(d2, ['inspect', 'ex']))[0].State;
  assert.equal(ex.Status, 'exited');
  assert.equal(ex.ExitCode, 7);
  assert.notEqual(ex.FinishedAt, '0001-01-01T00:00:00Z');
  assert.ok(Date.parse(ex.FinishedAt) >= exStarted + 3500, `FinishedAt ${ex.FinishedAt} is when it exited`);
  assert.ok(Date.parse(ex.FinishedAt) <= Date.now());
  assert.equal(await ok(d2, ['logs', 'ex']), 'bye');
  // --rm: removed; restart=always: restarted
  assert.equal((await d2.docker(['inspect', 'rmx'])).code, 1, 'the --rm container was removed');
  const deadline = Date.now() + 10_000;
  let alw = '';
  while (Date.now() < deadline) {
    alw = await ok(d2, ['inspect', '-f', '{{.State.Status}} {{.RestartCount}}', 'alw']);
    if (/^running [1-9]/.test(alw)) break;
    await sleep(200);
  }
  assert.match(alw, /^running [1-9]\d*$/, 'restart=always container restarted');
}

/** Logs written by conmon while berthd was down, exec, attach and stop/start work on the survivors. */
async function assertStreams(d2: Daemon, pids1: Map<string, number>): Promise<void> {
  // logs (written by conmon while berthd was down), follow, exec, attach, stop
  const logs = (await ok(d2, ['logs', '--tail', '3', 'r3'])).split('\n');
  assert.equal(logs.length, 3);
  for (const l of logs) assert.match(l, /^r3 tick \d+$/);
  assert.ok(Number(/\d+$/.exec(logs[2]!)![0]) >= 6, 'ticks logged while berthd was down are there');
  assert.equal(
    await ok(d2, ['exec', 'r5', 'sh', '-c', 'echo in $(hostname)']),
    `in ${(await ok(d2, ['inspect', '-f', '{{.Id}}', 'r5'])).slice(0, 12)}`,
  );
  const att = await d2.dockerode.getContainer('r7').attach({ stream: true, stdout: true, stderr: true });
  const got = await new Promise<string>((res, rej) => {
    let buf = '';
    const t = setTimeout(() => rej(new Error(`attach got no tick: ${JSON.stringify(buf)}`)), 5000);
    att.on('data', (c: Buffer) => {
      buf += c.toString('latin1');
      if (/r7 tick \d+\n/.test(buf)) {
        clearTimeout(t);
        res(buf);
      }
    });
  });
  (att as unknown as { destroy(): void }).destroy();
  assert.match(got, /r7 tick \d+/);
  await ok(d2, ['stop', '-t', '1', 'r0', 'r1']);
  assert.equal(await ok(d2, ['inspect', '-f', '{{.State.Status}} {{.State.ExitCode}}', 'r0']), 'exited 137');
  assert.ok(!alive(pids1.get('r0')!), 'stop ended the process');
  await ok(d2, ['start', 'r1']);
  assert.equal(await ok(d2, ['inspect', '-f', '{{.State.Status}}', 'r1']), 'running');
}

/** One daemon per data-root: a second berthd refuses clearly, the first one still serves. */
async function assertSecondRefused(d2: Daemon): Promise<void> {
  // one daemon per data-root: a second berthd refuses clearly
  const second = await runCommand(
    process.execPath,
    [
      berthdMain,
      '--data-root',
      d2.dataRoot,
      '--exec-root',
      join(d2.root, 'exec2'),
      '-H',
      `unix://${join(d2.root, 'second.sock')}`,
      '--pidfile',
      join(d2.root, 'second.pid'),
    ],
    { timeoutMs: 20_000 },
  );
  assert.notEqual(second.code, 0);
  assert.notEqual(second.code, 124, 'exited by itself');
  assert.match(second.stderr, new RegExp(`another berthd \\(pid \\d+\\) is already using data-root ${d2.dataRoot}`));
  assert.equal((await d2.docker(['ps', '-q'])).code, 0, 'the first one still serves');
}

test('kill -9 berthd with 20 running containers, restart on the same roots', {
  skip: skip ?? false,
  timeout: 110_000,
}, async () => {
  const d1 = await startDaemon();
  live = d1;
  const names = Array.from({ length: 20 }, (_, i) => `r${i}`);
  const pids1 = await startTickers(d1, names);
  // three that change while berthd is down
  await ok(d1, ['run', '-d', '--name', 'ex', 'busybox', 'sh', '-c', 'sleep 4; echo bye; exit 7']);
  await ok(d1, ['run', '-d', '--rm', '--name', 'rmx', 'busybox', 'sh', '-c', 'sleep 4; exit 0']);
  await ok(d1, ['run', '-d', '--restart', 'always', '--name', 'alw', 'busybox', 'sh', '-c', 'sleep 4; exit 1']);
  const exStarted = Date.parse(await ok(d1, ['inspect', '-f', '{{.State.StartedAt}}', 'ex']));
  const nConmon = conmons().length;
  assert.ok(nConmon >= 20, `one conmon per container (${nConmon})`);

  const k = await d1.kill('SIGKILL');
  assert.equal(k.signal, 'SIGKILL');
  live = undefined;
  for (const [n, pid] of pids1) assert.ok(alive(pid), `${n} survives its daemon`);
  await sleep(Math.max(0, exStarted + 5000 - Date.now()));

  const d2 = await startDaemon({ root: d1.root });
  live = d2;
  await assertTakenOver(d2, names, pids1, exStarted);

  await assertStreams(d2, pids1);

  // no half-written files after the crash
  assert.deepEqual(tmpFiles(d2.dataRoot), [], 'no *.tmp files under the data-root');

  await assertSecondRefused(d2);

  // SIGTERM: berthd exits cleanly, containers keep running; a new berthd takes them over
  const pidsNow = new Map<string, number>();
  for (const n of names.slice(1)) pidsNow.set(n, Number(await ok(d2, ['inspect', '-f', '{{.State.Pid}}', n])));
  const term = await d2.kill('SIGTERM');
  live = undefined;
  assert.deepEqual(term, { code: 0, signal: null });
  for (const [n, pid] of pidsNow) assert.ok(alive(pid), `${n} survives SIGTERM of berthd`);

  const d3 = await startDaemon({ root: d1.root });
  live = d3;
  assert.equal((await ok(d3, ['ps', '-q'])).split('\n').length, 19 + 1, '19 tickers + alw');
  assert.equal(await ok(d3, ['exec', 'r19', 'echo', 'ok']), 'ok');

  // remove everything: no orphan mounts or conmons remain
  for (const c of await d3.dockerode.listContainers({ all: true }))
    await d3.dockerode.getContainer(c.Id).remove({ force: true });
  await sleep(300);
  assert.deepEqual(snapshot([d3.root]).mounts, [], 'no mounts left under the roots');
  assert.deepEqual(conmons(), [], 'no conmon left');
  live = undefined;
  assert.deepEqual((await d3.stop()).leaks, []);
  if (!process.env.BERTH_KEEP_TMP) assert.throws(() => statSync(d3.root), 'roots cleaned');
});
