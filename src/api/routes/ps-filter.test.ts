import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ContainerRecord } from '../../engine/types.js';
import { notFound } from '../../errdefs.js';
import { parseFilters } from '../filters.js';
import { PS_FILTERS, type PsLookups, psFilter } from './ps-filter.js';

const rec = (
  id: string,
  status: string,
  o: Partial<{
    exitCode: number;
    created: string;
    image: string;
    labels: Record<string, string>;
    ports: string[];
    net: string;
  }> = {},
) =>
  ({
    id,
    name: `n-${id}`,
    created: o.created ?? '2024-05-01T10:00:00Z',
    image: o.image ?? 'sha256:img',
    state: { status, exitCode: o.exitCode ?? 0 },
    config: { Labels: o.labels ?? {}, ExposedPorts: Object.fromEntries((o.ports ?? []).map((p) => [p, {}])) },
    hostConfig: { NetworkMode: o.net ?? 'bridge' },
    mounts: [],
  }) as unknown as ContainerRecord;

const recs = [
  rec('a1', 'running', { labels: { tier: 'web' }, ports: ['80/tcp'], created: '2024-05-01T10:00:01Z' }),
  rec('b2', 'exited', { exitCode: 3, image: 'sha256:other', created: '2024-05-01T10:00:02Z' }),
  rec('c3', 'created', { net: 'host', created: '2024-05-01T10:00:03Z' }),
];
const lookups: PsLookups = {
  created: (ref) => {
    const r = recs.find((x) => x.id === ref || x.name === ref);
    if (!r) throw notFound(`No such container: ${ref}`);
    return r.created;
  },
  imageIdFor: async (ref) => (ref === 'busybox' ? 'sha256:img' : null),
  // a1 runs with -p 8080:80 and an exposed, unpublished 53/udp (the ps Ports summary)
  ports: (r) =>
    r.id === 'a1'
      ? [
          { PrivatePort: 80, PublicPort: 8080, Type: 'tcp' },
          { PrivatePort: 53, Type: 'udp' },
        ]
      : [],
};
const ids = async (filters: object, all = true) =>
  recs.filter(await psFilter(parseFilters(JSON.stringify(filters), PS_FILTERS), all, lookups)).map((r) => r.id);

test('without all only running ones; with all every one', async () => {
  assert.deepEqual(await ids({}, false), ['a1']);
  assert.deepEqual(await ids({}), ['a1', 'b2', 'c3']);
});

test('status, exited, label, ancestor, network, publish/expose, before/since', async () => {
  assert.deepEqual(await ids({ status: ['exited', 'created'] }), ['b2', 'c3']);
  assert.deepEqual(await ids({ exited: ['3'] }), ['b2']);
  assert.deepEqual(await ids({ label: ['tier=web'] }), ['a1']);
  assert.deepEqual(await ids({ ancestor: ['busybox'] }), ['a1', 'c3']);
  assert.deepEqual(await ids({ ancestor: ['nosuchimage'] }), [], 'an unknown image matches nothing');
  assert.deepEqual(await ids({ network: ['host'] }), ['c3']);
  assert.deepEqual(await ids({ publish: ['8080'] }), ['a1'], 'publish is the host port');
  assert.deepEqual(await ids({ publish: ['80'] }), []);
  assert.deepEqual(await ids({ publish: ['8000-8100/tcp'] }), ['a1']);
  assert.deepEqual(await ids({ expose: ['80'] }), ['a1'], 'expose is the container port');
  assert.deepEqual(await ids({ expose: ['53/udp'] }), ['a1']);
  assert.deepEqual(await ids({ expose: ['80/udp'] }), []);
  assert.deepEqual(await ids({ before: ['c3'] }), ['a1', 'b2']);
  assert.deepEqual(await ids({ since: ['n-a1'] }), ['b2', 'c3']);
  assert.deepEqual(await ids({ 'is-task': ['true'] }), []);
});

test("bad values are refused with Docker's texts before any lookup", async () => {
  await assert.rejects(ids({ status: ['sleeping'] }), { message: "invalid filter 'status=sleeping'" });
  await assert.rejects(ids({ exited: ['x'] }), { message: "invalid filter 'exited=x'" });
  await assert.rejects(ids({ before: ['nope'] }), { message: 'No such container: nope' });
  await assert.rejects(ids({ publish: ['80:80'] }), { message: "filter for 'publish' should not contain ':': 80:80" });
  await assert.rejects(ids({ expose: ['x'] }), /error while looking up for expose x/);
});
