import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseFlags } from '../flags/parser.js';
import {
  buildCreate,
  createFlags,
  parsePublish,
  parseRestart,
  parseMount,
  runOnlyFlags,
  validateSysctl,
} from './run-opts.js';

const parse = (argv: string[]) => parseFlags([...createFlags, ...runOnlyFlags], argv, { interspersed: false });

test('run flags build Docker create body', () => {
  const p = parse([
    '-it',
    '--name',
    'web',
    '-e',
    'A=1',
    '-e',
    'HOMEX',
    '-l',
    'x=y',
    '-m',
    '64m',
    '--cpus',
    '0.5',
    '--pids-limit',
    '10',
    '--restart',
    'on-failure:3',
    '--init',
    '--cap-add',
    'NET_ADMIN',
    '-p',
    '8080:80',
    '-v',
    '/data',
    '-v',
    '/h:/c:ro',
    '--entrypoint',
    '',
    '--stop-timeout',
    '3',
    '-w',
    '/tmp',
    'busybox',
    'sh',
    '-c',
    'echo hi',
  ]);
  const { body, name } = buildCreate(p, p.args, false, { HOMEX: '/root' });
  assert.equal(name, 'web');
  assert.equal(body.Image, 'busybox');
  assert.deepEqual(body.Cmd, ['sh', '-c', 'echo hi']);
  assert.deepEqual(body.Entrypoint, ['']);
  assert.deepEqual(body.Env, ['A=1', 'HOMEX=/root']);
  assert.deepEqual(body.Labels, { x: 'y' });
  assert.equal(body.Tty, true);
  assert.equal(body.OpenStdin, true);
  assert.equal(body.AttachStdin, true);
  assert.equal(body.StdinOnce, true);
  assert.equal(body.WorkingDir, '/tmp');
  assert.equal(body.StopTimeout, 3);
  assert.deepEqual(body.Volumes, { '/data': {} });
  const hc = body.HostConfig!;
  assert.deepEqual(hc.Binds, ['/h:/c:ro']);
  assert.equal(hc.Memory, 64 * 1024 * 1024);
  assert.equal(hc.NanoCpus, 500_000_000);
  assert.equal(hc.PidsLimit, 10);
  assert.equal(hc.Init, true);
  assert.deepEqual(hc.RestartPolicy, { Name: 'on-failure', MaximumRetryCount: 3 });
  assert.deepEqual(hc.PortBindings, { '80/tcp': [{ HostIp: '', HostPort: '8080' }] });
  assert.deepEqual(body.ExposedPorts, { '80/tcp': {} });
  assert.equal(hc.NetworkMode, 'default');
});

test('detached run attaches nothing; --rm conflicts with --restart', () => {
  const p = parse(['-d', '--network', 'none', 'busybox']);
  const { body } = buildCreate(p, p.args, true);
  assert.equal(body.AttachStdout, false);
  assert.equal(body.Cmd, null);
  assert.equal(body.HostConfig!.NetworkMode, 'none');
  const q = parse(['--rm', '--restart', 'always', 'busybox']);
  assert.throws(() => buildCreate(q, q.args, false), /Conflicting options: --restart and --rm/);
});

test('publish, restart and mount syntax', () => {
  assert.deepEqual(parsePublish(['127.0.0.1:80-81:90-91/udp']).bindings, {
    '90/udp': [{ HostIp: '127.0.0.1', HostPort: '80' }],
    '91/udp': [{ HostIp: '127.0.0.1', HostPort: '81' }],
  });
  assert.deepEqual(parsePublish(['80']).bindings, { '80/tcp': [{ HostIp: '', HostPort: '' }] });
  assert.throws(() => parseRestart('sometimes'), /invalid restart policy format/);
  assert.throws(() => parseRestart('always:3'), /only be used with 'on-failure'/);
  assert.deepEqual(parseMount('type=bind,source=/a,target=/b,readonly'), {
    Type: 'bind',
    Source: '/a',
    Target: '/b',
    ReadOnly: true,
  });
  assert.throws(() => parseMount('type=bind,source=/a'), /target is required/);
});

test('a bad host port is named as docker names it', () => {
  assert.throws(() => parsePublish(['99999:80']), { message: 'invalid hostPort: 99999' });
  assert.throws(() => parsePublish(['80:99999']), { message: 'invalid containerPort: 99999' });
});

test('--net-alias adds to --network-alias on a user network', () => {
  const p = parseFlags(createFlags, ['--network', 'n1', '--net-alias', 'a', '--network-alias', 'b', 'busybox']);
  const body = buildCreate(p, p.args, false).body as {
    NetworkingConfig: { EndpointsConfig: Record<string, { Aliases: string[] }> };
  };
  assert.deepEqual(body.NetworkingConfig.EndpointsConfig.n1.Aliases, ['b', 'a']);
});

test('--sysctl is checked as the docker CLI checks it (ValidateSysctl), before any request', () => {
  for (const ok of ['net.ipv4.ip_forward=1', 'kernel.shmmax=1', 'fs.mqueue.msg_max=10', 'net.core.somaxconn=a=b'])
    assert.doesNotThrow(() => validateSysctl(ok), ok);
  for (const bad of ['foo', 'kernel.foo', 'kernel.foo=1', 'net.ipv4.ip_forward', 'vm.swappiness=1'])
    assert.throws(() => validateSysctl(bad), { message: `sysctl '${bad}' is not allowed` });
  assert.throws(() => parse(['--sysctl', 'foo', 'busybox']), {
    message: `invalid argument "foo" for "--sysctl" flag: sysctl 'foo' is not allowed`,
  });
});
