// Container lifecycle through the real docker CLI and dockerode: exit codes, Docker's error texts
// (and that a refused request changes nothing), state changes, ps filters/format, inspect shape.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { daemonPerFile, dockerOk } from '../../harness/daemon.js';

const berthd = daemonPerFile();
const skip = berthd.skip;

const ok = (args: string[]) => dockerOk(berthd.d, args);
const ids = async (args: string[]) => (await ok(args)).split('\n').filter(Boolean).sort();
const inspect = async (ref: string) => JSON.parse(await ok(['inspect', ref]))[0];
const fmt = (ref: string, f: string) => ok(['inspect', '--format', f, ref]);
const waitFor = async (what: string, cond: () => Promise<boolean>, ms = 15_000) => {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
};

test('run: output, --rm, exit codes 0/N/125/126/127', { skip: skip ?? false }, async () => {
  const r = await berthd.d.docker(['run', '--rm', '--name', 'rm1', 'busybox', 'echo', 'hi']);
  assert.deepEqual([r.code, r.stdout, r.stderr], [0, 'hi\n', '']);
  assert.equal((await berthd.d.docker(['inspect', 'rm1'])).code, 1, '--rm removed the container');
  assert.equal((await berthd.d.docker(['run', '--rm', 'busybox', 'sh', '-c', 'exit 42'])).code, 42);

  const badFlag = await berthd.d.docker(['run', '--no-such-flag', 'busybox']);
  assert.equal(badFlag.code, 125);
  const daemonErr = await berthd.d.docker(['run', '--rm', '--memory', '1k', 'busybox', 'true']);
  assert.equal(daemonErr.code, 125);
  assert.match(daemonErr.stderr, /^docker: Error response from daemon: Minimum memory limit allowed is 6MB\n/);

  const notExec = await berthd.d.docker(['run', '--name', 'ne', 'busybox', '/etc']);
  assert.equal(notExec.code, 126, notExec.stderr);
  assert.match(notExec.stderr, /permission denied/);
  const notFound = await berthd.d.docker(['run', '--name', 'nf', 'busybox', 'nosuchcmd']);
  assert.equal(notFound.code, 127, notFound.stderr);
  assert.match(notFound.stderr, /executable file not found in \$PATH/);
  // Docker leaves such containers in Created with the start error recorded, exit code 126/127
  const st = await inspect('nf');
  assert.equal(st.State.ExitCode, 127);
  assert.match(st.State.Error, /executable file not found/);
  await ok(['rm', 'ne', 'nf']);
});

test('refused requests: Docker texts and statuses, nothing changed', { skip: skip ?? false }, async () => {
  const id = await ok(['run', '-d', '--name', 'web', 'busybox', 'sleep', '300']);
  const before = await ids(['ps', '-aq', '--no-trunc']);

  const dup = await berthd.d.docker(['create', '--name', 'web', 'busybox']);
  assert.equal(dup.code, 1);
  assert.match(
    dup.stderr,
    new RegExp(
      `Conflict\\. The container name "/web" is already in use by container "${id}"\\. You have to remove \\(or rename\\) that container to be able to reuse that name\\.`,
    ),
  );
  const dupApi = await berthd.d.dockerode
    .createContainer({ name: 'web', Image: 'busybox' })
    .catch((e: { statusCode: number }) => e);
  assert.equal((dupApi as { statusCode: number }).statusCode, 409);

  const rmRunning = await berthd.d.docker(['rm', 'web']);
  assert.equal(rmRunning.code, 1);
  assert.match(
    rmRunning.stderr,
    new RegExp(
      `You cannot remove a running container ${id}\\. Stop the container before attempting removal or force remove`,
    ),
  );
  assert.equal(await fmt('web', '{{.State.Status}}'), 'running', 'untouched');

  const badName = await berthd.d.docker(['create', '--name', 'a b', 'busybox']);
  assert.equal(badName.code, 1);
  assert.match(badName.stderr, /Invalid container name \(a b\), only \[a-zA-Z0-9\]\[a-zA-Z0-9_.-\] are allowed/);
  const badNameApi = await berthd.d.dockerode
    .createContainer({ name: 'a b', Image: 'busybox' })
    .catch((e: { statusCode: number }) => e);
  assert.equal((badNameApi as { statusCode: number }).statusCode, 400);

  const noCtr = await berthd.d.docker(['stop', 'nosuch']);
  assert.equal(noCtr.code, 1);
  assert.match(noCtr.stderr, /No such container: nosuch/);
  const noCtrApi = await berthd.d.dockerode
    .getContainer('nosuch')
    .inspect()
    .catch((e: { statusCode: number; json: { message: string } }) => e);
  assert.equal((noCtrApi as { statusCode: number }).statusCode, 404);
  assert.deepEqual((noCtrApi as { json: unknown }).json, { message: 'No such container: nosuch' });

  const noImg = await berthd.d.dockerode
    .createContainer({ Image: 'nosuchimage:1' })
    .catch((e: { statusCode: number; json: { message: string } }) => e);
  assert.equal((noImg as { statusCode: number }).statusCode, 404);
  assert.match((noImg as { json: { message: string } }).json.message, /^No such image: nosuchimage:1$/);

  const badRestart = await berthd.d.docker(['create', '--restart', 'always', '--rm', 'busybox']);
  assert.equal(badRestart.code, 125);
  const badPolicyApi = await berthd.d.dockerode
    .createContainer({ Image: 'busybox', HostConfig: { RestartPolicy: { Name: 'always', MaximumRetryCount: 3 } } })
    .catch((e: { statusCode: number }) => e);
  assert.equal((badPolicyApi as { statusCode: number }).statusCode, 400);

  const renameTaken = await berthd.d.docker(['run', '-d', '--name', 'other', 'busybox', 'sleep', '300']);
  assert.equal(renameTaken.code, 0);
  const rn = await berthd.d.docker(['rename', 'other', 'web']);
  assert.equal(rn.code, 1);
  assert.match(rn.stderr, /Conflict\. The container name "\/web" is already in use/);
  await ok(['rm', '-f', 'other']);

  assert.deepEqual(await ids(['ps', '-aq', '--no-trunc']), before, 'no container was created or removed');
  assert.equal(await fmt('web', '{{.State.Status}} {{.Name}}'), 'running /web');

  await ok(['rm', '-f', 'web']);
  assert.equal((await berthd.d.docker(['inspect', 'web'])).code, 1, 'rm -f removed the running container');
});

/** `lc` just started from `cmd`: its inspect and top. */
async function assertStarted(id: string, cmd: string): Promise<void> {
  const st = await inspect('lc');
  assert.equal(st.State.Status, 'running');
  assert.ok(st.State.Pid > 0);
  assert.deepEqual(st.Config.Cmd, ['sh', '-c', cmd]);
  assert.equal(st.Config.Hostname, id.slice(0, 12));
  assert.equal(st.HostConfig.RestartPolicy.Name, 'no');
  assert.ok(Date.parse(st.State.StartedAt) > Date.now() - 60_000);
  assert.equal(st.State.FinishedAt, '0001-01-01T00:00:00Z');

  const top = await ok(['top', 'lc']);
  assert.match(top.split('\n')[0]!, /^UID\s+PID\s+PPID\s+C\s+STIME\s+TTY\s+TIME\s+CMD$/);
  assert.match(top, /sh -c trap/);
}

/** pause, exec refused while paused, unpause, unpause refused when not paused. */
async function assertPauseUnpause(name: string): Promise<void> {
  assert.equal(await ok(['pause', name]), name);
  assert.equal(await fmt(name, '{{.State.Status}} {{.State.Paused}} {{.State.Running}}'), 'paused true true');
  assert.match(await ok(['ps', '--format', '{{.Status}}', '-f', `name=${name}`]), /^Up .* \(Paused\)$/);
  const execPaused = await berthd.d.docker(['exec', name, 'true']);
  assert.equal(execPaused.code, 1);
  assert.match(execPaused.stderr, /is paused, unpause the container before exec/);
  assert.equal(await ok(['unpause', name]), name);
  const unp = await berthd.d.docker(['unpause', name]);
  assert.equal(unp.code, 1);
  assert.match(unp.stderr, /Container .* is not paused/);
}

test('create/start/stop -t/kill -s/wait/restart/pause/unpause/rename/top', { skip: skip ?? false }, async () => {
  const cmd = 'trap "exit 7" TERM; while true; do sleep 0.1; done';
  const id = await ok(['create', '--name', 'lc', 'busybox', 'sh', '-c', cmd]);
  assert.match(id, /^[0-9a-f]{64}$/);
  assert.equal(
    await fmt('lc', '{{.State.Status}} {{.State.Pid}} {{.State.StartedAt}}'),
    'created 0 0001-01-01T00:00:00Z',
  );
  assert.equal(await ok(['start', 'lc']), 'lc');
  await assertStarted(id, cmd);
  await assertPauseUnpause('lc');

  const t0 = Date.now();
  assert.equal(await ok(['stop', '-t', '5', 'lc']), 'lc');
  assert.ok(Date.now() - t0 < 4000, 'the TERM trap ended it without waiting for the timeout');
  const stopped = await inspect('lc');
  assert.equal(stopped.State.Status, 'exited');
  assert.equal(stopped.State.ExitCode, 7);
  assert.equal(stopped.State.Pid, 0);
  assert.ok(Date.parse(stopped.State.FinishedAt) >= Date.parse(stopped.State.StartedAt));

  await ok(['rename', 'lc', 'lc2']);
  assert.equal(await fmt(id, '{{.Name}}'), '/lc2');
  assert.equal((await berthd.d.docker(['inspect', 'lc'])).code, 1);

  assert.equal(await ok(['restart', '-t', '1', 'lc2']), 'lc2');
  assert.equal(await fmt('lc2', '{{.State.Status}}'), 'running');

  // stop -t 1 with a process that ignores TERM: killed after the timeout → 137
  await ok(['run', '-d', '--name', 'stubborn', 'busybox', 'sh', '-c', 'trap "" TERM; while true; do sleep 0.1; done']);
  const t1 = Date.now();
  await ok(['stop', '-t', '1', 'stubborn']);
  assert.ok(Date.now() - t1 >= 900, 'waited for the timeout');
  assert.equal(await fmt('stubborn', '{{.State.ExitCode}}'), '137');

  assert.equal(await ok(['kill', '-s', 'USR1', 'lc2']), 'lc2');
  assert.equal(
    await fmt('lc2', '{{.State.ExitCode}} {{.State.Status}}'),
    '0 running',
    'pid 1 ignores signals it has no handler for',
  );
  const waitP = berthd.d.docker(['wait', 'lc2']);
  await ok(['kill', 'lc2']);
  const w = await waitP;
  assert.equal(w.stdout.trim(), '137');
  const killStopped = await berthd.d.docker(['kill', 'lc2']);
  assert.equal(killStopped.code, 1);
  assert.match(killStopped.stderr, /Container .* is not running/);

  // wait conditions through the API
  const c = berthd.d.dockerode.getContainer('stubborn');
  assert.deepEqual(await c.wait({ condition: 'not-running' }), { StatusCode: 137, Error: null });
  const nr = berthd.d.dockerode.getContainer(await ok(['create', 'busybox', 'true']));
  const waitRemoved = nr.wait({ condition: 'removed' });
  await nr.remove();
  assert.equal((await waitRemoved).StatusCode, 0);
  await ok(['rm', 'lc2', 'stubborn']);
});

test('ps: -a, -q, filters, --format, prune', { skip: skip ?? false }, async () => {
  for (const c of await berthd.d.dockerode.listContainers({ all: true }))
    await berthd.d.dockerode.getContainer(c.Id).remove({ force: true });
  await ok(['run', '-d', '--name', 'p-run', '--label', 'tier=web', 'busybox', 'sleep', '300']);
  await ok(['run', '--name', 'p-ex3', 'busybox', 'sh', '-c', 'exit 3']).catch(() => {});
  assert.equal((await berthd.d.docker(['run', '--name', 'p-ex0', '--label', 'tier=db', 'busybox', 'true'])).code, 0);
  await ok(['create', '--name', 'p-cr', 'busybox']);

  const names = async (args: string[]) =>
    (await ok(['ps', ...args, '--format', '{{.Names}}'])).split('\n').filter(Boolean).sort();
  assert.deepEqual(await names([]), ['p-run']);
  assert.deepEqual(await names(['-a']), ['p-cr', 'p-ex0', 'p-ex3', 'p-run']);
  assert.deepEqual(await names(['-f', 'status=exited']), ['p-ex0', 'p-ex3']);
  assert.deepEqual(await names(['-f', 'status=created']), ['p-cr']);
  assert.deepEqual(await names(['-a', '-f', 'exited=3']), ['p-ex3']);
  assert.deepEqual(await names(['-a', '-f', 'label=tier']), ['p-ex0', 'p-run']);
  assert.deepEqual(await names(['-a', '-f', 'label=tier=db']), ['p-ex0']);
  assert.deepEqual(await names(['-a', '-f', 'name=p-ex']), ['p-ex0', 'p-ex3']);
  assert.deepEqual(await names(['-a', '-f', 'ancestor=busybox']), ['p-cr', 'p-ex0', 'p-ex3', 'p-run']);
  assert.deepEqual(await names(['-a', '-f', 'before=p-cr']), ['p-ex0', 'p-ex3', 'p-run']);
  assert.deepEqual(await names(['-a', '-f', 'since=p-ex0']), ['p-cr']);
  assert.deepEqual(await names(['-a', '-f', 'status=exited', '-f', 'status=created']), ['p-cr', 'p-ex0', 'p-ex3']);
  const runId = await ok(['inspect', '-f', '{{.Id}}', 'p-run']);
  assert.deepEqual(await names(['-a', '-f', `id=${runId.slice(0, 8)}`]), ['p-run']);
  const badFilter = await berthd.d.docker(['ps', '-f', 'color=red']);
  assert.equal(badFilter.code, 1);
  assert.match(badFilter.stderr, /invalid filter 'color'/i);

  assert.equal(await ok(['ps', '-q']), runId.slice(0, 12));
  assert.equal(await ok(['ps', '--no-trunc', '-q']), runId);
  assert.match(
    await ok(['ps', '--format', '{{.ID}} {{.Names}} {{.Status}} {{.Image}} {{.Command}}']),
    new RegExp(`^${runId.slice(0, 12)} p-run Up (Less than a second|\\d+ seconds?) busybox "sleep 300"$`),
  );
  assert.match(await ok(['ps', '-a', '-f', 'name=p-ex3', '--format', '{{.Status}}']), /^Exited \(3\) .* ago$/);
  assert.match(await ok(['ps', '-a', '-f', 'name=p-cr', '--format', '{{.Status}}']), /^Created$/);
  const table = (await ok(['ps'])).split('\n');
  assert.match(table[0]!, /^CONTAINER ID\s+IMAGE\s+COMMAND\s+CREATED\s+STATUS\s+PORTS\s+NAMES$/);
  assert.match(table[1]!, /p-run$/);
  assert.equal(await ok(['ps', '-a', '-n', '1', '--format', '{{.Names}}']), 'p-cr', '-n: newest first');
  assert.equal((await ok(['ps', '-a', '--format', '{{json .}}', '-f', 'name=p-run'])).startsWith('{'), true);

  const prune = await ok(['container', 'prune', '-f']);
  assert.match(prune, /^Deleted Containers:\n/);
  assert.match(prune, /Total reclaimed space: /);
  assert.deepEqual(await names(['-a']), ['p-run'], 'prune removed only stopped containers');
  await ok(['rm', '-f', 'p-run']);
});

test('restart policies: on-failure:N, always, unless-stopped', { skip: skip ?? false }, async () => {
  await ok(['run', '-d', '--name', 'of', '--restart', 'on-failure:2', 'busybox', 'sh', '-c', 'exit 5']);
  await ok(['run', '-d', '--name', 'al', '--restart', 'always', 'busybox', 'sh', '-c', 'sleep 0.2; exit 0']);
  await ok(['run', '-d', '--name', 'us', '--restart', 'unless-stopped', 'busybox', 'sleep', '300']);
  await ok(['run', '-d', '--name', 'ofok', '--restart', 'on-failure', 'busybox', 'true']);

  await waitFor(
    'on-failure:2 gives up after 2 restarts',
    async () => (await fmt('of', '{{.State.Status}} {{.RestartCount}}')) === 'exited 2',
    20_000,
  );
  assert.equal(
    await fmt(
      'of',
      '{{.State.ExitCode}} {{.HostConfig.RestartPolicy.Name}} {{.HostConfig.RestartPolicy.MaximumRetryCount}}',
    ),
    '5 on-failure 2',
  );
  await waitFor('always restarts a clean exit', async () => Number(await fmt('al', '{{.RestartCount}}')) >= 2, 20_000);
  assert.equal(await fmt('ofok', '{{.State.Status}} {{.RestartCount}}'), 'exited 0', 'on-failure ignores exit 0');

  await ok(['stop', '-t', '1', 'us']);
  await new Promise((r) => setTimeout(r, 1500));
  assert.equal(
    await fmt('us', '{{.State.Status}} {{.RestartCount}}'),
    'exited 0',
    'a stopped unless-stopped stays stopped',
  );
  await ok(['stop', '-t', '1', 'al']);
  const cnt = await fmt('al', '{{.RestartCount}}');
  await new Promise((r) => setTimeout(r, 1500));
  assert.equal(await fmt('al', '{{.State.Status}} {{.RestartCount}}'), `exited ${cnt}`, 'docker stop wins over always');
  await ok(['rm', '-f', 'of', 'al', 'us', 'ofok']);
});

test('security: --init, --privileged, caps, --read-only, --user, no-new-privileges, masked /proc, seccomp, --network', {
  skip: skip ?? false,
}, async (t) => {
  const run = async (flags: string[], script: string) => {
    const r = await berthd.d.docker(['run', '--rm', ...flags, 'busybox', 'sh', '-c', script]);
    assert.equal(r.code, 0, `${flags.join(' ')} ${script}: ${r.stderr}`);
    return r.stdout.trim();
  };
  const capEff = (s: string) => /CapEff:\s*([0-9a-f]+)/.exec(s)![1]!;
  const dflt = BigInt('0x' + capEff(await run([], 'cat /proc/self/status')));
  assert.equal(dflt, 0xa80425fbn, "Docker's default capability set");
  const priv = BigInt('0x' + capEff(await run(['--privileged'], 'cat /proc/self/status')));
  assert.ok(priv > dflt && (priv & (1n << 21n)) !== 0n, 'privileged has CAP_SYS_ADMIN');
  const dropped = BigInt(
    '0x' + capEff(await run(['--cap-drop', 'NET_RAW', '--cap-drop', 'chown'], 'cat /proc/self/status')),
  );
  assert.equal(dropped, dflt & ~(1n << 13n) & ~(1n << 0n));
  const added = BigInt('0x' + capEff(await run(['--cap-add', 'NET_ADMIN'], 'cat /proc/self/status')));
  assert.equal(added, dflt | (1n << 12n));
  assert.equal(BigInt('0x' + capEff(await run(['--cap-drop', 'ALL'], 'cat /proc/self/status'))), 0n);

  assert.equal(await run([], 'grep Seccomp: /proc/self/status'), 'Seccomp:\t2');
  assert.equal(await run(['--privileged'], 'grep Seccomp: /proc/self/status'), 'Seccomp:\t0');
  assert.equal(await run(['--security-opt', 'seccomp=unconfined'], 'grep Seccomp: /proc/self/status'), 'Seccomp:\t0');
  assert.equal(await run([], 'grep NoNewPrivs: /proc/self/status'), 'NoNewPrivs:\t0');
  assert.equal(
    await run(['--security-opt', 'no-new-privileges'], 'grep NoNewPrivs: /proc/self/status'),
    'NoNewPrivs:\t1',
  );

  assert.equal(await run(['--init'], 'cat /proc/1/comm; true'), 'docker-init');
  assert.match(await run(['--init'], 'cat /proc/1/cmdline | tr "\\0" " "'), /^\/sbin\/docker-init -- sh -c/);
  assert.equal(await run([], 'cat /proc/1/comm; true'), 'sh');

  assert.match(await run(['--read-only'], 'touch /x 2>&1 || true'), /Read-only file system/);
  assert.equal(
    await run(['--read-only'], 'touch /tmp/x 2>/dev/null && echo ok || echo ro'),
    'ro',
    'no implicit tmpfs on /tmp (Docker)',
  );
  assert.equal(await run(['--user', '1234:5678'], 'id -u; id -g'), '1234\n5678');
  assert.equal(await run(['--user', 'nobody'], 'id -un'), 'nobody');
  assert.equal(await run([], 'id -u'), '0');

  assert.equal(
    await run([], 'stat -c %t:%T /proc/keys /proc/timer_list | tr "\\n" " "'),
    '1:3 1:3',
    'masked with /dev/null',
  );
  assert.match(await run([], 'ls /proc/acpi 2>&1 | wc -l; cat /proc/keys 2>&1 | wc -c'), /^0\n0$/);
  assert.match(await run([], '(echo 1 > /proc/sys/kernel/domainname) 2>&1 || true'), /Read-only file system/);
  assert.match(
    await run(['--privileged'], 'ls /proc/acpi >/dev/null 2>&1 && echo visible || echo hidden'),
    /^(visible|hidden)$/,
  );

  assert.equal(await run(['--network', 'none'], 'ls /sys/class/net | tr "\\n" " "'), 'lo');
  // /proc/net/dev lists the links of the reader's netns (the test runs in the harness's private one)
  const links = (dev: string) =>
    dev
      .split('\n')
      .slice(2)
      .map((l) => l.split(':')[0]!.trim())
      .filter(Boolean)
      .sort()
      .join(' ');
  // a link only the harness's netns has, so host mode is told apart from a fresh netns
  const { execFileSync } = await import('node:child_process');
  execFileSync('ip', ['link', 'add', 'berthit0', 'type', 'veth', 'peer', 'name', 'berthit1']);
  t.after(() => execFileSync('ip', ['link', 'del', 'berthit0']));
  const hostLinks = links((await import('node:fs')).readFileSync('/proc/net/dev', 'utf8'));
  assert.match(hostLinks, /berthit0/);
  assert.equal(links(await run(['--network', 'host'], 'cat /proc/net/dev')), hostLinks);
  assert.equal(links(await run(['--network', 'none'], 'cat /proc/net/dev')), 'lo');
  assert.equal(await run(['--network', 'host'], 'hostname'), (await import('node:os')).hostname());
});
