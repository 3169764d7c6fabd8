// A real compose project through compose's loader and converter into kube generate: every object
// valid for Kubernetes' schemas, each compose feature in its field, unconverted keys warned about.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { Deployment } from 'kubernetes-models/apps/v1';
import { PersistentVolumeClaim, Secret, Service } from 'kubernetes-models/v1';
import type { Client } from '../client/client.js';
import { generate } from '../kube/generate.js';
import type { KubeObject } from '../kube/types.js';
import { composeGroups } from './kube-compose.js';

const offline = {
  imageInspect: async () => {
    throw new Error('no daemon');
  },
} as unknown as Client;

const MODELS: Record<string, new (o: never) => { validate(): void }> = {
  Deployment,
  Service,
  PersistentVolumeClaim,
  Secret,
};

test('compose project → Deployments, Services, claim, Secret; schema-valid; unconverted keys warned', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kube-compose-'));
  try {
    writeFileSync(join(dir, 'db.env'), 'DB_PASSWORD=pw\n');
    writeFileSync(
      join(dir, 'compose.yaml'),
      `name: shop
services:
  api:
    image: shop/api:1
    entrypoint: [/api]
    command: [--port, "9000"]
    user: "1000"
    working_dir: /app
    ports: ["19000:9000"]
    env_file: db.env
    environment: {LOG: debug}
    cpus: 1.5
    mem_limit: 128m
    restart: always
    healthcheck: {test: [CMD, /api, --check], interval: 10s, timeout: 2s, retries: 5, start_period: 5s}
    labels: {team: shop}
    depends_on: {db: {condition: service_healthy}}
    tmpfs: [/cache]
    volumes: [files:/files]
    networks: {back: {aliases: [shop-api]}}
  db:
    image: busybox
    command: sleep 1000
    deploy: {replicas: 2, placement: {constraints: [node.role==manager]}}
    secrets: [pw]
    volumes: [files:/files:ro]
    networks: [back]
networks: {back: {internal: true}}
volumes: {files: {driver_opts: {type: nfs}}}
secrets: {pw: {file: ./db.env}}
`,
    );
    const warnings: string[] = [];
    const groups = await composeGroups(offline, [join(dir, 'compose.yaml')], '', (m) => warnings.push(m));
    assert.deepEqual(
      groups.map((g) => [g.name, g.replicas, g.dependsOn]),
      [
        ['db', 2, []],
        ['api', 1, ['db']],
      ],
    );
    const { objects, warnings: more } = generate(groups, { type: 'deployment', service: false });
    for (const o of objects) new MODELS[o.kind]!(o as never).validate();
    const get = (k: string, n: string) => objects.find((o) => o.kind === k && o.metadata.name === n) as KubeObject;
    const api = get('Deployment', 'api');
    assert.ok(api.kind === 'Deployment');
    const c = api.spec.template.spec.containers[0];
    assert.deepEqual([c.command, c.args, c.workingDir], [['/api'], ['--port', '9000'], '/app']);
    assert.deepEqual(c.env, [{ name: 'LOG', value: 'debug' }]);
    assert.deepEqual(c.envFrom, [{ secretRef: { name: 'api-env' } }]);
    assert.deepEqual(c.securityContext, { runAsUser: 1000 });
    assert.deepEqual(c.resources, { limits: { memory: '128Mi', cpu: '1500m' } });
    assert.deepEqual(c.livenessProbe, {
      exec: { command: ['/api', '--check'] },
      periodSeconds: 10,
      timeoutSeconds: 2,
      initialDelaySeconds: 5,
      failureThreshold: 5,
    });
    assert.deepEqual(c.ports, [{ containerPort: 9000, protocol: 'TCP', hostPort: 19000 }]);
    assert.equal(api.metadata.labels?.team, 'shop');
    assert.equal(api.spec.template.spec.initContainers?.[0].name, 'wait-for-db');
    assert.deepEqual(
      api.spec.template.spec.volumes?.map((v) => v.persistentVolumeClaim?.claimName ?? v.emptyDir?.medium),
      ['shop-files', 'Memory'],
    );
    const secret = get('Secret', 'api-env');
    assert.ok(secret.kind === 'Secret');
    assert.deepEqual(secret.stringData, { DB_PASSWORD: 'pw' });
    assert.ok(get('Service', 'shop-api'), 'the network alias resolves as a Service');
    const db = get('Deployment', 'db');
    assert.ok(db.kind === 'Deployment' && db.spec.replicas === 2);
    const all = [...warnings, ...more];
    for (const w of [
      /db: compose key "secrets" is not converted/,
      /db: deploy\.placement is not converted/,
      /network back: internal has no equivalent/,
      /volume files: driver_opts are not converted/,
    ])
      assert.ok(
        all.some((x) => w.test(x)),
        `${w} in ${all.join('\n')}`,
      );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
