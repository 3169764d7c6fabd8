import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { SystemInfo } from '../../engine/info.js';
import { infoForVersion, infoJson, versionJson } from './info.js';

const LIMITS = [
  'MemoryLimit',
  'SwapLimit',
  'KernelMemory',
  'KernelMemoryTCP',
  'CpuCfsPeriod',
  'CpuCfsQuota',
  'CPUShares',
  'CPUSet',
  'PidsLimit',
  'OomKillDisable',
];

const info = (warnings: string[]): SystemInfo => ({
  id: 'e1d2',
  containers: { total: 4, running: 2, paused: 1, stopped: 1 },
  images: 7,
  // every limit the host supports, on cgroup v2
  cgroups: {
    ...Object.fromEntries(LIMITS.map((k) => [k, true])),
    CgroupVersion: '2',
    Warnings: warnings,
  } as SystemInfo['cgroups'],
  ipv4Forwarding: false,
  openFds: 12,
  systemTime: '2024-05-01T10:00:00.000Z',
  kernelVersion: '6.1.0',
  operatingSystem: 'Debian GNU/Linux 12 (bookworm)',
  osVersion: '12',
  architecture: 'x86_64',
  ncpu: 2,
  memTotal: 1024,
  name: 'box',
  proxies: { http: '', https: 'https://p', no: 'localhost' },
  config: {
    version: '0.1.0',
    dataRoot: '/var/lib/berth',
    debug: true,
    logDriver: 'local',
    defaultRuntime: 'runc',
    runtimes: { runc: '/usr/bin/runc', crun: '/usr/bin/crun' },
  },
});

test('infoJson: moby field names and values, runtimes as {path}, the fixed answers of a berthd', () => {
  const j = infoJson(info([]));
  assert.equal(j.ID, 'e1d2');
  assert.deepEqual(
    [j.Containers, j.ContainersRunning, j.ContainersPaused, j.ContainersStopped, j.Images],
    [4, 2, 1, 1, 7],
  );
  assert.equal(j.Driver, 'overlay2');
  assert.equal(j.CgroupVersion, '2');
  assert.equal(j.CgroupDriver, 'cgroupfs');
  assert.equal(j.Debug, true);
  assert.equal(j.LoggingDriver, 'local');
  assert.equal(j.NFd, 12);
  assert.equal(j.DockerRootDir, '/var/lib/berth');
  assert.equal(j.ServerVersion, '0.1.0');
  assert.deepEqual(j.Runtimes, { runc: { path: '/usr/bin/runc' }, crun: { path: '/usr/bin/crun' } });
  assert.deepEqual([j.HttpProxy, j.HttpsProxy, j.NoProxy], ['', 'https://p', 'localhost']);
  assert.equal((j.Swarm as { LocalNodeState: string }).LocalNodeState, 'inactive');
  assert.equal(j.Warnings, null, 'no warnings is null, as moby sends it');
});

test('infoJson: the host cgroup warnings are passed on', () => {
  assert.deepEqual(infoJson(info(['WARNING: No swap limit support'])).Warnings, ['WARNING: No swap limit support']);
});

test('infoJson keeps every key the docker CLI and SDKs read', () => {
  const keys = Object.keys(infoJson(info([])));
  for (const k of [
    'ID',
    'Containers',
    'Images',
    'Driver',
    'DriverStatus',
    'Plugins',
    'MemoryLimit',
    'SwapLimit',
    'KernelMemory',
    'CpuCfsPeriod',
    'CpuCfsQuota',
    'CPUShares',
    'CPUSet',
    'PidsLimit',
    'IPv4Forwarding',
    'BridgeNfIptables',
    'Debug',
    'NFd',
    'OomKillDisable',
    'NGoroutines',
    'SystemTime',
    'LoggingDriver',
    'CgroupDriver',
    'CgroupVersion',
    'NEventsListener',
    'KernelVersion',
    'OperatingSystem',
    'OSVersion',
    'OSType',
    'Architecture',
    'IndexServerAddress',
    'RegistryConfig',
    'NCPU',
    'MemTotal',
    'GenericResources',
    'DockerRootDir',
    'HttpProxy',
    'HttpsProxy',
    'NoProxy',
    'Name',
    'Labels',
    'ExperimentalBuild',
    'ServerVersion',
    'Runtimes',
    'DefaultRuntime',
    'Swarm',
    'LiveRestoreEnabled',
    'Isolation',
    'InitBinary',
    'ContainerdCommit',
    'RuncCommit',
    'InitCommit',
    'SecurityOptions',
    'CDISpecDirs',
    'Warnings',
  ])
    assert.ok(keys.includes(k), k);
  assert.equal(keys.length, 60);
});

test('experimental: /info ExperimentalBuild and /version Experimental follow berthd --experimental (off by default)', () => {
  const off = info([]);
  assert.equal(infoJson(off).ExperimentalBuild, false);
  const on = info([]);
  on.config = { ...on.config, experimental: true };
  assert.equal(infoJson(on).ExperimentalBuild, true);
  const v = { version: '1', apiVersion: '1.47', minApiVersion: '1.24' };
  const engine = (j: ReturnType<typeof versionJson>) => j.Components?.[0]?.Details?.Experimental;
  // moby's Version.Experimental is omitempty: absent when off
  assert.equal('Experimental' in versionJson(v, []), false);
  assert.equal(engine(versionJson(v, [])), 'false');
  assert.equal(versionJson({ ...v, experimental: true }, []).Experimental, true);
  assert.equal(engine(versionJson({ ...v, experimental: true }, [])), 'true');
});

test('SecurityOptions lists cgroupns when the kernel has it and containers get a private one by default (moby)', () => {
  const opts = (version: '1' | '2', ns: boolean, dflt?: string) => {
    const i = info([]);
    i.cgroups = { ...i.cgroups, CgroupVersion: version, CgroupNamespaces: ns };
    i.config = { ...i.config, defaultCgroupnsMode: dflt };
    return infoJson(i).SecurityOptions;
  };
  const both = ['name=seccomp,profile=builtin', 'name=cgroupns'];
  assert.deepEqual(opts('2', true), both, 'v2: private by default');
  assert.deepEqual(opts('1', true), ['name=seccomp,profile=builtin'], 'v1: host by default');
  assert.deepEqual(opts('1', true, 'private'), both, 'default-cgroupns-mode private');
  assert.deepEqual(opts('2', true, 'host'), ['name=seccomp,profile=builtin']);
  assert.deepEqual(opts('2', false), ['name=seccomp,profile=builtin'], 'no kernel support');
});

test("infoForVersion: moby's /info gates (bare security option names <1.25, KernelMemory false from 1.42, no nondistributable fields from 1.47)", () => {
  const j = () => infoJson(info([]));
  const old = infoForVersion(j(), '1.24');
  assert.deepEqual(old.SecurityOptions, ['seccomp']);
  assert.equal(old.KernelMemory, true);
  const mid = infoForVersion(j(), '1.46');
  assert.equal(mid.KernelMemory, false);
  assert.ok('AllowNondistributableArtifactsCIDRs' in (mid.RegistryConfig as object));
  assert.equal('AllowNondistributableArtifactsCIDRs' in (infoForVersion(j(), '1.47').RegistryConfig as object), false);
});
