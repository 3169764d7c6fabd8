import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { SysInfoSummary } from '../runtime/sysinfo.js';
import { engineId, InfoService, parseOsRelease, type HostProbe, type InfoConfig } from './info.js';

const cg: SysInfoSummary = {
  MemoryLimit: true,
  SwapLimit: false,
  KernelMemory: false,
  KernelMemoryTCP: false,
  CpuCfsPeriod: true,
  CpuCfsQuota: true,
  CPUShares: true,
  CPUSet: true,
  PidsLimit: true,
  OomKillDisable: false,
  CgroupVersion: '2',
  Warnings: ['WARNING: No swap limit support'],
};
const host = (over: Partial<HostProbe> = {}): HostProbe => ({
  cgroups: async () => cg,
  ipv4Forwarding: async () => true,
  openFds: () => 17,
  osRelease: () => ({ PRETTY_NAME: 'Debian GNU/Linux 12 (bookworm)', VERSION_ID: '12' }),
  kernelVersion: '6.1.0-test',
  arch: 'x86_64',
  ncpu: 2,
  memTotal: 4 << 30,
  hostname: () => 'box',
  env: { HTTP_PROXY: 'http://proxy:3128' },
  ...over,
});

function setup(over: Partial<HostProbe> = {}) {
  const dataRoot = mkdtempSync(join(tmpdir(), 'berth-info-'));
  const config: InfoConfig = {
    version: '0.1.0',
    dataRoot,
    debug: false,
    logDriver: 'json-file',
    defaultRuntime: 'runc',
    runtimes: { runc: '/usr/bin/runc' },
  };
  const svc = new InfoService({
    containers: () => ({ total: 3, running: 1, paused: 1, stopped: 1 }),
    imageCount: async () => 5,
    config,
    host: host(over),
    now: () => new Date('2024-05-01T10:00:00Z'),
  });
  return { svc, dataRoot, config, done: () => rmSync(dataRoot, { recursive: true, force: true }) };
}

test('info gathers counts, host facts and the configuration', async () => {
  const s = setup();
  try {
    const i = await s.svc.info();
    assert.deepEqual(i.containers, { total: 3, running: 1, paused: 1, stopped: 1 });
    assert.equal(i.images, 5);
    assert.equal(i.cgroups, cg);
    assert.equal(i.ipv4Forwarding, true);
    assert.equal(i.openFds, 17);
    assert.equal(i.systemTime, '2024-05-01T10:00:00.000Z');
    assert.equal(i.operatingSystem, 'Debian GNU/Linux 12 (bookworm)');
    assert.equal(i.osVersion, '12');
    assert.equal(i.name, 'box');
    assert.deepEqual(i.proxies, { http: 'http://proxy:3128', https: '', no: '' });
    assert.equal(i.config, s.config);
  } finally {
    s.done();
  }
});

test('without /etc/os-release the OS is "Linux" and its version empty', async () => {
  const s = setup({ osRelease: () => ({}) });
  try {
    const i = await s.svc.info();
    assert.equal(i.operatingSystem, 'Linux');
    assert.equal(i.osVersion, '');
  } finally {
    s.done();
  }
});

test('the engine id is made once and kept in the data root', async () => {
  const s = setup();
  try {
    const a = (await s.svc.info()).id;
    assert.match(a, /^[0-9a-f-]{36}$/);
    assert.equal(readFileSync(join(s.dataRoot, 'engine-id'), 'utf8'), a);
    assert.equal((await s.svc.info()).id, a);
    assert.equal(engineId(s.dataRoot), a);
  } finally {
    s.done();
  }
});

test('an engine id that cannot be written is still answered (a full disk must not fail /info)', () => {
  const id = engineId('/nonexistent/berth-data-root');
  assert.match(id, /^[0-9a-f-]{36}$/);
});

test('parseOsRelease drops quotes and ignores lines without =', () => {
  assert.deepEqual(parseOsRelease('NAME="Debian GNU/Linux"\nVERSION_ID="12"\n# comment\nID=debian\n\n'), {
    NAME: 'Debian GNU/Linux',
    VERSION_ID: '12',
    ID: 'debian',
  });
  assert.deepEqual(parseOsRelease('URL="https://x/?a=b"'), { URL: 'https://x/?a=b' });
});
