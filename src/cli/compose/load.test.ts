import { it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadProject, ComposeError, mergeService } from './load.js';
import { containerPlan, configHash, L } from './convert.js';

let dir = '';
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'compose-load-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

function write(name: string, text: string): string {
  const p = join(dir, name);
  mkdirSync(join(p, '..'), { recursive: true });
  writeFileSync(p, text);
  return p;
}

it('loads, interpolates from .env, merges -f files and normalises short syntax', () => {
  const d = join(dir, 'App_One');
  write('App_One/.env', 'TAG=1.2\nPORT=8080\n');
  write('App_One/web.env', 'FROM_FILE=yes\nGREETING=file\n');
  write(
    'App_One/compose.yaml',
    `services:
  web:
    image: "web:\${TAG}"
    command: sh -c 'echo hi'
    env_file: web.env
    environment: [GREETING=hello, ONLY_BASE=1]
    ports: ["\${PORT:-80}:80"]
    volumes: [data:/data, ./html:/html:ro, /anon]
    depends_on: [db]
  db:
    image: busybox
    profiles: [debug]
volumes:
  data:
`,
  );
  write(
    'App_One/override.yaml',
    'services:\n  web:\n    environment:\n      GREETING: over\n    ports: ["9000:90"]\n    volumes: ["other:/data"]\nvolumes:\n  other: {}\n',
  );
  const p = loadProject({ cwd: d, files: ['compose.yaml', 'override.yaml'], env: {}, services: ['db'] });
  assert.equal(p.name, 'app_one');
  const web = p.services.find((s) => s.name === 'web')!;
  assert.equal(web.image, 'web:1.2');
  assert.deepEqual(web.command, ['sh', '-c', 'echo hi']);
  assert.deepEqual(web.environment, { FROM_FILE: 'yes', GREETING: 'over', ONLY_BASE: '1' });
  assert.deepEqual(web.ports, ['8080:80', '9000:90']);
  assert.deepEqual(
    web.volumes.map((v) => [v.type, v.source, v.target, v.readOnly]),
    [
      ['volume', 'other', '/data', false],
      ['bind', join(d, 'html'), '/html', true],
      ['volume', undefined, '/anon', false],
    ],
  );
  assert.deepEqual(web.depends_on, { db: { condition: 'service_started' } });
  assert.equal(p.networks.default.name, 'app_one_default');
  assert.equal(p.volumes.data.name, 'app_one_data');
});

it('profiles disable services unless activated', () => {
  write('prof/compose.yml', 'services:\n  a: {image: busybox}\n  b: {image: busybox, profiles: [debug]}\n');
  const off = loadProject({ cwd: join(dir, 'prof'), env: {} });
  assert.deepEqual(
    off.services.map((s) => s.name),
    ['a'],
  );
  assert.deepEqual(
    off.disabled.map((s) => s.name),
    ['b'],
  );
  const on = loadProject({ cwd: join(dir, 'prof'), env: { COMPOSE_PROFILES: 'debug' }, projectName: 'X!y' });
  assert.deepEqual(
    on.services.map((s) => s.name),
    ['a', 'b'],
  );
  assert.equal(on.name, 'xy');
});

it('extends merges a base service (same file and another file)', () => {
  write('ext/base.yml', 'services:\n  common:\n    image: busybox\n    environment: {A: "1", B: "1"}\n');
  write(
    'ext/compose.yml',
    'services:\n  base2:\n    extends: {file: base.yml, service: common}\n    labels: [x=1]\n  app:\n    extends: base2\n    environment: {B: "2"}\n',
  );
  const p = loadProject({ cwd: join(dir, 'ext'), env: {} });
  const app = p.services.find((s) => s.name === 'app')!;
  assert.equal(app.image, 'busybox');
  assert.deepEqual(app.environment, { A: '1', B: '2' });
  assert.deepEqual(app.labels, { x: '1' });
});

it('errors name the file, the service and the key', () => {
  const f = write('bad/compose.yml', 'services:\n  web:\n    image: busybox\n    imagee: typo\n');
  assert.throws(
    () => loadProject({ cwd: join(dir, 'bad'), env: {} }),
    (e: Error) =>
      e instanceof ComposeError &&
      e.message === `validating ${f}: services.web additional properties 'imagee' not allowed`,
  );
  const g = write('bad2/compose.yml', 'services:\n  web:\n    image: ${NEED:?please set NEED}\n');
  assert.throws(
    () => loadProject({ cwd: join(dir, 'bad2'), env: {} }),
    (e: Error) => e.message === `${g}: services.web.image: required variable NEED is missing a value: please set NEED`,
  );
  write('bad3/compose.yml', 'services:\n  web:\n    image: busybox\n    volumes: [nope:/x]\n');
  assert.throws(
    () => loadProject({ cwd: join(dir, 'bad3'), env: {} }),
    /services.web.volumes: service refers to undefined volume nope/,
  );
  write('bad4/compose.yml', 'services:\n  web:\n    image: [unclosed\n');
  assert.throws(() => loadProject({ cwd: join(dir, 'bad4'), env: {} }), /^ComposeError: yaml: .*bad4\/compose.yml/);
  assert.throws(
    () => loadProject({ cwd: join(dir, 'nothing-here'), files: ['x.yml'], env: {} }),
    /open .*x.yml: no such file or directory/,
  );
});

it('mergeService: maps merge, command replaces, ports append', () => {
  const m = mergeService(
    { command: ['a', 'b'], environment: { A: '1' }, ports: ['1:1'] },
    { command: ['c'], environment: { B: '2' }, ports: ['1:1', '2:2'] },
  );
  assert.deepEqual(m, { command: ['c'], environment: { A: '1', B: '2' }, ports: ['1:1', '2:2'] });
});

it('containerPlan carries compose labels, binds, network aliases and resources', () => {
  write(
    'plan/compose.yml',
    `services:
  web:
    image: busybox
    mem_limit: 64m
    cpus: 0.5
    restart: unless-stopped
    healthcheck: {test: "true", interval: 2s, retries: 3}
    volumes: [data:/data, ./h:/h:ro]
    networks:
      front: {aliases: [www]}
      back: {}
networks: {front: {}, back: {}}
volumes: {data: {}}
`,
  );
  const p = loadProject({ cwd: join(dir, 'plan'), env: {} });
  const s = p.services[0];
  const plan = containerPlan(p, s, 2);
  assert.equal(plan.name, 'plan-web-2');
  const b = plan.body;
  assert.equal(b.Labels?.[L.project], 'plan');
  assert.equal(b.Labels?.[L.service], 'web');
  assert.equal(b.Labels?.[L.number], '2');
  assert.equal(b.Labels?.[L.oneoff], 'False');
  assert.equal(b.Labels?.[L.hash], configHash(s));
  assert.deepEqual(b.HostConfig?.Binds, ['plan_data:/data', `${join(dir, 'plan', 'h')}:/h:ro`]);
  assert.equal(b.HostConfig?.Memory, 64 * 1024 * 1024);
  assert.equal(b.HostConfig?.NanoCpus, 5e8);
  assert.deepEqual(b.HostConfig?.RestartPolicy, { Name: 'unless-stopped', MaximumRetryCount: 0 });
  assert.deepEqual(b.Healthcheck, { Test: ['CMD-SHELL', 'true'], Interval: 2e9, Retries: 3 });
  assert.equal(b.HostConfig?.NetworkMode, 'plan_front');
  assert.deepEqual(b.NetworkingConfig, { EndpointsConfig: { plan_front: { Aliases: ['web', 'www'] } } });
  assert.deepEqual(plan.extraNetworks, [{ name: 'plan_back', aliases: ['web'], ipv4: undefined }]);
  // scale does not change the hash; a config change does
  assert.equal(configHash({ ...s, replicas: 5 }), configHash(s));
  assert.notEqual(configHash({ ...s, environment: { X: '1' } }), configHash(s));
});
