// Property tests for `--change` (import/commit): any list of change lines applies to a config or
// is refused with an `invalid` EngineError (Docker's texts), in bounded work; generated ENV,
// LABEL and EXPOSE changes land in the config as written.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { invalidOnly, near, params } from '../util/prop-check.js';
import { applyChanges } from './changes.js';
import type { ContainerConfig } from './types.js';

const base = (): ContainerConfig =>
  ({ Env: ['PATH=/bin'], Cmd: ['sh'], Labels: { a: 'b' } }) as unknown as ContainerConfig;

test('any change lines apply or are an invalid EngineError', () => {
  const KW = [
    'CMD',
    'ENTRYPOINT',
    'ENV',
    'LABEL',
    'EXPOSE',
    'VOLUME',
    'WORKDIR',
    'USER',
    'STOPSIGNAL',
    'ONBUILD',
    'HEALTHCHECK',
    'FROM',
    'cmd',
  ];
  const ARG = [
    '',
    ' ',
    'a=b',
    'a b c',
    '"q"',
    "'q",
    '["x","y"]',
    '[bad',
    '80',
    '1-3/udp',
    '1-99999999',
    '5-1',
    '--interval=1s',
    '--interval=1d',
    '--retries=0x10',
    '--retries=-1',
    'CMD true',
    'NONE',
    'NONE x',
    '/abs',
    'rel',
    'SIGTERM',
    'constructor=1',
    '\\',
    '#',
  ];
  const line = fc.oneof(
    fc
      .tuple(fc.constantFrom(...KW), fc.array(fc.constantFrom(...ARG), { maxLength: 4 }))
      .map(([k, a]) => `${k} ${a.join(' ')}`),
    near('CMDENV =ab"\'[]-', 30),
  );
  fc.assert(
    fc.property(fc.array(line, { maxLength: 4 }), (lines) => {
      const c = invalidOnly(() => applyChanges(base(), lines));
      if (c) for (const e of c.Env ?? []) assert.equal(typeof e, 'string');
    }),
    params(1000),
  );
});

test('generated ENV, LABEL and EXPOSE changes land in the config', () => {
  const key = fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,6}$/);
  const val = fc.stringMatching(/^[a-z0-9./-]{0,8}$/);
  fc.assert(
    fc.property(
      key,
      val,
      key,
      val,
      fc.integer({ min: 1, max: 65535 }),
      fc.constantFrom('tcp', 'udp'),
      (ek, ev, lk, lv, port, proto) => {
        const c = applyChanges(base(), [`ENV ${ek}=${ev}`, `LABEL ${lk}=${lv}`, `EXPOSE ${port}/${proto}`]);
        assert.ok(c.Env?.includes(`${ek}=${ev}`));
        assert.equal(c.Labels?.[lk], lv);
        assert.deepEqual(c.ExposedPorts?.[`${port}/${proto}`], {});
      },
    ),
    params(),
  );
});

test('regression: EXPOSE ranges past 65535 or reversed are refused (1-99999999 looped 10^8 times)', () => {
  assert.throws(() => applyChanges(base(), ['EXPOSE 1-99999999']), { message: 'invalid containerPort: 1-99999999' });
  assert.throws(() => applyChanges(base(), ['EXPOSE 5-1/udp']), { message: 'invalid containerPort: 5-1' });
  assert.equal(Object.keys(applyChanges(base(), ['EXPOSE 1-3']).ExposedPorts ?? {}).length, 3);
});

test('regression: HEALTHCHECK durations and retries read as BuildKit does', () => {
  const hc = applyChanges(base(), ['HEALTHCHECK --interval=.5s --retries=+2 CMD true']).Healthcheck;
  assert.deepEqual([hc?.Interval, hc?.Retries], [5e8, 2]);
  assert.throws(() => applyChanges(base(), ['HEALTHCHECK --interval=1d CMD true']), {
    message: 'time: unknown unit "d" in duration "1d"',
  });
  assert.throws(() => applyChanges(base(), ['HEALTHCHECK --interval=1us CMD true']), {
    message: 'Interval "interval" cannot be less than 1ms',
  });
  assert.throws(() => applyChanges(base(), ['HEALTHCHECK --retries=0x10 CMD true']), {
    message: 'strconv.ParseInt: parsing "0x10": invalid syntax',
  });
});
