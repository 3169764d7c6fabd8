// generate: containers and a compose-like project → objects that Kubernetes' own schemas accept,
// each Docker feature in its Kubernetes field, and a warning for what has none.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Deployment, StatefulSet } from 'kubernetes-models/apps/v1';
import { ConfigMap, PersistentVolumeClaim, Pod, Secret, Service } from 'kubernetes-models/v1';
import type { ContainerInspect } from '../client/types.js';
import { generate } from './generate.js';
import { containerFromCreate, containerFromInspect, networksFromInspect } from './sources.js';
import type { SourceGroup } from './source.js';
import type { Container, Deployment as Dep, KubeObject, Pod as PodT, Service as Svc } from './types.js';

const MODELS: Record<string, new (o: never) => { validate(): void }> = {
  Pod,
  Deployment,
  StatefulSet,
  Service,
  PersistentVolumeClaim,
  Secret,
  ConfigMap,
};

/** Validates every object against the Kubernetes OpenAPI schema of its kind. */
export function validateAll(objects: KubeObject[]): void {
  for (const o of objects) {
    const M = MODELS[o.kind];
    assert.ok(M, `no model for ${o.kind}`);
    assert.doesNotThrow(() => new M(o as never).validate(), `${o.kind}/${o.metadata.name}`);
  }
}

const find = <K extends KubeObject['kind']>(objs: KubeObject[], kind: K, name: string) =>
  objs.find((o) => o.kind === kind && o.metadata.name === name) as Extract<KubeObject, { kind: K }>;

function inspect(over: Partial<ContainerInspect> = {}): ContainerInspect {
  return {
    Id: 'abcdef0123456789',
    Created: '',
    Path: 'httpd',
    Args: [],
    State: {} as ContainerInspect['State'],
    Image: 'sha256:x',
    Name: '/web_1',
    RestartCount: 0,
    Config: {
      Hostname: 'abcdef012345',
      Image: 'busybox',
      Env: ['PATH=/bin', 'GREETING=hi'],
      Cmd: ['httpd', '-f', '-p', '8080'],
      Entrypoint: null,
      WorkingDir: '/srv',
      User: '1000:100',
      ExposedPorts: { '8080/tcp': {}, '53/udp': {} },
      Labels: { tier: 'front', 'com.docker.compose.project': 'p', note: 'has spaces in it' },
      Healthcheck: { Test: ['CMD-SHELL', 'wget -q -O- localhost:8080'], Interval: 5e9, Retries: 3 },
      StopTimeout: 3,
    } as unknown as ContainerInspect['Config'],
    HostConfig: {
      Binds: ['data:/data', '/srv/shared:/shared:ro'],
      Tmpfs: { '/run': 'size=64m' },
      PortBindings: { '8080/tcp': [{ HostIp: '', HostPort: '18080' }] },
      RestartPolicy: { Name: 'on-failure', MaximumRetryCount: 2 },
      Memory: 64 * 2 ** 20,
      NanoCpus: 5e8,
      CapAdd: ['NET_ADMIN'],
      Dns: ['1.1.1.1'],
      NetworkMode: 'front',
    },
    NetworkSettings: { Networks: { front: { Aliases: ['web', 'abcdef012345'] } } },
    ...over,
  };
}

const image = { Env: ['PATH=/bin'], Cmd: ['sh'], Entrypoint: null, WorkingDir: '', User: '' };

function groupOf(c: ContainerInspect): SourceGroup {
  return {
    name: c.Name.slice(1),
    containers: [containerFromInspect(c, image)],
    replicas: 1,
    networks: networksFromInspect(c),
    dependsOn: [],
  };
}

test('a container → a Pod with each Docker feature in its field, schema-valid', () => {
  const { objects, warnings } = generate([groupOf(inspect())], { type: 'pod', service: false });
  validateAll(objects);
  const pod = find(objects, 'Pod', 'web-1') as PodT;
  const c = pod.spec.containers[0] as Container;
  assert.equal(c.image, 'busybox');
  assert.deepEqual(c.command, undefined);
  assert.deepEqual(c.args, ['httpd', '-f', '-p', '8080']);
  assert.deepEqual(c.env, [{ name: 'GREETING', value: 'hi' }]);
  assert.equal(c.workingDir, '/srv');
  assert.deepEqual(c.securityContext, { runAsUser: 1000, runAsGroup: 100, capabilities: { add: ['NET_ADMIN'] } });
  assert.deepEqual(c.ports, [
    { containerPort: 53, protocol: 'UDP' },
    { containerPort: 8080, protocol: 'TCP', hostPort: 18080 },
  ]);
  assert.deepEqual(c.resources, { limits: { memory: '64Mi', cpu: '500m' } });
  assert.deepEqual(c.livenessProbe, {
    exec: { command: ['/bin/sh', '-c', 'wget -q -O- localhost:8080'] },
    periodSeconds: 5,
    failureThreshold: 3,
  });
  assert.deepEqual(c.readinessProbe, c.livenessProbe);
  assert.equal(pod.spec.restartPolicy, 'OnFailure');
  assert.equal(pod.spec.terminationGracePeriodSeconds, 3);
  assert.equal(pod.metadata.labels?.tier, 'front');
  assert.equal(pod.metadata.labels?.['com.docker.compose.project'], undefined);
  assert.equal(pod.metadata.annotations?.note, 'has spaces in it');
  // volumes: named → claim, bind → hostPath, tmpfs → emptyDir Memory
  const vols = Object.fromEntries((pod.spec.volumes ?? []).map((v) => [v.name, v]));
  assert.deepEqual(vols.data.persistentVolumeClaim, { claimName: 'data' });
  assert.deepEqual(Object.values(vols).find((v) => v.hostPath)?.hostPath, { path: '/srv/shared' });
  assert.deepEqual(Object.values(vols).find((v) => v.emptyDir)?.emptyDir, { medium: 'Memory', sizeLimit: '64Mi' });
  assert.ok(c.volumeMounts?.some((m) => m.mountPath === '/shared' && m.readOnly));
  assert.equal(find(objects, 'PersistentVolumeClaim', 'data').spec.resources.requests.storage, '1Gi');
  // network alias → Services that keep the DNS names
  assert.ok(find(objects, 'Service', 'web-1'));
  assert.deepEqual((find(objects, 'Service', 'web') as Svc).spec.selector, { 'app.kubernetes.io/name': 'web-1' });
  for (const w of [/hostPath/, /Dns \["1\.1\.1\.1"\]/, /on-failure:2/, /requests 1Gi/])
    assert.ok(
      warnings.some((x) => w.test(x)),
      `warning ${w} in ${warnings.join('\n')}`,
    );
});

test('--service: published ports move to a LoadBalancer Service; unpublished ones are warned', () => {
  const { objects, warnings } = generate([groupOf(inspect())], { type: 'deployment', service: true });
  validateAll(objects);
  const svc = find(objects, 'Service', 'web-1') as Svc;
  assert.equal(svc.spec.type, 'LoadBalancer');
  assert.deepEqual(svc.spec.ports, [{ name: 'tcp-18080', port: 18080, targetPort: 8080, protocol: 'TCP' }]);
  const dep = find(objects, 'Deployment', 'web-1') as Dep;
  assert.equal(dep.spec.template.spec.containers[0].ports?.[1].hostPort, undefined);
  assert.ok(warnings.some((w) => /53\/udp is not published/.test(w)));
  assert.ok(warnings.some((w) => /Deployment always restarts/.test(w)));
});

test('statefulset: a headless Service named in serviceName', () => {
  const c = inspect({ NetworkSettings: {} });
  const { objects } = generate([groupOf(c)], { type: 'statefulset', service: false });
  validateAll(objects);
  const ss = objects.find((o) => o.kind === 'StatefulSet');
  assert.equal(ss?.kind === 'StatefulSet' && ss.spec.serviceName, 'web-1');
  assert.equal((find(objects, 'Service', 'web-1') as Svc).spec.clusterIP, 'None');
});

test('two containers make one pod; a user name and an unknown option are warned, not dropped', () => {
  const a = inspect({ Name: '/a' });
  const b = inspect({ Name: '/b', HostConfig: { NetworkMode: 'bridge', OomScoreAdj: 500 } });
  (b.Config as { User: string }).User = 'nobody';
  const g: SourceGroup = {
    name: 'pair',
    containers: [containerFromInspect(a), containerFromInspect(b)],
    replicas: 1,
    networks: [],
    dependsOn: [],
  };
  const { objects, warnings } = generate([g], { type: 'pod', service: false });
  validateAll(objects);
  const pod = find(objects, 'Pod', 'pair') as PodT;
  assert.deepEqual(
    pod.spec.containers.map((c) => c.name),
    ['a', 'b'],
  );
  assert.ok(warnings.some((w) => /b: user "nobody" is a name/.test(w)));
  assert.ok(warnings.some((w) => /b: OomScoreAdj 500/.test(w)));
});

test('compose services: replicas, env files as a Secret, depends_on as an init container, DNS per service', () => {
  const web = containerFromCreate(
    'web',
    {
      Image: 'p-web:dev',
      Env: ['GREETING=hello', 'DB_PASSWORD=s3cret'],
      ExposedPorts: { '8080/tcp': {} },
      Labels: { 'com.docker.compose.service': 'web' },
      HostConfig: { PortBindings: { '8080/tcp': [{ HostIp: '', HostPort: '18092' }] }, Binds: ['p_data:/data'] },
    },
    { DB_PASSWORD: 's3cret' },
  );
  const worker = containerFromCreate('worker', {
    Image: 'busybox',
    Cmd: ['sh', '-c', 'sleep 1000'],
    HostConfig: { Binds: ['p_data:/data'], RestartPolicy: { Name: 'always' } },
  });
  const front = [{ name: 'p_front', aliases: ['web'] }];
  const groups: SourceGroup[] = [
    { name: 'web', containers: [web], replicas: 1, networks: front, dependsOn: [] },
    {
      name: 'worker',
      containers: [worker],
      replicas: 3,
      networks: [{ name: 'p_front', aliases: [] }],
      dependsOn: ['web'],
    },
  ];
  const { objects } = generate(groups, { type: 'deployment', service: false });
  validateAll(objects);
  assert.equal(objects.filter((o) => o.kind === 'PersistentVolumeClaim').length, 1);
  const claim = find(objects, 'PersistentVolumeClaim', 'p-data');
  assert.equal(claim.metadata.annotations?.['io.berth.kube/volume-name'], 'p_data');
  const secret = find(objects, 'Secret', 'web-env');
  assert.deepEqual(secret.stringData, { DB_PASSWORD: 's3cret' });
  const dweb = find(objects, 'Deployment', 'web') as Dep;
  const cweb = dweb.spec.template.spec.containers[0];
  assert.deepEqual(cweb.env, [{ name: 'GREETING', value: 'hello' }]);
  assert.deepEqual(cweb.envFrom, [{ secretRef: { name: 'web-env' } }]);
  assert.equal(cweb.command, undefined);
  const dw = find(objects, 'Deployment', 'worker') as Dep;
  assert.equal(dw.spec.replicas, 3);
  assert.deepEqual(dw.spec.template.spec.initContainers?.[0].name, 'wait-for-web');
  assert.deepEqual(dw.spec.template.spec.containers[0].args, ['sh', '-c', 'sleep 1000']);
  assert.equal(dw.spec.template.spec.containers[0].command, undefined);
  const sw = find(objects, 'Service', 'worker') as Svc;
  assert.equal(sw.spec.clusterIP, 'None');
  assert.deepEqual((find(objects, 'Service', 'web') as Svc).spec.ports, [
    { name: 'tcp-8080', port: 8080, targetPort: 8080, protocol: 'TCP' },
  ]);
  // claims and secrets come before the workloads that use them
  const idx = (k: string) => objects.findIndex((o) => o.kind === k);
  assert.ok(idx('PersistentVolumeClaim') < idx('Deployment') && idx('Secret') < idx('Deployment'));
});

test('hostname: a chosen one is kept; the short id and the container name (kube play) are not', () => {
  const hostOf = (Hostname: string) => {
    const c = inspect();
    (c.Config as { Hostname: string }).Hostname = Hostname;
    const pod = generate([groupOf(c)], { type: 'pod', service: false }).objects.find((o) => o.kind === 'Pod') as PodT;
    return pod.spec.hostname;
  };
  assert.equal(hostOf('db-host'), 'db-host');
  assert.equal(hostOf('abcdef012345'), undefined);
  assert.equal(hostOf('web_1'), undefined);
});
