// A berthd started with dockerd's --default-ipc-mode shareable --default-cgroupns-mode private:
// containers that name no mode get them (and run), version-gated answers as moby gives them to
// older clients, and docker create --platform for a platform the local image lacks.
import assert from 'node:assert/strict';
import http from 'node:http';
import { test } from 'node:test';
import { daemonPerFile, getUnix } from '../../harness/daemon.js';

const h = daemonPerFile({ args: ['--default-ipc-mode', 'shareable', '--default-cgroupns-mode', 'private'] });
const skip = h.skip ?? false;

function post(path: string, body: object): Promise<{ status: number; json: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { socketPath: h.d.socket, method: 'POST', path, headers: { 'Content-Type': 'application/json' } },
      (res) => {
        let s = '';
        res.on('data', (c: Buffer) => (s += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, json: s ? JSON.parse(s) : {} }));
      },
    );
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

test("a container naming no mode gets the daemon's defaults, and runs with them", { skip }, async () => {
  const c = await h.d.docker(['create', '--name', 'dflt', 'busybox', 'true']);
  assert.equal(c.code, 0, c.stderr);
  const modes = await h.d.docker(['inspect', '-f', '{{.HostConfig.IpcMode}} {{.HostConfig.CgroupnsMode}}', 'dflt']);
  assert.equal(modes.stdout.trim(), 'shareable private');
  const own = await h.d.docker(['create', '--ipc', 'private', '--cgroupns', 'host', 'busybox', 'true']);
  const ownModes = await h.d.docker([
    'inspect',
    '-f',
    '{{.HostConfig.IpcMode}} {{.HostConfig.CgroupnsMode}}',
    own.stdout.trim(),
  ]);
  assert.equal(ownModes.stdout.trim(), 'private host');
  const run = await h.d.docker(['start', '-a', 'dflt']);
  assert.equal(run.code, 0, run.stderr);
});

test('moby version gates seen by raw clients: several endpoints before 1.44, inspect Aliases before 1.45', {
  skip,
}, async () => {
  const two = await post('/v1.43/containers/create', {
    Image: 'busybox',
    NetworkingConfig: { EndpointsConfig: { a: {}, b: {} } },
  });
  assert.deepEqual(
    [two.status, two.json.message],
    [400, 'Container cannot be created with multiple network endpoints: a, b'],
  );
  assert.equal((await h.d.docker(['network', 'create', 'gnet'])).code, 0);
  const c = await h.d.docker([
    'create',
    '--network',
    'gnet',
    '--network-alias',
    'web',
    '--hostname',
    'hn',
    'busybox',
    'true',
  ]);
  assert.equal(c.code, 0, c.stderr);
  const id = c.stdout.trim();
  const aliases = async (v: string) => {
    const r = await getUnix(h.d.socket, `/v${v}/containers/${id}/json`);
    return (JSON.parse(r.body) as { NetworkSettings: { Networks: Record<string, { Aliases: string[] | null }> } })
      .NetworkSettings.Networks.gnet!.Aliases;
  };
  assert.deepEqual(await aliases('1.47'), ['web']);
  assert.deepEqual(await aliases('1.44'), ['web', id.slice(0, 12), 'hn']);
});

test("create --platform for a platform the local image lacks: Docker 28's text (no pull)", { skip }, async () => {
  const other = process.arch === 'arm64' ? 'linux/amd64' : 'linux/arm64';
  const r = await h.d.docker(['create', '--platform', other, '--pull', 'never', 'busybox']);
  assert.equal(r.code, 1);
  assert.match(
    r.stderr,
    new RegExp(
      `image with reference busybox was found but its platform \\(linux/\\w+\\) does not match the specified platform \\(${other}\\)`,
    ),
  );
});

test('absent means absent: a raw create without Dns or a healthcheck StartPeriod inspects as moby', {
  skip,
}, async () => {
  const c = await post('/v1.47/containers/create', {
    Image: 'busybox',
    Healthcheck: { Test: ['CMD', 'true'], Interval: 1e9 },
  });
  assert.equal(c.status, 201, JSON.stringify(c.json));
  const r = await getUnix(h.d.socket, `/v1.47/containers/${String(c.json.Id)}/json`);
  const j = JSON.parse(r.body) as {
    HostConfig: Record<string, unknown>;
    Config: { Healthcheck: Record<string, unknown> };
  };
  assert.deepEqual([j.HostConfig.Dns, j.HostConfig.DnsOptions, j.HostConfig.DnsSearch], [null, null, null]);
  assert.deepEqual(j.Config.Healthcheck, { Test: ['CMD', 'true'], Interval: 1e9 });
  const cli = await h.d.docker(['create', 'busybox', 'true']);
  const dns = await h.d.docker(['inspect', '-f', '{{json .HostConfig.Dns}}', cli.stdout.trim()]);
  assert.equal(dns.stdout.trim(), '[]', 'the docker CLI sends an empty list, and sees it back');
});
