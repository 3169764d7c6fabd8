// Create-time checks: each bad value is a 400 with moby's text at create, before runc sees it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EngineError } from '../errdefs.js';
import { defaultHostConfig, mergeConfig, validateHostConfig } from './create-config.js';
import type { HostConfig } from './types.js';

const ID = '0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef';

function refusedHost(h: Partial<HostConfig> & Record<string, unknown>): string {
  try {
    validateHostConfig({ ...defaultHostConfig(), ...h } as HostConfig, { userNetworks: true });
  } catch (e) {
    assert.ok(e instanceof EngineError && e.kind === 'invalid', String(e));
    return e.message;
  }
  assert.fail(`accepted ${JSON.stringify(h)}`);
}

test("port specifications are checked with moby's text", () => {
  assert.equal(
    refusedHost({ PortBindings: { '70000/tcp': [{ HostIp: '', HostPort: '' }] } }),
    'invalid port specification: "70000"',
  );
  assert.equal(
    refusedHost({ PortBindings: { '80/tcp': [{ HostIp: '', HostPort: '99999' }] } }),
    'invalid port specification: "99999"',
  );
  assert.equal(
    refusedHost({ PortBindings: { 'abc/tcp': null } as unknown as HostConfig['PortBindings'] }),
    'invalid port specification: "abc"',
  );
  assert.equal(
    refusedHost({ PortBindings: { '80/tcp': [{ HostIp: '', HostPort: '9000-8000' }] } }),
    'invalid port specification: "9000-8000"',
  );
  validateHostConfig(
    {
      ...defaultHostConfig(),
      PortBindings: { '80/tcp': [{ HostIp: '', HostPort: '8000-8010' }], '53/udp': [{}] as never, '81': null as never },
    },
    { userNetworks: true },
  );
});

test("restart policies: Docker's texts for unknown names and retry counts", () => {
  assert.match(
    refusedHost({ RestartPolicy: { Name: 'sometimes' as 'no', MaximumRetryCount: 0 } }),
    /^invalid restart policy: unknown policy 'sometimes'/,
  );
  assert.equal(
    refusedHost({ RestartPolicy: { Name: 'always', MaximumRetryCount: 3 } }),
    "invalid restart policy: maximum retry count can only be used with 'on-failure'",
  );
  assert.equal(
    refusedHost({ RestartPolicy: { Name: 'always', MaximumRetryCount: -1 } }),
    "invalid restart policy: maximum retry count can only be used with 'on-failure' and cannot be negative",
  );
});

test('--storage-opt is refused (overlay without xfs pquota), not silently ignored', () => {
  assert.equal(
    refusedHost({ StorageOpt: { size: '10G' } }),
    "--storage-opt is supported only for overlay over xfs with 'pquota' mount option",
  );
  assert.equal(refusedHost({ StorageOpt: { foo: 'bar' } }), 'Unknown option foo');
  validateHostConfig({ ...defaultHostConfig(), StorageOpt: {} }, { userNetworks: true });
});

test('resource values runc would refuse later are refused at create', () => {
  assert.equal(refusedHost({ Memory: -1 }), 'Minimum memory limit allowed is 6MB');
  assert.equal(refusedHost({ CpuShares: -5 }), 'shares: invalid argument');
  assert.match(refusedHost({ NanoCpus: -1 }), /Range of CPUs is from 0\.01/i);
  assert.equal(refusedHost({ MemorySwappiness: 101 }), 'Invalid value: 101, valid memory swappiness range is 0-100');
  assert.equal(refusedHost({ MemorySwappiness: -2 }), 'Invalid value: -2, valid memory swappiness range is 0-100');
  // -1 is the API's "unset" (moby's fixMemorySwappiness); the docker CLI sends it on every run
  validateHostConfig({ ...defaultHostConfig(), MemorySwappiness: -1 }, { userNetworks: true });
  assert.match(refusedHost({ IOMaximumIOps: 5 }), /^Invalid QoS settings/);
  assert.match(
    refusedHost({ Devices: [{}] as HostConfig['Devices'] }),
    /^error gathering device information while adding custom device ""/,
  );
  assert.equal(refusedHost({ Ulimits: [{}] as HostConfig['Ulimits'] }), 'invalid ulimit type: ');
});

test('Config checks at create: empty env names, healthcheck durations', () => {
  assert.throws(() => mergeConfig(ID, { Image: 'x', Env: [''] }, {}), { message: 'invalid environment variable: ' });
  assert.throws(() => mergeConfig(ID, { Image: 'x', Env: ['=foo'] }, {}), {
    message: 'invalid environment variable: =foo',
  });
  assert.throws(() => mergeConfig(ID, { Image: 'x', Healthcheck: { Interval: 5 } as never }, {}), {
    message: 'Interval in Healthcheck cannot be less than 1ms',
  });
  assert.throws(() => mergeConfig(ID, { Image: 'x', Healthcheck: { Retries: -1 } as never }, {}), {
    message: 'Retries in Healthcheck cannot be negative',
  });
  assert.deepEqual(
    mergeConfig(ID, { Image: 'x', Env: ['A=1', 'B'] }, {}).Env,
    ['A=1', 'B'],
    'a bare name stays in Config.Env, as in moby',
  );
});

test("relative working directories and malformed --add-host values are refused with moby's texts", () => {
  assert.throws(() => mergeConfig(ID, { Image: 'x', WorkingDir: 'srv' }, {}), {
    message: "the working directory 'srv' is invalid, it needs to be an absolute path",
  });
  assert.equal(mergeConfig(ID, { Image: 'x', WorkingDir: '/srv' }, {}).WorkingDir, '/srv');
  assert.equal(refusedHost({ ExtraHosts: ['db'] }), 'bad format for add-host: "db"');
  assert.equal(refusedHost({ ExtraHosts: ['db:not-an-ip'] }), 'invalid IP address in add-host: "not-an-ip"');
  validateHostConfig(
    { ...defaultHostConfig(), ExtraHosts: ['db:10.0.0.1', 'v6:::1', 'gw:host-gateway'] },
    { userNetworks: true },
  );
});

test('values runc refuses at start are refused at create: negative reservations, cgroup rules, sysctls', () => {
  assert.equal(refusedHost({ MemoryReservation: -5 * 1024 * 1024 }), 'Minimum memory reservation allowed is 6MB');
  assert.equal(refusedHost({ DeviceCgroupRules: ['x'] }), "invalid device cgroup format 'x'");
  assert.equal(refusedHost({ CpuShares: 300000 }), 'the maximum allowed cpu-shares is 262144');
  // service.create sets MemorySwap = 2 x Memory before validating
  assert.match(
    refusedHost({ Memory: 2 ** 62, MemorySwap: 2 ** 63 }),
    /^invalid memory limit 4611686018427388000: with its swap limit/,
  );
  assert.equal(refusedHost({ Sysctls: { 'x.y': '1' } } as never), 'sysctl "x.y" is not in a separate kernel namespace');
  assert.equal(
    refusedHost({ Sysctls: { 'net.ipv4.ip_forward': '1' }, NetworkMode: 'host' } as never),
    'sysctl "net.ipv4.ip_forward" is not allowed in the hosts network namespace',
  );
  assert.equal(
    refusedHost({ Sysctls: { 'kernel.shmmax': '1' }, IpcMode: 'host' } as never),
    'sysctl "kernel.shmmax" is not allowed in the hosts ipc namespace',
  );
  validateHostConfig(
    {
      ...defaultHostConfig(),
      Sysctls: {
        'net.ipv4.ip_forward': '1',
        'kernel.shmmax': '1',
        'fs.mqueue.msg_max': '10',
        'kernel.domainname': 'x',
      },
    } as HostConfig,
    { userNetworks: true },
  );
  validateHostConfig({ ...defaultHostConfig(), DeviceCgroupRules: ['c 1:3 rwm', 'b *:* m'] }, { userNetworks: true });
});

test("namespace modes, isolation, annotation keys and hostname length are checked with moby's texts", () => {
  assert.equal(refusedHost({ IpcMode: 'weird' }), 'invalid IPC mode: weird');
  assert.equal(refusedHost({ PidMode: 'container:' }), 'invalid PID mode: container:');
  assert.equal(refusedHost({ UTSMode: 'weird' }), 'invalid UTS mode: weird');
  assert.equal(refusedHost({ CgroupnsMode: 'weird' as 'host' }), 'invalid cgroup namespace mode: weird');
  assert.equal(refusedHost({ Isolation: 'hyperv' }), "invalid isolation 'hyperv' on linux");
  assert.equal(
    refusedHost({ Annotations: { '': 'x' } } as never),
    'invalid Annotations: the empty string is not permitted as an annotation key',
  );
  for (const ok of [
    { IpcMode: 'shareable' },
    { IpcMode: 'container:abc' },
    { PidMode: 'host' },
    { PidMode: 'container:x' },
    { UTSMode: 'host' },
    { CgroupnsMode: 'private' as const },
    { Isolation: 'Default' },
  ])
    validateHostConfig({ ...defaultHostConfig(), ...ok }, { userNetworks: true });
  assert.throws(() => mergeConfig(ID, { Image: 'x', Hostname: 'a'.repeat(65) }, {}), {
    message: /^invalid hostname format: a+ \(longer than 64 bytes\)$/,
  });
  assert.equal(mergeConfig(ID, { Image: 'x', Hostname: 'a'.repeat(64) }, {}).Hostname, 'a'.repeat(64));
});
