// Property tests for detach keys (attach/exec `detachKeys`, a client's query value, and the
// stdin bytes matched against them): any key string parses or is an `invalid` EngineError; the
// matcher passes every byte through in order and answers the same however stdin is chunked.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { EngineError } from '../../errdefs.js';
import { near, onlyThrows, params } from '../../util/prop-check.js';
import { DetachMatcher, parseDetachKeys } from './detach.js';

test('any detachKeys value parses to bytes or is an invalid EngineError', () => {
  fc.assert(
    fc.property(
      fc.oneof(
        near('ctrl-pqa,@[]^_DEL', 20),
        fc
          .array(fc.constantFrom('ctrl-p', 'ctrl-q', 'ctrl-@', 'ctrl-\\', 'DEL', 'a', 'é', '', 'ctrl-P', 'ctrl-'), {
            maxLength: 4,
          })
          .map((a) => a.join(',')),
      ),
      (s) => {
        const b = onlyThrows(() => parseDetachKeys(s), EngineError);
        if (b) assert.ok(b.length >= 1);
      },
    ),
    params(1000),
  );
});

/** Feed `input` in `cuts`-sized pieces; what passed through, and whether it detached. */
function feed(keys: Buffer, input: Buffer, cuts: number[]): { out: Buffer; detach: boolean } {
  const m = new DetachMatcher(keys);
  const out: Buffer[] = [];
  let at = 0;
  for (const c of [...cuts, input.length]) {
    const r = m.push(input.subarray(at, Math.min(input.length, at + c)));
    out.push(r.data);
    at = Math.min(input.length, at + c);
    if (r.detach) return { out: Buffer.concat(out), detach: true };
    if (at >= input.length) break;
  }
  out.push(m.flush());
  return { out: Buffer.concat(out), detach: false };
}

test('stdin passes through in order, and the answer does not depend on the chunking', () => {
  const keys = fc.constantFrom('ctrl-p,ctrl-q', 'ctrl-p', 'a,a,b', 'DEL,a').map(parseDetachKeys);
  const input = fc
    .array(fc.constantFrom(0x10, 0x11, 0x61, 0x62, 0x7f, 0x0a), { maxLength: 40 })
    .map((a) => Buffer.from(a));
  fc.assert(
    fc.property(keys, input, fc.array(fc.integer({ min: 0, max: 6 }), { maxLength: 20 }), (k, inp, cuts) => {
      const whole = feed(k, inp, []);
      const chunked = feed(k, inp, cuts);
      assert.deepEqual(chunked, whole);
      if (whole.detach)
        assert.ok(
          inp.subarray(0, whole.out.length + k.length).equals(Buffer.concat([whole.out, k])),
          'output + keys is what was typed',
        );
      else assert.ok(whole.out.equals(inp), 'every byte passes through');
    }),
    params(1000),
  );
});
