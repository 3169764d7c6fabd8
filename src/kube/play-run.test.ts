// runPlay over a fake daemon: a failure part-way removes everything made so far (nothing half-created),
// an existing play is refused before anything is made, and down removes exactly the labelled objects.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Client } from '../client/client.js';
import { ClientError } from '../client/client-error.js';
import { playObjects } from './play-objects.js';
import { planPlay } from './play-plan.js';
import { downPlay, pullQuery, runPlay } from './play-run.js';
import { parseYamlDocs } from './yaml-docs.js';

const YAML = `apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: data}
spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: cfg}
data: {a.txt: hello}
---
apiVersion: v1
kind: Pod
metadata: {name: one}
spec:
  volumes: [{name: d, persistentVolumeClaim: {claimName: data}}, {name: c, configMap: {name: cfg}}]
  containers: [{name: c, image: busybox, volumeMounts: [{name: d, mountPath: /d}, {name: c, mountPath: /etc/c}]}]
---
apiVersion: v1
kind: Pod
metadata: {name: two}
spec:
  containers: [{name: c, image: broken}]
`;

/** A daemon in memory: records calls; `failCreate` names a container whose create fails. */
function fakeDaemon(o: { failCreate?: string; existing?: string[] } = {}) {
  const calls: string[] = [];
  const live = new Set<string>(o.existing ?? []);
  const c = {
    containerList: async () => [...live].filter((x) => x.startsWith('ctr:')).map((x) => ({ Id: x, Names: [`/${x}`] })),
    imageCreate: async () => {
      throw new Error('no pull expected');
    },
    request: async (method: string, path: string, ro: { body?: { Name?: string } } = {}) => {
      calls.push(`${method} ${path}`);
      if (method === 'GET' && path.startsWith('/images/')) return {};
      if (method === 'GET' && (path.startsWith('/volumes/') || path.startsWith('/networks/'))) {
        if (!live.has(path)) throw new ClientError(404, 'not found');
        return {};
      }
      if (method === 'GET' && path === '/networks') return [{ Id: 'net', Name: 'kube-t' }];
      if (method === 'GET' && path === '/volumes')
        return { Volumes: [{ Name: 'data', Labels: { 'io.berth.kube.volume': 'claim' } }] };
      if (path === '/volumes/create') live.add(`/volumes/${ro.body?.Name}`);
      if (path === '/networks/create') return (live.add('/networks/net'), { Id: 'net' });
      if (method === 'DELETE') live.delete(path);
      return undefined;
    },
    containerCreate: async (body: { Image?: string }, q: { name: string }) => {
      calls.push(`create ${q.name}`);
      if (q.name === o.failCreate) throw new ClientError(400, `bad image ${body.Image}`);
      live.add(`ctr:${q.name}`);
      return { Id: `ctr:${q.name}` };
    },
    containerStart: async (id: string) => void calls.push(`start ${id}`),
    containerRemove: async (id: string) => {
      calls.push(`rm ${id}`);
      live.delete(id);
    },
  };
  return { client: c as unknown as Client, calls, live };
}

const plan = () => planPlay(playObjects(parseYamlDocs(YAML, 't.yaml'), 't.yaml'), 't');

test('a failure part-way removes the containers, network and volumes made so far', async () => {
  const d = fakeDaemon({ failCreate: 'two' });
  await assert.rejects(runPlay(plan(), { client: d.client, log: () => {} }), /bad image broken/);
  assert.ok(d.calls.includes('create one'));
  assert.ok(d.calls.includes('PUT /containers/ctr:one/archive'), 'ConfigMap files copied in');
  assert.deepEqual([...d.live], [], `left behind: ${[...d.live]}`);
  assert.ok(
    d.calls.includes('rm ctr:one') &&
      d.calls.includes('DELETE /networks/net') &&
      d.calls.includes('DELETE /volumes/data'),
  );
});

test('a volume that existed before is used and never removed; a second play of the same file is refused', async () => {
  const d = fakeDaemon({ existing: ['/volumes/data'] });
  await runPlay(plan(), { client: d.client, log: () => {} });
  assert.ok(!d.calls.includes('POST /volumes/create'));
  assert.ok(d.calls.includes('start ctr:two'));
  const before = d.calls.length;
  await assert.rejects(runPlay(plan(), { client: d.client, log: () => {} }), /already exists: run kube down first/);
  assert.equal(d.calls.filter((c) => c.startsWith('create')).length, 2, 'nothing created by the refused play');
  assert.ok(d.calls.length >= before);
});

test('down removes the labelled containers and network; claims only with volumes', async () => {
  const d = fakeDaemon({ existing: ['ctr:one', 'ctr:two'] });
  const removed: string[] = [];
  await downPlay('t', d.client, { volumes: false, log: (l) => removed.push(l) });
  assert.deepEqual(removed, ['Container ctr:one  Removed', 'Container ctr:two  Removed', 'Network kube-t  Removed']);
  await downPlay('t', d.client, { volumes: true, log: (l) => removed.push(l) });
  assert.equal(removed.at(-1), 'Volume data  Removed');
});

test('pull queries: tags, registry ports and digests', () => {
  assert.deepEqual(pullQuery('busybox'), { fromImage: 'busybox', tag: 'latest' });
  assert.deepEqual(pullQuery('reg:5000/app:1.2'), { fromImage: 'reg:5000/app', tag: '1.2' });
  assert.deepEqual(pullQuery('reg:5000/app'), { fromImage: 'reg:5000/app', tag: 'latest' });
  assert.deepEqual(pullQuery('app@sha256:abc'), { fromImage: 'app@sha256:abc' });
});
