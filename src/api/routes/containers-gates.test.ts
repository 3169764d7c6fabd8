// moby's API-version gates on the container routes, through a real ApiServer with /v1.NN/
// prefixes over a fake service: what each version's create request becomes, its 400s, and the
// query parameters older versions do not have.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { type CreateRequest, defaultHostConfig } from '../../engine/create-config.js';
import { createdState } from '../../engine/states.js';
import type { ContainerRecord } from '../../engine/types.js';
import type { ContainerService } from '../../engine/service.js';
import { type TestServer, testServer } from '../test-server.js';
import type { ContainerRouteDeps } from './container-route-deps.js';
import { gateInspect, gateUpdate } from './containers-gates.js';
import { containerRoutes } from './containers.js';

const annotated = {
  id: 'b'.repeat(64),
  name: 'ann',
  created: '2024-05-01T10:00:00Z',
  path: 'true',
  args: [],
  config: { Image: 'busybox', Labels: {} },
  hostConfig: { ...defaultHostConfig(), Annotations: { 'io.x': 'y' } },
  networkingConfig: null,
  image: 'sha256:1',
  state: createdState(),
  mounts: [],
} as unknown as ContainerRecord;
let created: CreateRequest[] = [];
const calls: unknown[][] = [];
const containers = {
  create: async (req: CreateRequest) => {
    created.push(req);
    return { id: 'c1', warnings: [] };
  },
  stop: async (...a: unknown[]) => void calls.push(['stop', ...a]),
  restart: async (...a: unknown[]) => void calls.push(['restart', ...a]),
  find: () => ({ id: 'c1' }),
  d: { store: { all: () => [annotated] } },
  wait: async (...a: unknown[]) => {
    calls.push(['wait', a[1]]);
    return { StatusCode: 0 };
  },
} as unknown as ContainerService;
const execConfigs: unknown[] = [];
const execs = { create: (_id: string, cfg: unknown) => (execConfigs.push(cfg), 'e1') };
let cgroupV2 = true;
const deps = {
  containers,
  execs,
  imagePlatform: async () => null,
  cgroupV2: async () => cgroupV2,
} as unknown as ContainerRouteDeps;

let s: TestServer;
before(async () => {
  s = await testServer(containerRoutes(deps));
});
after(() => s.close());

async function create(v: string, body: object) {
  created = [];
  const r = await s.call('POST', `/v${v}/containers/create`, { Image: 'busybox', ...body });
  return { status: r.status, message: (r.json as { message?: string } | null)?.message, req: created[0] };
}
const host = (r: { req?: CreateRequest }) => (r.req?.hostConfig ?? null) as Record<string, unknown> | null;

test('before 1.40 an unset IpcMode is "shareable" (older clients expect it); from 1.40 it stays unset', async () => {
  assert.equal(host(await create('1.39', {}))?.IpcMode, 'shareable');
  assert.equal(host(await create('1.39', { HostConfig: { IpcMode: 'private' } }))?.IpcMode, 'private');
  assert.equal(host(await create('1.40', {})), null);
  assert.equal(host(await create('1.47', { HostConfig: {} }))?.IpcMode, undefined);
});

test('fields newer than the version are dropped: AutoRemove <1.25, KernelMemoryTCP <1.40, ConsoleSize <1.42, Annotations <1.43, StartInterval <1.44', async () => {
  const hc = { AutoRemove: true, KernelMemoryTCP: 1, ConsoleSize: [24, 80], Annotations: { a: 'b' } };
  const hcOf = async (v: string) => host(await create(v, { HostConfig: structuredClone(hc) }));
  assert.equal((await hcOf('1.24'))?.AutoRemove, false);
  assert.equal((await hcOf('1.25'))?.AutoRemove, true);
  assert.equal((await hcOf('1.39'))?.KernelMemoryTCP, undefined);
  assert.equal((await hcOf('1.40'))?.KernelMemoryTCP, 1);
  assert.deepEqual((await hcOf('1.41'))?.ConsoleSize, [0, 0]);
  assert.deepEqual((await hcOf('1.42'))?.ConsoleSize, [24, 80]);
  assert.equal((await hcOf('1.42'))?.Annotations, undefined);
  assert.deepEqual((await hcOf('1.43'))?.Annotations, { a: 'b' });
  const hcheck = { Test: ['CMD', 'true'], StartInterval: 1e9 };
  const si = async (v: string) =>
    ((await create(v, { Healthcheck: structuredClone(hcheck) })).req!.config.Healthcheck as { StartInterval?: number })
      .StartInterval;
  assert.equal(await si('1.43'), undefined);
  assert.equal(await si('1.44'), 1e9);
});

test('KernelMemory is ignored from 1.42 (removed there)', async () => {
  assert.equal(host(await create('1.41', { HostConfig: { KernelMemory: 8 << 20 } }))?.KernelMemory, 8 << 20);
  assert.equal(host(await create('1.42', { HostConfig: { KernelMemory: 8 << 20 } }))?.KernelMemory, undefined);
});

test('mount options: dropped or cleared before 1.42, a 400 on the wrong mount type from 1.42', async () => {
  const mounts = () => [
    { Type: 'bind', Source: '/tmp', Target: '/x', BindOptions: { NonRecursive: true, CreateMountpoint: true } },
    { Type: 'bind', Source: '/tmp', Target: '/y', VolumeOptions: { NoCopy: true } },
  ];
  const old = host(await create('1.39', { HostConfig: { Mounts: mounts() } }))?.Mounts as Record<string, unknown>[];
  assert.deepEqual(old[0]!.BindOptions, { NonRecursive: false, CreateMountpoint: false });
  assert.equal(old[1]!.VolumeOptions, undefined);
  const r = await create('1.42', { HostConfig: { Mounts: mounts() } });
  assert.deepEqual([r.status, r.message], [400, 'VolumeOptions must not be specified on mount type "bind"']);
});

test('moby 400s for what an older version cannot ask: RO force-recursive, Subpath, several networks, image mounts', async () => {
  const cases: [string, object, string][] = [
    [
      '1.43',
      {
        HostConfig: {
          Mounts: [{ Type: 'bind', Source: '/a', Target: '/b', BindOptions: { ReadOnlyForceRecursive: true } }],
        },
      },
      'BindOptions.ReadOnlyForceRecursive needs API v1.44 or newer',
    ],
    [
      '1.44',
      { HostConfig: { Mounts: [{ Type: 'volume', Source: 'v', Target: '/b', VolumeOptions: { Subpath: 'x' } }] } },
      'VolumeOptions.Subpath needs API v1.45 or newer',
    ],
    [
      '1.43',
      { NetworkingConfig: { EndpointsConfig: { a: {}, b: {} } } },
      'Container cannot be created with multiple network endpoints: a, b',
    ],
    [
      '1.47',
      { HostConfig: { Mounts: [{ Type: 'image', Source: 'i', Target: '/i' }] } },
      'Mount type "Image" needs API v1.48 or newer',
    ],
  ];
  for (const [v, body, want] of cases) {
    const r = await create(v, body);
    assert.deepEqual([r.status, r.message, r.req], [400, want, undefined], want);
  }
  const ok = await create('1.44', { NetworkingConfig: { EndpointsConfig: { a: {}, b: {} } } });
  assert.equal(ok.status, 201);
});

test('stop and restart read signal from 1.42; wait reads condition from 1.30', async () => {
  calls.length = 0;
  await s.call('POST', '/v1.41/containers/c1/restart?signal=SIGINT');
  await s.call('POST', '/v1.42/containers/c1/restart?signal=SIGINT');
  await s.call('POST', '/v1.41/containers/c1/stop?signal=SIGINT');
  await s.call('POST', '/v1.42/containers/c1/stop?signal=SIGINT');
  await s.call('POST', '/v1.29/containers/c1/wait?condition=next-exit');
  await s.call('POST', '/v1.30/containers/c1/wait?condition=next-exit');
  assert.deepEqual(calls, [
    ['restart', 'c1', undefined, undefined],
    ['restart', 'c1', undefined, 'SIGINT'],
    ['stop', 'c1', { timeout: undefined, signal: undefined }],
    ['stop', 'c1', { timeout: undefined, signal: 'SIGINT' }],
    ['wait', ''],
    ['wait', 'next-exit'],
  ]);
});

test('inspect before 1.45: user-network Aliases also carry the short id and hostname (deduplicated)', () => {
  const id = 'abcdef0123456789'.repeat(4);
  const json = () => ({
    Id: id,
    Config: { Hostname: 'abcdef012345' },
    NetworkSettings: { Networks: { bridge: { Aliases: null }, app: { Aliases: ['w'] }, other: { Aliases: null } } },
  });
  const old = gateInspect(json(), '1.44') as ReturnType<typeof json>;
  assert.deepEqual(old.NetworkSettings.Networks.app.Aliases, ['w', 'abcdef012345']);
  assert.deepEqual(old.NetworkSettings.Networks.other.Aliases, ['abcdef012345']);
  assert.equal(old.NetworkSettings.Networks.bridge.Aliases, null);
  assert.deepEqual(gateInspect(json(), '1.45'), json());
});

test('exec create: ConsoleSize only from 1.42', async () => {
  execConfigs.length = 0;
  await s.call('POST', '/v1.41/containers/c1/exec', { Cmd: ['sh'], Tty: true, ConsoleSize: [10, 20] });
  await s.call('POST', '/v1.42/containers/c1/exec', { Cmd: ['sh'], Tty: true, ConsoleSize: [10, 20] });
  assert.deepEqual(
    execConfigs.map((c) => (c as { ConsoleSize?: unknown }).ConsoleSize),
    [null, [10, 20]],
  );
});

test('update: PidsLimit ignored before 1.40, KernelMemory from 1.42', () => {
  assert.deepEqual(gateUpdate({ PidsLimit: 5, KernelMemory: 1 }, '1.39'), { KernelMemory: 1 });
  assert.deepEqual(gateUpdate({ PidsLimit: 5, KernelMemory: 1 }, '1.41'), { PidsLimit: 5, KernelMemory: 1 });
  assert.deepEqual(gateUpdate({ PidsLimit: 5, KernelMemory: 1 }, '1.42'), { PidsLimit: 5 });
});

test('before 1.41 an unset CgroupnsMode is "host" on cgroup v1 (older clients expect it), left to the daemon on v2', async () => {
  cgroupV2 = false;
  try {
    assert.equal(host(await create('1.40', {}))?.CgroupnsMode, 'host');
    assert.equal(host(await create('1.40', { HostConfig: { CgroupnsMode: 'private' } }))?.CgroupnsMode, 'private');
    assert.equal(host(await create('1.41', { HostConfig: {} }))?.CgroupnsMode, undefined);
  } finally {
    cgroupV2 = true;
  }
  assert.equal(host(await create('1.40', {}))?.CgroupnsMode, undefined);
});

test('container-wide MacAddress: moved to the NetworkMode endpoint, a warning and cleared from 1.44; moby 400s', async () => {
  const mac = '02:42:ac:11:00:99';
  const eps = (r: { req?: CreateRequest }) =>
    (r.req?.networkingConfig as { EndpointsConfig?: Record<string, { MacAddress?: string }> } | undefined)
      ?.EndpointsConfig;
  const now = await s.call('POST', '/v1.44/containers/create', { Image: 'busybox', MacAddress: mac });
  assert.deepEqual((now.json as { Warnings: string[] }).Warnings, [
    'The container-wide MacAddress field is now deprecated. It should be specified in EndpointsConfig instead.',
  ]);
  const r44 = await create('1.44', { MacAddress: mac, HostConfig: { NetworkMode: 'app' } });
  assert.deepEqual(eps(r44), { app: { MacAddress: mac } });
  assert.equal(r44.req?.config.MacAddress, undefined);
  const r43 = await create('1.43', { MacAddress: mac });
  assert.deepEqual([eps(r43), r43.req?.config.MacAddress], [{ bridge: { MacAddress: mac } }, mac]);
  const dropped = await create('1.43', { NetworkingConfig: { EndpointsConfig: { app: { MacAddress: mac } } } });
  assert.deepEqual(eps(dropped), { app: { MacAddress: '' } }, 'before 1.44 an endpoint MAC alone was ignored');
  const bad: [string, object, string][] = [
    [
      '1.43',
      { MacAddress: mac, HostConfig: { NetworkMode: 'host' } },
      'conflicting options: mac-address and the network mode',
    ],
    [
      '1.44',
      { MacAddress: mac, NetworkingConfig: { EndpointsConfig: { bridge: { MacAddress: '02:42:ac:11:00:01' } } } },
      'the container-wide MAC address must match the endpoint-specific MAC address for the main network, or be left empty',
    ],
    [
      '1.44',
      { MacAddress: mac, HostConfig: { NetworkMode: 'app' }, NetworkingConfig: { EndpointsConfig: { other: {} } } },
      'HostConfig.NetworkMode must match the identity of a network in NetworkSettings.Networks',
    ],
  ];
  for (const [v, body, want] of bad) assert.deepEqual((await create(v, body)).message, want);
});

test('create: PidsLimit 0 or negative is stored as no limit (null), as moby', async () => {
  assert.equal(host(await create('1.47', { HostConfig: { PidsLimit: -1 } }))?.PidsLimit, null);
  assert.equal(host(await create('1.47', { HostConfig: { PidsLimit: 0 } }))?.PidsLimit, null);
  assert.equal(host(await create('1.47', { HostConfig: { PidsLimit: 20 } }))?.PidsLimit, 20);
});

test('ps: HostConfig.Annotations from 1.46 only', async () => {
  const ann = async (v: string) =>
    ((await s.call('GET', `/v${v}/containers/json?all=1`)).json as { HostConfig: { Annotations?: object } }[])[0]!
      .HostConfig.Annotations;
  assert.equal(await ann('1.45'), undefined);
  assert.deepEqual(await ann('1.46'), { 'io.x': 'y' });
});
