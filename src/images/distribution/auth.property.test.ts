// Property tests: any X-Registry-Auth header decodes to string credentials or to none (Docker
// ignores garbage), and any WWW-Authenticate value parses to string parameters.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { params } from '../../util/prop-check.js';
import { decodeAuthHeader, parseChallenges } from './auth.js';

test('any X-Registry-Auth value is string credentials or none', () => {
  const json = fc.jsonValue({ maxDepth: 2 }).map((v) => Buffer.from(JSON.stringify(v) ?? '').toString('base64url'));
  const creds = fc
    .record(
      { username: fc.string(), password: fc.string(), auth: fc.string().map((s) => Buffer.from(s).toString('base64')) },
      { requiredKeys: [] },
    )
    .map((o) => Buffer.from(JSON.stringify(o)).toString('base64'));
  fc.assert(
    fc.property(fc.oneof(fc.string(), json, creds), (h) => {
      const a = decodeAuthHeader(h);
      if (a) for (const v of Object.values(a)) assert.equal(typeof v, 'string');
      assert.deepEqual(decodeAuthHeader([h, 'x']), a, 'the first of repeated headers');
    }),
    params(1000),
  );
});

test('any WWW-Authenticate value parses to challenges with string parameters', () => {
  const header = fc.oneof(
    fc.string(),
    fc
      .array(
        fc.constantFrom(
          'Bearer ',
          'Basic ',
          'realm=',
          '"',
          '\\"',
          ',',
          'service=',
          'scope=',
          'x',
          ' ',
          '__proto__=',
          'a=b',
        ),
        { maxLength: 12 },
      )
      .map((a) => a.join('')),
  );
  fc.assert(
    fc.property(fc.array(header, { maxLength: 3 }), (hs) => {
      for (const c of parseChallenges(hs)) {
        assert.equal(typeof c.scheme, 'string');
        for (const v of Object.values(c.params)) assert.equal(typeof v, 'string');
      }
    }),
    params(1000),
  );
});
