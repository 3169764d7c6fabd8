// Container record → Docker's status text, inspect and list shapes.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { defaultHostConfig } from '../../engine/create-config.js';
import { createdState } from '../../engine/states.js';
import type { ContainerRecord, ContainerState } from '../../engine/types.js';
import { ZERO_TIME } from '../../util/time.js';
import {
  type ContainerInspect,
  type ContainerSummary,
  inspectJson,
  listCommand,
  statusText,
  summaryJson,
} from './containers.js';

const NOW = Date.parse('2024-05-01T12:00:00Z');
const ago = (s: number) => new Date(NOW - s * 1000).toISOString();

function rec(state: Partial<ContainerState>): ContainerRecord {
  return {
    id: 'a'.repeat(64),
    name: 'web',
    created: ago(60),
    path: 'sh',
    args: ['-c', 'true'],
    config: {
      Hostname: 'aaaaaaaaaaaa',
      Domainname: '',
      User: '',
      AttachStdin: false,
      AttachStdout: true,
      AttachStderr: true,
      Tty: false,
      OpenStdin: false,
      StdinOnce: false,
      Env: ['PATH=/bin'],
      Cmd: ['sh', '-c', 'true'],
      Image: 'busybox',
      Volumes: null,
      WorkingDir: '',
      Entrypoint: null,
      OnBuild: null,
      Labels: { l: 'v' },
    },
    hostConfig: defaultHostConfig(),
    networkingConfig: null,
    image: 'sha256:' + 'b'.repeat(64),
    state: { ...createdState(), ...state },
    restartCount: 0,
    manuallyStopped: false,
    hasBeenStarted: false,
    logPath: '/x/container.log',
    hostnamePath: '',
    hostsPath: '',
    resolvConfPath: '',
    mounts: [],
    execIds: [],
  };
}

test('statusText matches docker ps', () => {
  assert.equal(statusText(rec({}), NOW), 'Created');
  assert.equal(statusText(rec({ status: 'running', startedAt: ago(2) }), NOW), 'Up 2 seconds');
  assert.equal(statusText(rec({ status: 'running', startedAt: ago(0.2) }), NOW), 'Up Less than a second');
  assert.equal(statusText(rec({ status: 'running', startedAt: ago(90) }), NOW), 'Up About a minute');
  assert.equal(statusText(rec({ status: 'running', startedAt: ago(3 * 3600) }), NOW), 'Up 3 hours');
  assert.equal(statusText(rec({ status: 'paused', startedAt: ago(5) }), NOW), 'Up 5 seconds (Paused)');
  assert.equal(
    statusText(rec({ status: 'exited', exitCode: 3, startedAt: ago(10), finishedAt: ago(5) }), NOW),
    'Exited (3) 5 seconds ago',
  );
  assert.equal(
    statusText(rec({ status: 'exited', exitCode: 137, startedAt: ago(900), finishedAt: ago(600) }), NOW),
    'Exited (137) 10 minutes ago',
  );
  assert.equal(
    statusText(rec({ status: 'restarting', exitCode: 1, startedAt: ago(10), finishedAt: ago(2) }), NOW),
    'Restarting (1) 2 seconds ago',
  );
  assert.equal(statusText(rec({ status: 'removing' }), NOW), 'Removal In Progress');
  assert.equal(statusText(rec({ status: 'dead' }), NOW), 'Dead');
});

test("inspect carries Docker's State fields and the stored Config/HostConfig", () => {
  const r = rec({ status: 'running', pid: 42, startedAt: '2024-05-01T11:59:58.123456789Z' });
  const j = inspectJson(r) as ContainerInspect;
  assert.deepEqual(j.State, {
    Status: 'running',
    Running: true,
    Paused: false,
    Restarting: false,
    OOMKilled: false,
    Dead: false,
    Pid: 42,
    ExitCode: 0,
    Error: '',
    StartedAt: '2024-05-01T11:59:58.123456789Z',
    FinishedAt: ZERO_TIME,
  });
  assert.equal(j.Name, '/web');
  assert.deepEqual(j.Config.Cmd, ['sh', '-c', 'true']);
  assert.equal(j.HostConfig.RestartPolicy?.Name, 'no');
  assert.equal(j.ExecIDs, null);
  assert.equal(j.Path, 'sh');
  assert.deepEqual(j.Args, ['-c', 'true']);
  assert.ok(!('SizeRw' in j));
  assert.equal((inspectJson(r, { size: { rw: 1, rootFs: 2 } }) as Record<string, unknown>).SizeRootFs, 2);
  // GraphDriver.Data: the container's snapshot directories when the store has them, else null
  assert.deepEqual((j as unknown as { GraphDriver: object }).GraphDriver, { Data: null, Name: 'overlay2' });
  const gd = inspectJson(r, { graphData: { UpperDir: '/u', MergedDir: '/m' } }) as { GraphDriver: object };
  assert.deepEqual(gd.GraphDriver, { Data: { UpperDir: '/u', MergedDir: '/m' }, Name: 'overlay2' });
  assert.equal(
    (inspectJson(rec({ status: 'paused' })) as ContainerInspect).State.Running,
    true,
    'paused counts as running',
  );
});

test('summary (ps) shape', () => {
  const j = summaryJson(rec({ status: 'exited', exitCode: 0, startedAt: ago(2), finishedAt: ago(1) }), {
    imageRef: 'busybox',
  }) as ContainerSummary;
  assert.deepEqual(j.Names, ['/web']);
  assert.equal(j.Command, 'sh -c true');
  assert.equal(j.Image, 'busybox');
  assert.equal(j.State, 'exited');
  assert.match(j.Status, /^Exited \(0\) /);
  assert.equal(j.Created, Math.floor(Date.parse(ago(60)) / 1000));
  assert.deepEqual(j.Labels, { l: 'v' });
});

test("ps COMMAND as moby's container view: arguments with a space in single quotes, no args no trailing space", () => {
  assert.equal(listCommand('sh', ['-c', 'echo hi; sleep 1']), "sh -c 'echo hi; sleep 1'");
  assert.equal(listCommand('nginx', []), 'nginx');
  assert.equal(listCommand('echo', ['a', "it's x"]), "echo a 'it's x'");
});

test('summary HostConfig: Annotations only when set (moby omitempty)', () => {
  const r = rec({ status: 'created' });
  const hc = (x: ContainerRecord) => (summaryJson(x, { imageRef: 'busybox' }) as ContainerSummary).HostConfig;
  assert.deepEqual(hc(r), { NetworkMode: r.hostConfig.NetworkMode });
  (r.hostConfig as { Annotations?: Record<string, string> }).Annotations = { 'io.x': 'y' };
  assert.deepEqual(hc(r), { NetworkMode: r.hostConfig.NetworkMode, Annotations: { 'io.x': 'y' } });
});
