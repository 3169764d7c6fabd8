// daemon.json `log-opts` are the defaults of every container of the daemon's log driver, as in
// Docker: a container run without --log-opt rotates at the daemon's max-size/max-file, and inspect
// shows the merged LogConfig. Checked for json-file (the default driver) and local.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { daemonUnavailable, startDaemon } from '../../harness/daemon.js';

const skip = daemonUnavailable();

async function withConfig(
  cfg: object,
  body: (d: Awaited<ReturnType<typeof startDaemon>>) => Promise<void>,
): Promise<void> {
  const dir = mkdtempSync('/tmp/berth-cfg-');
  const file = path.join(dir, 'daemon.json');
  writeFileSync(file, JSON.stringify(cfg));
  const d = await startDaemon({ args: ['--config-file', file] });
  try {
    await body(d);
  } finally {
    const { leaks } = await d.stop({ assert: false });
    rmSync(dir, { recursive: true, force: true });
    assert.deepEqual(leaks, []);
  }
}

async function ok(d: Awaited<ReturnType<typeof startDaemon>>, args: string[]): Promise<string> {
  const r = await d.docker(args);
  assert.equal(r.code, 0, `docker ${args.join(' ')}: ${r.stderr}`);
  return r.stdout.trim();
}

test('json-file: daemon.json max-size/max-file rotate a container run without --log-opt', async (t) => {
  // Skips only where an integration test cannot run at all: daemonUnavailable() gives the reason
  // (not root, outside test/harness/run-isolated.sh's namespaces, berthd not built) or before()
  // already failed to start berthd, which fails the file on its own.
  if (skip) return t.skip(skip);
  await withConfig({ 'log-opts': { 'max-size': '1k', 'max-file': '2' } }, async (d) => {
    // ~9 KB of output: several rotations at 1 KiB
    await ok(d, ['run', '--name', 'jf', 'busybox', 'seq', '1', '2000']);
    assert.equal(
      await ok(d, ['inspect', '-f', '{{json .HostConfig.LogConfig}}', 'jf']),
      '{"Type":"json-file","Config":{"max-file":"2","max-size":"1k"}}',
    );
    const logPath = await ok(d, ['inspect', '-f', '{{.LogPath}}', 'jf']);
    assert.ok(existsSync(logPath) && existsSync(`${logPath}.1`), 'the log and one rotated file');
    assert.equal(existsSync(`${logPath}.2`), false, 'max-file 2 keeps two files');
    for (const f of [logPath, `${logPath}.1`]) assert.ok(statSync(f).size <= 1024, `${f}: ${statSync(f).size} B`);
    // what is kept is the newest output, contiguous
    const lines = (await ok(d, ['logs', 'jf'])).split('\n').map(Number);
    assert.equal(lines.at(-1), 2000);
    assert.ok(lines.length > 10 && lines.length < 2000, `${lines.length} lines kept`);
    assert.deepEqual(
      lines,
      Array.from({ length: lines.length }, (_, i) => 2001 - lines.length + i),
    );
    // a container's own option wins over the daemon's, the other is still filled in
    await ok(d, ['run', '--name', 'own', '--log-opt', 'max-size=2k', 'busybox', 'true']);
    assert.equal(
      await ok(d, ['inspect', '-f', '{{json .HostConfig.LogConfig.Config}}', 'own']),
      '{"max-file":"2","max-size":"2k"}',
    );
    // another driver does not take the json-file defaults (Docker merges only for the same type)
    await ok(d, ['run', '--name', 'loc', '--log-driver', 'local', 'busybox', 'true']);
    assert.equal(
      await ok(d, ['inspect', '-f', '{{json .HostConfig.LogConfig}}', 'loc']),
      '{"Type":"local","Config":{}}',
    );
  });
});

test('local: daemon.json log-driver local with max-size/max-file rotates', async (t) => {
  // Skips only where an integration test cannot run at all: daemonUnavailable() gives the reason
  // (not root, outside test/harness/run-isolated.sh's namespaces, berthd not built) or before()
  // already failed to start berthd, which fails the file on its own.
  if (skip) return t.skip(skip);
  await withConfig({ 'log-driver': 'local', 'log-opts': { 'max-size': '1k', 'max-file': '2' } }, async (d) => {
    await ok(d, ['run', '--name', 'lf', 'busybox', 'seq', '1', '2000']);
    assert.equal(
      await ok(d, ['inspect', '-f', '{{json .HostConfig.LogConfig}}', 'lf']),
      '{"Type":"local","Config":{"max-file":"2","max-size":"1k"}}',
    );
    const lines = (await ok(d, ['logs', 'lf'])).split('\n').map(Number);
    assert.equal(lines.at(-1), 2000);
    assert.ok(lines.length < 2000, `${lines.length} lines kept: rotated away the oldest`);
    assert.deepEqual(
      lines,
      Array.from({ length: lines.length }, (_, i) => 2001 - lines.length + i),
    );
  });
});

test('bad daemon.json log-opts stop berthd at start with a clear error', async (t) => {
  // Skips only where an integration test cannot run at all: daemonUnavailable() gives the reason
  // (not root, outside test/harness/run-isolated.sh's namespaces, berthd not built) or before()
  // already failed to start berthd, which fails the file on its own.
  if (skip) return t.skip(skip);
  const dir = mkdtempSync('/tmp/berth-cfg-');
  const file = path.join(dir, 'daemon.json');
  writeFileSync(file, JSON.stringify({ 'log-opts': { 'max-size': 'lots' } }));
  try {
    await assert.rejects(
      startDaemon({ args: ['--config-file', file], busybox: false, readyTimeoutMs: 10_000 }),
      /invalid size: 'lots'/,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
