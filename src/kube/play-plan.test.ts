// kube play's plan: unknown kinds and fields refused by name before anything exists; Services as
// DNS aliases and published ports; ConfigMaps/Secrets as env and files; generate → play round trip.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { generate } from './generate.js';
import { playObjects } from './play-objects.js';
import { planPlay } from './play-plan.js';
import { containerFromCreate } from './sources.js';
import { parseYamlDocs, toYaml } from './yaml-docs.js';

const plan = (yaml: string) => planPlay(playObjects(parseYamlDocs(yaml, 'f.yaml'), 'f.yaml'), 'demo');

const APP = `
apiVersion: v1
kind: ConfigMap
metadata: {name: cfg}
data: {MODE: fast, app.conf: "listen 80\\n"}
---
apiVersion: v1
kind: Secret
metadata: {name: sec}
data: {PASSWORD: czNjcmV0}
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: db-data, annotations: {io.berth.kube/volume-name: proj_data}}
spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  type: LoadBalancer
  selector: {app: web}
  ports: [{port: 18080, targetPort: http}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web, tier: front}}
    spec:
      volumes:
        - {name: conf, configMap: {name: cfg, items: [{key: app.conf, path: conf.d/app.conf}]}}
        - {name: data, persistentVolumeClaim: {claimName: db-data}}
        - {name: scratch, emptyDir: {}}
        - {name: run, emptyDir: {medium: Memory, sizeLimit: 1Mi}}
      containers:
        - name: web
          image: busybox
          command: [httpd]
          args: [-f, -p, "8080"]
          ports: [{containerPort: 8080, name: http}]
          env:
            - {name: PASSWORD, valueFrom: {secretKeyRef: {name: sec, key: PASSWORD}}}
          envFrom: [{configMapRef: {name: cfg}, prefix: CFG_}]
          resources: {limits: {memory: 64Mi, cpu: 500m}}
          securityContext: {runAsUser: 1000, runAsGroup: 100}
          volumeMounts:
            - {name: conf, mountPath: /etc/app}
            - {name: data, mountPath: /data, readOnly: true}
            - {name: scratch, mountPath: /scratch}
            - {name: run, mountPath: /run}
        - name: side
          image: busybox
          command: [sleep, "1000"]
          volumeMounts: [{name: scratch, mountPath: /scratch}]
`;

test('a Deployment: replicas as pods, Service as alias and port, ConfigMap/Secret as env and files', () => {
  const p = plan(APP);
  assert.equal(p.network, 'kube-demo');
  assert.deepEqual(
    p.pods.map((x) => x.containers.map((c) => c.name)),
    [
      ['web-1-web', 'web-1-side'],
      ['web-2-web', 'web-2-side'],
    ],
  );
  const [web, side] = p.pods[0].containers;
  const b = web.body;
  assert.deepEqual(b.Entrypoint, ['httpd']);
  assert.deepEqual(b.Cmd, ['-f', '-p', '8080']);
  assert.deepEqual(b.Env?.sort(), ['CFG_MODE=fast', 'CFG_app.conf=listen 80\n', 'PASSWORD=s3cret'].sort());
  assert.equal(b.User, '1000:100');
  assert.equal(b.HostConfig?.Memory, 64 * 2 ** 20);
  assert.equal(b.HostConfig?.NanoCpus, 5e8);
  assert.deepEqual(b.HostConfig?.Binds, ['proj_data:/data:ro', 'web-1-scratch:/scratch']);
  assert.deepEqual(b.HostConfig?.Tmpfs, { '/run': `size=${2 ** 20}` });
  assert.deepEqual(web.files, [{ path: '/etc/app/conf.d/app.conf', data: Buffer.from('listen 80\n') }]);
  assert.equal(b.HostConfig?.NetworkMode, 'kube-demo');
  assert.equal(b.Hostname, 'web-1');
  assert.equal(side.body.Hostname, undefined);
  assert.deepEqual(b.NetworkingConfig?.EndpointsConfig?.['kube-demo']?.Aliases, ['web-1', 'web']);
  // the Service's named targetPort is published on the first replica only
  assert.deepEqual(b.HostConfig?.PortBindings, { '8080/tcp': [{ HostIp: '', HostPort: '18080' }] });
  assert.deepEqual(p.pods[1].containers[0].body.HostConfig?.PortBindings, {});
  assert.ok(p.warnings.some((w) => /web-2 is not published/.test(w)));
  // the second container shares the first one's network, as in a pod
  assert.equal(side.body.HostConfig?.NetworkMode, 'container:web-1-web');
  assert.equal(b.Labels?.['io.berth.kube.play'], 'demo');
  assert.equal(b.Labels?.tier, 'front');
  assert.deepEqual(p.volumes, [
    { name: 'proj_data', kind: 'claim' },
    { name: 'web-1-scratch', kind: 'emptyDir' },
    { name: 'web-2-scratch', kind: 'emptyDir' },
  ]);
});

const pod = (extra: string) => `apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  containers: [{name: c, image: busybox${extra}}]
`;

test('unknown kinds, unknown fields and dangling references are errors naming them', () => {
  assert.throws(
    () => plan('apiVersion: batch/v1\nkind: Job\nmetadata: {name: j}\n'),
    /document 1: unsupported kind "Job"/,
  );
  assert.throws(
    () => plan(pod(', lifecycle: {preStop: {}}')),
    /unsupported field\(s\) spec\.containers\[0\]\.lifecycle/,
  );
  assert.throws(() => plan(pod('') + '  affinity: {}\n'), /spec\.affinity/);
  assert.throws(() => plan(pod(', volumeMounts: [{name: nope, mountPath: /x}]')), /volumeMount "nope" names no volume/);
  assert.throws(
    () => plan(pod(', env: [{name: A, valueFrom: {secretKeyRef: {name: s, key: k}}}]')),
    /env A: Secret "s" is not in the file/,
  );
  assert.throws(() => plan(pod('').replace('apiVersion: v1', 'apiVersion: apps/v1')), /Pod needs apiVersion v1/);
  assert.throws(() => plan(`${pod('')}---\n${pod('')}`), /Pod\/p appears twice/);
  assert.throws(() => plan(pod(', resources: {limits: {memory: lots}}')), /limits\.memory: invalid quantity/);
});

test('generate → play: the create request comes back with the same settings', () => {
  const body = {
    Image: 'busybox',
    Entrypoint: ['sh', '-c'],
    Cmd: ['exec httpd -f -p 8080'],
    Env: ['GREETING=hi', 'TOKEN=t0k'],
    WorkingDir: '/srv',
    User: '1000',
    ExposedPorts: { '8080/tcp': {} },
    Healthcheck: { Test: ['CMD', 'true'], Interval: 2e9, Retries: 3 },
    HostConfig: {
      Binds: ['proj_data:/data', '/srv/shared:/shared:ro'],
      Tmpfs: { '/tmp': '' },
      PortBindings: { '8080/tcp': [{ HostIp: '', HostPort: '18093' }] },
      Memory: 2 ** 26,
      NanoCpus: 1.5e9,
      RestartPolicy: { Name: 'always' as const },
    },
  };
  const g = generate(
    [
      {
        name: 'web',
        containers: [containerFromCreate('web', body, { TOKEN: 't0k' })],
        replicas: 1,
        networks: [{ name: 'proj_front', aliases: [] }],
        dependsOn: [],
      },
    ],
    { type: 'deployment', service: false },
  );
  const p = plan(toYaml(g.objects));
  const c = p.pods[0].containers[0];
  assert.equal(c.name, 'web-1');
  const b = c.body;
  for (const k of ['Image', 'Entrypoint', 'Cmd', 'WorkingDir', 'User', 'ExposedPorts', 'Healthcheck'] as const)
    assert.deepEqual(b[k], body[k], k);
  assert.deepEqual(b.Env?.sort(), body.Env);
  const hc = b.HostConfig!;
  assert.deepEqual(hc.Binds, ['proj_data:/data', '/srv/shared:/shared:ro']);
  assert.deepEqual(hc.Tmpfs, { '/tmp': '' });
  assert.deepEqual(hc.PortBindings, body.HostConfig.PortBindings);
  assert.equal(hc.Memory, body.HostConfig.Memory);
  assert.equal(hc.NanoCpus, body.HostConfig.NanoCpus);
  assert.deepEqual(hc.RestartPolicy, { Name: 'always' });
  assert.deepEqual(b.NetworkingConfig?.EndpointsConfig?.['kube-demo']?.Aliases, ['web-1', 'web']);
});

test('StatefulSet pods count from 0; NodePort publishes nodePort; defaultMode and ignored fields', () => {
  const p = plan(`apiVersion: v1
kind: ConfigMap
metadata: {name: c}
data: {run.sh: "echo hi"}
---
apiVersion: v1
kind: Service
metadata: {name: db, namespace: prod}
spec: {type: NodePort, selector: {app: db}, ports: [{port: 5432, nodePort: 30432}]}
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db}
spec:
  replicas: 2
  serviceName: db
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec:
      volumes: [{name: s, configMap: {name: c, defaultMode: 493}}]
      containers:
        - {name: db, image: busybox, imagePullPolicy: Always, volumeMounts: [{name: s, mountPath: /s}]}
`);
  assert.deepEqual(
    p.pods.map((x) => x.name),
    ['db-0', 'db-1'],
  );
  const c = p.pods[0].containers[0];
  assert.deepEqual(c.body.HostConfig?.PortBindings, { '5432/tcp': [{ HostIp: '', HostPort: '30432' }] });
  assert.deepEqual(c.files, [{ path: '/s/run.sh', data: Buffer.from('echo hi'), mode: 0o755 }]);
  assert.ok(p.warnings.some((w) => /namespace prod is ignored/.test(w)));
  assert.ok(p.warnings.some((w) => /imagePullPolicy Always/.test(w)));
});
