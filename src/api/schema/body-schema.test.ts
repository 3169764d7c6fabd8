// The per-endpoint schemas: Go's leniency (null, unknown fields, int64, StrSlice) and its refusals.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EngineError } from '../../errdefs.js';
import { checkBody, schemaFor } from './body-schema.js';
import { SWAGGER_COMMIT, bodySchemas } from './engine-api.gen.js';

const CREATE = 'POST /containers/create';

function refused(endpoint: string, body: unknown): string {
  try {
    checkBody(endpoint, body);
  } catch (e) {
    assert.ok(e instanceof EngineError && e.kind === 'invalid', `not an invalid EngineError: ${String(e)}`);
    return e.message;
  }
  assert.fail(`accepted ${JSON.stringify(body)} on ${endpoint}`);
}

test('generated from a recorded moby commit, one schema per JSON endpoint berth serves', () => {
  assert.match(SWAGGER_COMMIT, /^[0-9a-f]{40}$/);
  for (const e of [
    'POST /containers/create',
    'POST /containers/{id}/update',
    'POST /exec/{id}/start',
    'POST /volumes/create',
    'POST /commit',
    'POST /auth',
  ])
    assert.ok(bodySchemas[e], e);
  assert.equal(schemaFor('POST /build'), undefined, 'streamed uploads have no JSON schema');
});

test('what Go accepts passes: null anywhere, unknown fields, int64 values, a string Cmd', () => {
  const body = {
    Image: 'busybox',
    Cmd: 'echo hi',
    Entrypoint: null,
    Env: ['A=1', null],
    Labels: { a: 'b', n: null },
    ExposedPorts: { '80/tcp': {}, '81/tcp': null },
    SomethingNew: { nested: [1, 'x'] },
    HostConfig: { Memory: 9007199254740991, Ulimits: [null], Devices: null, RestartPolicy: { Name: null } },
    NetworkingConfig: { EndpointsConfig: { net1: null } },
  };
  const out = checkBody(CREATE, body) as Record<string, unknown>;
  assert.deepEqual(out.Cmd, ['echo hi'], 'StrSlice: a string is a one-item list');
  assert.equal('Entrypoint' in out, false, 'null fields are dropped (Go leaves the zero value)');
  assert.deepEqual(out.Env, ['A=1', ''], 'a null list item is the zero value');
  assert.deepEqual(out.Labels, { a: 'b', n: '' });
  assert.deepEqual(out.ExposedPorts, { '80/tcp': {}, '81/tcp': {} });
  assert.deepEqual(out.SomethingNew, { nested: [1, 'x'] }, 'unknown fields are ignored, as Go does');
  const hc = out.HostConfig as Record<string, unknown>;
  assert.deepEqual(hc.Ulimits, [{}]);
  assert.equal('Devices' in hc, false);
  assert.deepEqual(hc.RestartPolicy, {});
  assert.deepEqual((out.NetworkingConfig as { EndpointsConfig: unknown }).EndpointsConfig, { net1: {} });
  assert.equal(checkBody(CREATE, null), undefined, 'a null body is an empty one');
  assert.equal(checkBody(CREATE, undefined), undefined);
});

test("wrong types are refused with Go's unmarshal message", () => {
  assert.equal(
    refused(CREATE, { Image: 'x', Cmd: [1] }),
    'json: cannot unmarshal number into Go struct field CreateRequest.Cmd of type string',
  );
  assert.equal(
    refused(CREATE, { Image: 'x', HostConfig: { Memory: 1e308 } }),
    'json: cannot unmarshal number 1e+308 into Go struct field CreateRequest.HostConfig.Memory of type int64',
  );
  assert.equal(
    refused(CREATE, { Image: 'x', HostConfig: { Memory: 1.5 } }),
    'json: cannot unmarshal number 1.5 into Go struct field CreateRequest.HostConfig.Memory of type int64',
  );
  assert.equal(
    refused(CREATE, { Env: 'A=1' }),
    'json: cannot unmarshal string into Go struct field CreateRequest.Env of type []string',
  );
  assert.equal(
    refused(CREATE, { HostConfig: { RestartPolicy: 'always' } }),
    'json: cannot unmarshal string into Go struct field CreateRequest.HostConfig.RestartPolicy of type RestartPolicy',
  );
  assert.equal(refused(CREATE, []), 'json: cannot unmarshal array into Go value of type container.CreateRequest');
  assert.match(
    refused('POST /containers/{id}/update', { Memory: '1g' }),
    /cannot unmarshal string into Go struct field UpdateConfig\.Memory of type int64/,
  );
  assert.match(
    refused('POST /exec/{id}/start', { Detach: 'yes' }),
    /cannot unmarshal string into Go struct field ExecStartOptions\.Detach of type bool/,
  );
  assert.match(
    refused('POST /volumes/create', { Name: 5 }),
    /cannot unmarshal number into Go struct field CreateOptions\.Name of type string/,
  );
  assert.match(
    refused('POST /commit', { Cmd: { a: 1 } }),
    /cannot unmarshal object into Go struct field Config\.Cmd of type strslice\.StrSlice/,
  );
  assert.match(refused('POST /auth', 'user'), /cannot unmarshal string into Go value of type registry\.AuthConfig/);
  assert.match(refused(CREATE, { Labels: { 'a/b': 1 } }), /CreateRequest\.Labels of type string/);
});

test('keys match fields case-insensitively, as in Go: {"image": …} is Image and is type-checked', () => {
  assert.deepEqual(checkBody(CREATE, { image: 'busybox', cmd: ['true'], hostconfig: { memory: 8388608 } }), {
    Image: 'busybox',
    Cmd: ['true'],
    HostConfig: { Memory: 8388608 },
  });
  assert.match(refused(CREATE, { hostConfig: { MEMORY: 'x' } }), /CreateRequest\.HostConfig\.Memory of type int64/);
  const both = checkBody(CREATE, { Image: 'a', image: 'b' }) as Record<string, unknown>;
  assert.equal(both.Image, 'a', 'the exact name wins when both are sent');
});

test('fields Go decodes as unsigned refuse negatives (runc would fail on them at start)', () => {
  assert.match(
    refused(CREATE, { HostConfig: { BlkioDeviceReadBps: [{ Path: '/dev/sda', Rate: -1 }] } }),
    /cannot unmarshal number -1 into Go struct field CreateRequest\.HostConfig\.BlkioDeviceReadBps\.Rate of type uint64/,
  );
  assert.match(refused(CREATE, { HostConfig: { BlkioWeight: 70000 } }), /BlkioWeight of type uint16/);
  assert.match(refused('POST /exec/{id}/start', { ConsoleSize: [-1, 80] }), /ConsoleSize of type uint64/);
  checkBody(CREATE, { HostConfig: { MemorySwappiness: -1, CpuQuota: -1, MemorySwap: -1 } });
});
