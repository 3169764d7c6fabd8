// Property tests for `RUN --mount=…` values: any CSV is a mount (absolute target, 32-bit ids and
// mode) or an `invalid` EngineError with BuildKit's texts.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { EngineError } from '../../errdefs.js';
import { grammarish, onlyThrows, params } from '../../util/prop-check.js';
import { parseRunMount } from './run-mounts.js';

const FIELDS = [
  'type=cache',
  'type=bind',
  'type=tmpfs',
  'target=/x',
  'dst=../../etc',
  'source=a',
  'from=stage',
  'ro',
  'rw=false',
  'readonly=maybe',
  'id=k',
  'sharing=locked',
  'sharing=no',
  'mode=0755',
  'mode=9',
  'uid=1000',
  'uid=99999999999',
  'gid=-1',
  'required',
  'bogus=1',
  '',
  '=',
  'target=',
];

test('any --mount value is a mount or an invalid EngineError', () => {
  const spec = grammarish(FIELDS, 6, '=,/.type=cachebindtarget0123456789', 40, ',');
  fc.assert(
    fc.property(spec, (s) => {
      const m = onlyThrows(() => parseRunMount(s), EngineError);
      if (m) {
        assert.ok(m.target.startsWith('/') && !m.target.split('/').includes('..'), m.target);
        for (const n of [m.uid, m.gid, m.mode]) assert.ok(Number.isInteger(n) && n >= 0 && n <= 0xffffffff);
      }
    }),
    params(1000),
  );
});

test('regression: ids beyond 32 bits and a non-octal mode are refused as BuildKit does', () => {
  assert.throws(() => parseRunMount('type=cache,target=/c,uid=99999999999'), {
    message: 'invalid value for uid: 99999999999',
  });
  assert.throws(() => parseRunMount('type=cache,target=/c,mode=0789'), { message: 'invalid value for mode: 0789' });
  assert.equal(parseRunMount('type=cache,target=/c,mode=0700,uid=4294967295').uid, 4294967295);
});
