// Property tests for the JSON bodies per endpoint: whatever JSON arrives, the edge and the create /
// update checks behind it answer with an EngineError (a 4xx) or accept; never a TypeError (a 500).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { EngineError } from '../../errdefs.js';
import { defaultHostConfig, mergeConfig, validateHostConfig } from '../../engine/create-config.js';
import { applyUpdate } from '../../engine/resources.js';
import type { HostConfig } from '../../engine/types.js';
import { shaped } from './body-arbitrary.js';
import { checkBody } from './body-schema.js';
import { bodySchemas } from './engine-api.gen.js';

const RUNS = Number(process.env.BERTH_PROP_RUNS ?? 300);
const ID = '0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef';

/** Runs `f`; anything thrown must be an EngineError (a 4xx/5xx with a message), never a TypeError. */
function onlyEngineErrors(f: () => unknown): void {
  try {
    f();
  } catch (e) {
    if (!(e instanceof EngineError)) throw e;
    assert.notEqual(e.kind, 'internal', e.message);
  }
}

for (const [endpoint, schema] of Object.entries(bodySchemas)) {
  test(`${endpoint}: any JSON body is accepted or refused as invalid, never a crash`, () => {
    fc.assert(
      fc.property(fc.oneof(fc.jsonValue({ maxDepth: 4 }), shaped(schema, 0)), (body) => {
        onlyEngineErrors(() => checkBody(endpoint, structuredClone(body)));
      }),
      { numRuns: RUNS },
    );
  });
}

test('POST /containers/create: whatever the edge accepts, the create checks end in an EngineError or pass', () => {
  fc.assert(
    fc.property(shaped(bodySchemas['POST /containers/create'], 0, false), (raw) => {
      // well-typed bodies (nulls included) all pass the edge, so every run reaches the create checks
      const body = checkBody('POST /containers/create', raw) as Record<string, unknown> | undefined;
      const { HostConfig: hc, NetworkingConfig: _n, ...config } = body ?? {};
      // what ContainerService.create does with HostConfig before validating it
      const h = { ...defaultHostConfig(), ...((hc ?? {}) as Partial<HostConfig>) } as HostConfig;
      if (!h.RestartPolicy) h.RestartPolicy = { Name: 'no', MaximumRetryCount: 0 };
      if (!h.RestartPolicy.Name)
        h.RestartPolicy = { Name: 'no', MaximumRetryCount: h.RestartPolicy.MaximumRetryCount ?? 0 };
      h.RestartPolicy.MaximumRetryCount ??= 0;
      onlyEngineErrors(() => validateHostConfig(h, { userNetworks: true }));
      onlyEngineErrors(() =>
        mergeConfig(ID, config as Parameters<typeof mergeConfig>[1], { Env: ['PATH=/bin'], Cmd: ['sh'] }),
      );
    }),
    { numRuns: RUNS },
  );
});

test('POST /containers/{id}/update: whatever the edge accepts, applyUpdate ends in an EngineError or a HostConfig', () => {
  fc.assert(
    fc.property(shaped(bodySchemas['POST /containers/{id}/update'], 0, false), fc.boolean(), (raw, running) => {
      const body = checkBody('POST /containers/{id}/update', raw);
      onlyEngineErrors(() =>
        applyUpdate(defaultHostConfig(), (body ?? {}) as Parameters<typeof applyUpdate>[1], running),
      );
    }),
    { numRuns: RUNS },
  );
});
