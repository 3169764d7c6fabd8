// Docker's create-time rules: image config merge and HostConfig validation.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EngineError } from '../errdefs.js';
import { configEnv, defaultHostConfig, mergeConfig, mergeEnv, validateHostConfig } from './create-config.js';
import type { ImageRuntimeConfig } from './ports.js';
import type { HostConfig } from './types.js';

const ID = '0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef';
const img: ImageRuntimeConfig = {
  Env: ['PATH=/usr/bin:/bin', 'A=img'],
  Cmd: ['sh'],
  Entrypoint: null,
  WorkingDir: '/srv',
  User: 'nobody',
  Labels: { from: 'image', both: 'image' },
  StopSignal: 'SIGQUIT',
};

test('the image supplies Cmd, Env, WorkingDir, User, Labels and StopSignal when the request does not', () => {
  const c = mergeConfig(ID, { Image: 'busybox' }, img);
  assert.deepEqual(c.Cmd, ['sh']);
  assert.equal(c.Entrypoint, null);
  assert.deepEqual(c.Env, ['PATH=/usr/bin:/bin', 'A=img']);
  assert.equal(c.WorkingDir, '/srv');
  assert.equal(c.User, 'nobody');
  assert.deepEqual(c.Labels, { from: 'image', both: 'image' });
  assert.equal(c.StopSignal, 'SIGQUIT');
  assert.equal(c.Image, 'busybox');
  assert.equal(c.Volumes, null);
});

test('hostname defaults to the short id; an explicit one is kept', () => {
  assert.equal(mergeConfig(ID, { Image: 'b' }, img).Hostname, '0123456789ab');
  assert.equal(mergeConfig(ID, { Image: 'b', Hostname: 'web' }, img).Hostname, 'web');
});

test('the request overrides: Cmd replaces the image Cmd, env entries replace same-named ones, labels merge', () => {
  const c = mergeConfig(
    ID,
    {
      Image: 'b',
      Cmd: ['echo', 'hi'],
      Env: ['A=mine', 'B=new'],
      Labels: { both: 'mine' },
      WorkingDir: '/w',
      User: '1000:1000',
      StopSignal: 'SIGTERM',
      StopTimeout: 3,
    },
    img,
  );
  assert.deepEqual(c.Cmd, ['echo', 'hi']);
  assert.deepEqual(
    c.Env,
    ['A=mine', 'B=new', 'PATH=/usr/bin:/bin'],
    'moby: the request entries, then unused image ones',
  );
  assert.deepEqual(c.Labels, { from: 'image', both: 'mine' });
  assert.equal(c.WorkingDir, '/w');
  assert.equal(c.User, '1000:1000');
  assert.equal(c.StopSignal, 'SIGTERM');
  assert.equal(c.StopTimeout, 3);
});

test('an explicit entrypoint drops the image Cmd and replaces its entrypoint', () => {
  const withEp = { ...img, Entrypoint: ['/docker-entrypoint.sh'], Cmd: ['serve'] };
  const a = mergeConfig(ID, { Image: 'b', Entrypoint: ['/bin/echo'] }, withEp);
  assert.deepEqual(a.Entrypoint, ['/bin/echo']);
  assert.equal(a.Cmd, null);
  const b = mergeConfig(ID, { Image: 'b', Entrypoint: ['/bin/echo'], Cmd: ['x'] }, withEp);
  assert.deepEqual([b.Entrypoint, b.Cmd], [['/bin/echo'], ['x']]);
  // no entrypoint in the request: the image's entrypoint with the request's or the image's Cmd
  const c = mergeConfig(ID, { Image: 'b', Cmd: ['other'] }, withEp);
  assert.deepEqual([c.Entrypoint, c.Cmd], [['/docker-entrypoint.sh'], ['other']]);
  const d = mergeConfig(ID, { Image: 'b' }, withEp);
  assert.deepEqual([d.Entrypoint, d.Cmd], [['/docker-entrypoint.sh'], ['serve']]);
});

test('--entrypoint "" clears the image entrypoint; an empty list keeps the image Cmd (moby merge)', () => {
  const withEp = { ...img, Entrypoint: ['/docker-entrypoint.sh'], Cmd: ['serve'] };
  const a = mergeConfig(ID, { Image: 'b', Entrypoint: [''], Cmd: ['ls'] }, withEp);
  assert.deepEqual([a.Entrypoint, a.Cmd], [null, ['ls']]);
  const b = mergeConfig(ID, { Image: 'b', Entrypoint: [] }, withEp);
  assert.deepEqual([b.Entrypoint, b.Cmd], [null, ['serve']]);
});

test('mergeEnv: replace in place, append new, drop names given without a value', () => {
  assert.deepEqual(mergeEnv(['A=1', 'B=2'], ['B=3', 'C=4']), ['A=1', 'B=3', 'C=4']);
  assert.deepEqual(mergeEnv(['A=1', 'B=2'], ['A']), ['B=2']);
  assert.deepEqual(mergeEnv(['A=1', 'B=2', 'C=3'], ['A', 'C=9', 'D=4']), ['B=2', 'C=9', 'D=4']);
  assert.deepEqual(mergeEnv(['A=1', 'B=2', 'C=3'], ['A', 'B', 'C=9']), ['C=9']);
  assert.deepEqual(mergeEnv([], ['X=a=b']), ['X=a=b']);
});

const hc = (o: Partial<HostConfig>): HostConfig => ({ ...defaultHostConfig(), ...o });
const rejects = (h: HostConfig, kind: EngineError['kind'], message: string) =>
  assert.throws(
    () => validateHostConfig(h),
    (e: unknown) => e instanceof EngineError && e.kind === kind && e.message === message,
  );

test('validateHostConfig accepts the defaults and the known restart policies', () => {
  validateHostConfig(defaultHostConfig());
  for (const Name of ['', 'no', 'always', 'unless-stopped'] as const)
    validateHostConfig(hc({ RestartPolicy: { Name, MaximumRetryCount: 0 } }));
  validateHostConfig(hc({ RestartPolicy: { Name: 'on-failure', MaximumRetryCount: 3 } }));
  validateHostConfig(hc({ NetworkMode: 'host' }));
  validateHostConfig(hc({ NetworkMode: 'container:abc' }));
  validateHostConfig(hc({ CapAdd: ['NET_ADMIN', 'CAP_SYS_TIME', 'ALL'] }));
});

test('validateHostConfig rejects bad input with Docker texts', () => {
  rejects(
    hc({ RestartPolicy: { Name: 'always', MaximumRetryCount: 2 } }),
    'invalid',
    "invalid restart policy: maximum retry count can only be used with 'on-failure'",
  );
  rejects(
    hc({ RestartPolicy: { Name: 'on-failure', MaximumRetryCount: -1 } }),
    'invalid',
    'invalid restart policy: maximum retry count cannot be negative',
  );
  rejects(
    hc({ RestartPolicy: { Name: 'sometimes' as 'no', MaximumRetryCount: 0 } }),
    'invalid',
    "invalid restart policy: unknown policy 'sometimes'; use one of 'no', 'always', 'on-failure', or 'unless-stopped'",
  );
  rejects(
    hc({ AutoRemove: true, RestartPolicy: { Name: 'always', MaximumRetryCount: 0 } }),
    'invalid',
    "invalid restart policy: can't create 'AutoRemove' container with restart policy",
  );
  rejects(hc({ Memory: 1024 }), 'invalid', 'Minimum memory limit allowed is 6MB');
  rejects(
    hc({ Memory: 10 << 20, MemorySwap: 8 << 20 }),
    'invalid',
    'Minimum memoryswap limit should be larger than memory limit, see usage',
  );
  rejects(
    hc({ NanoCpus: 1e9, CpuQuota: 50000 }),
    'invalid',
    'Conflicting options: Nano CPUs and CPU Period cannot both be set',
  );
  rejects(
    hc({ CpuPeriod: 10 }),
    'invalid',
    'CPU cfs period can not be less than 1ms (i.e. 1000) or larger than 1s (i.e. 1000000)',
  );
  rejects(hc({ OomScoreAdj: 1001 }), 'invalid', 'Invalid value 1001, range for oom score adj is [-1000, 1000]');
  rejects(hc({ NetworkMode: 'nosuchnet' }), 'not-found', 'network nosuchnet not found');
  rejects(
    hc({ NetworkMode: 'container:' }),
    'invalid',
    'Invalid network mode: invalid container format container:<name|id>',
  );
  rejects(hc({ CapAdd: ['NET ADMIN'] }), 'invalid', 'unknown capability: "NET ADMIN"');
});

test("configEnv: the request's entries first, bare names kept (docker-py: Foo stays in inspect), then unused image entries", () => {
  assert.deepEqual(configEnv(['PATH=/bin', 'A=1'], ['Foo', 'Other=one', 'Blank=']), [
    'Foo',
    'Other=one',
    'Blank=',
    'PATH=/bin',
    'A=1',
  ]);
  assert.deepEqual(configEnv(['PATH=/bin', 'A=1'], ['A']), ['A', 'PATH=/bin']);
  assert.deepEqual(configEnv(['PATH=/bin', 'A=1'], ['A=2']), ['A=2', 'PATH=/bin']);
  assert.deepEqual(configEnv(['PATH=/bin'], []), ['PATH=/bin']);
});

test('the HostConfig defaults keep Dns, DnsOptions and DnsSearch absent (null) as moby stores a request without them', () => {
  const h = defaultHostConfig();
  assert.deepEqual([h.Dns, h.DnsOptions, h.DnsSearch], [null, null, null]);
});
