import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ZERO_TIME } from '../../util/time.js';
import { emptyDockerStats, toDockerStats, type DockerStats } from './stats.js';
import type { CgroupStats } from '../../runtime/cgroups.js';

const MiB = 2 ** 20;
const v1prev: CgroupStats = {
  version: 1,
  memory: {
    usage: 100 * MiB,
    maxUsage: 120 * MiB,
    failcnt: 0,
    limit: null,
    stats: { cache: 30 * MiB, total_inactive_file: 20 * MiB },
  },
  cpu: {
    total: 1e9,
    percpu: [6e8, 4e8],
    user: 7e8,
    system: 3e8,
    throttling: { periods: 0, throttledPeriods: 0, throttledTime: 0 },
  },
  systemUsage: 100e9,
  onlineCpus: 2,
  pids: { current: 3, limit: null },
  blkio: {
    ioServiceBytes: [
      { major: 8, minor: 0, op: 'Read', value: 2e6 },
      { major: 8, minor: 0, op: 'Write', value: 1e6 },
    ],
    ioServiced: [],
  },
};
const v1cur: CgroupStats = { ...v1prev, cpu: { ...v1prev.cpu, total: 1.5e9 }, systemUsage: 102e9 };
const meta = {
  id: 'a'.repeat(64),
  name: 'web',
  read: new Date('2024-05-01T10:00:01.000Z'),
  preread: new Date('2024-05-01T10:00:00.000Z'),
  numCpus: 2,
  memTotal: 1024 * MiB,
};

// The docker CLI's own formulas (cli/command/container/stats_helpers.go).
function cliCpuPercent(s: DockerStats): number {
  const cpuDelta = s.cpu_stats.cpu_usage.total_usage - s.precpu_stats.cpu_usage.total_usage;
  const sysDelta = (s.cpu_stats.system_cpu_usage ?? 0) - (s.precpu_stats.system_cpu_usage ?? 0);
  const cpus = s.cpu_stats.online_cpus || s.cpu_stats.cpu_usage.percpu_usage?.length || 0;
  return sysDelta > 0 && cpuDelta > 0 ? (cpuDelta / sysDelta) * cpus * 100 : 0;
}
function cliMemUsage(s: DockerStats): number {
  const m = s.memory_stats,
    st = m.stats ?? {};
  if ('total_inactive_file' in st && st.total_inactive_file < (m.usage ?? 0))
    return (m.usage ?? 0) - st.total_inactive_file;
  if ((st.inactive_file ?? 0) < (m.usage ?? 0)) return (m.usage ?? 0) - (st.inactive_file ?? 0);
  return m.usage ?? 0;
}

test('v1: Docker shape, CPU % and memory as the CLI computes them', () => {
  const s = toDockerStats(v1cur, v1prev, meta);
  const order = `read preread pids_stats blkio_stats num_procs storage_stats
    cpu_stats precpu_stats memory_stats name id`; // Docker's field order
  assert.deepEqual(Object.keys(s), order.split(/\s+/));
  assert.equal(s.read, '2024-05-01T10:00:01.000Z');
  assert.equal(s.preread, '2024-05-01T10:00:00.000Z');
  assert.equal(s.name, '/web');
  assert.deepEqual(s.pids_stats, { current: 3 });
  assert.deepEqual(s.cpu_stats, {
    cpu_usage: { total_usage: 1.5e9, usage_in_kernelmode: 3e8, usage_in_usermode: 7e8, percpu_usage: [6e8, 4e8] },
    throttling_data: { periods: 0, throttled_periods: 0, throttled_time: 0 },
    system_cpu_usage: 102e9,
    online_cpus: 2,
  });
  assert.equal(cliCpuPercent(s), 50);
  assert.deepEqual(s.memory_stats, {
    usage: 100 * MiB,
    max_usage: 120 * MiB,
    stats: v1cur.memory.stats,
    limit: 1024 * MiB,
  });
  assert.equal(cliMemUsage(s), 80 * MiB);
  assert.deepEqual(s.blkio_stats.io_service_bytes_recursive, v1cur.blkio.ioServiceBytes);
  assert.deepEqual(s.blkio_stats.sectors_recursive, []);
});

test('first sample: zero precpu and Go zero preread', () => {
  const s = toDockerStats(v1cur, null, meta);
  assert.equal(s.preread, ZERO_TIME);
  assert.deepEqual(s.precpu_stats, {
    cpu_usage: { total_usage: 0, usage_in_kernelmode: 0, usage_in_usermode: 0 },
    throttling_data: { periods: 0, throttled_periods: 0, throttled_time: 0 },
  });
});

test('v2: limit, inactive_file, no percpu, blkio only bytes; networks', () => {
  const cur: CgroupStats = {
    version: 2,
    memory: { usage: 50 * MiB, limit: 64 * MiB, stats: { inactive_file: 10 * MiB, anon: 30 * MiB } },
    cpu: {
      total: 2e9,
      percpu: [],
      user: 1e9,
      system: 1e9,
      throttling: { periods: 5, throttledPeriods: 1, throttledTime: 7000 },
    },
    systemUsage: 200e9,
    onlineCpus: 4,
    pids: { current: 2, limit: 100 },
    blkio: { ioServiceBytes: [{ major: 8, minor: 0, op: 'read', value: 4096 }], ioServiced: [] },
  };
  const net = {
    eth0: {
      rx_bytes: 1,
      rx_packets: 2,
      rx_errors: 0,
      rx_dropped: 0,
      tx_bytes: 3,
      tx_packets: 4,
      tx_errors: 0,
      tx_dropped: 0,
    },
  };
  const s = toDockerStats(
    cur,
    { ...cur, cpu: { ...cur.cpu, total: 1e9 }, systemUsage: 196e9 },
    { ...meta, numCpus: 4, networks: net },
  );
  assert.deepEqual(s.memory_stats, { usage: 50 * MiB, stats: cur.memory.stats, limit: 64 * MiB });
  assert.equal(cliMemUsage(s), 40 * MiB);
  assert.equal(s.cpu_stats.cpu_usage.percpu_usage, undefined);
  assert.equal(cliCpuPercent(s), 100);
  assert.deepEqual(s.pids_stats, { current: 2, limit: 100 });
  assert.equal(s.blkio_stats.io_serviced_recursive, null);
  assert.equal(s.cpu_stats.throttling_data.throttled_time, 7000);
  assert.deepEqual(s.networks, net);
});

test('a v1 limit above host memory is reported as host memory', () => {
  const s = toDockerStats({ ...v1cur, memory: { ...v1cur.memory, limit: 4096 * MiB } }, null, meta);
  assert.equal(s.memory_stats.limit, 1024 * MiB);
  assert.equal(emptyDockerStats({ id: 'x', name: '/y' }).name, '/y');
});

test('the real docker CLI prints it right', { skip: !existsSync('/usr/local/bin/docker') }, async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'berth-stats-'));
  const sock = path.join(dir, 'd.sock');
  const srv = http.createServer((req, res) => {
    res.setHeader('Api-Version', '1.47');
    res.setHeader('Content-Type', 'application/json');
    if (req.url?.endsWith('/_ping')) return res.end('OK');
    if (req.url?.includes('/containers/web/stats')) return res.end(JSON.stringify(toDockerStats(v1cur, v1prev, meta)));
    res.statusCode = 404;
    res.end('{"message":"not found"}');
  });
  await new Promise<void>((r) => srv.listen(sock, r));
  try {
    const out = await new Promise<string>((resolve, reject) =>
      execFile(
        '/usr/local/bin/docker',
        ['stats', '--no-stream', '--format', '{{.CPUPerc}}|{{.MemUsage}}|{{.PIDs}}|{{.BlockIO}}', 'web'],
        { env: { ...process.env, DOCKER_HOST: `unix://${sock}`, HOME: dir }, timeout: 10000 },
        (err, stdout, stderr) => (err ? reject(new Error(stderr || err.message)) : resolve(stdout)),
      ),
    );
    assert.equal(out.trim(), '50.00%|80MiB / 1GiB|3|2MB / 1MB');
  } finally {
    srv.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
