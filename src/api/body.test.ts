// Body reading at the edge: size bound, moby's Content-Type rule, depth bound.
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { EngineError } from '../errdefs.js';
import { JSON_DEPTH_LIMIT, JsonBody, checkForJson, jsonTooDeep, parseJson, readBounded } from './body.js';

const kindOf = (e: unknown) => (e instanceof EngineError ? e.kind : `not an EngineError: ${String(e)}`);

test('a declared Content-Length above the limit is refused before reading anything', async () => {
  let reads = 0;
  const body = new Readable({
    read() {
      reads++;
      this.push(null);
    },
  });
  await assert.rejects(readBounded(body, { 'content-length': String(100 * 1024 * 1024) }, 1024), (e) => {
    assert.equal(kindOf(e), 'too-large');
    assert.equal((e as Error).message, 'http: request body too large');
    return true;
  });
  assert.equal(reads, 0);
});

test('a chunked body is read only up to the limit', async () => {
  let pushed = 0;
  const body = new Readable({
    read() {
      pushed += 1024;
      this.push(Buffer.alloc(1024, 0x20)); // never ends by itself
    },
  });
  await assert.rejects(readBounded(body, {}, 64 * 1024), (e) => kindOf(e) === 'too-large');
  assert.ok(pushed <= 64 * 1024 + 32 * 1024, `read ${pushed} bytes for a 64 KiB limit`);
  assert.equal((await readBounded(Readable.from([Buffer.from('{"a":1}')]), {}, 64)).toString(), '{"a":1}');
});

test("moby's CheckForJSON: text/plain with a body is refused, no Content-Type only without a body", () => {
  assert.throws(() => checkForJson({ 'content-type': 'text/plain' }, 2), {
    message: "unsupported Content-Type header (text/plain): must be 'application/json'",
  });
  assert.throws(() => checkForJson({}, 2), { message: 'malformed Content-Type header (): mime: no media type' });
  checkForJson({}, 0);
  checkForJson({ 'content-type': 'application/json' }, 2);
  checkForJson({ 'content-type': 'Application/JSON; charset=utf-8' }, 2);
  // moby skips the check only when there is no Content-Type at all
  assert.throws(() => checkForJson({ 'content-type': 'text/plain' }, 0), {
    message: /unsupported Content-Type header/,
  });
});

test('nesting is bounded before JSON.parse (100,000 levels is a 400, not a stack overflow)', () => {
  const deep = '['.repeat(100_000) + ']'.repeat(100_000);
  assert.equal(jsonTooDeep(deep), true);
  assert.throws(
    () => parseJson(deep),
    (e) => kindOf(e) === 'invalid' && /exceeded max depth/.test((e as Error).message),
  );
  const ok = '['.repeat(JSON_DEPTH_LIMIT) + ']'.repeat(JSON_DEPTH_LIMIT);
  assert.equal(jsonTooDeep(ok), false);
  assert.equal(jsonTooDeep('{"a":"[[[[[[[[[[\\"[[[["}', 3), false, 'brackets inside strings do not count');
  assert.equal(parseJson('  '), undefined, 'an empty body is allowed');
  assert.throws(
    () => parseJson('{nope'),
    (e) => kindOf(e) === 'invalid' && /^invalid JSON: /.test((e as Error).message),
  );
});

test('JsonBody.load checks the endpoint schema and Content-Type before the handler; json() hands the result', async () => {
  const mk = (text: string, headers: Record<string, string>) =>
    new JsonBody(Readable.from([Buffer.from(text)]), headers);
  const good = mk('{"Memory": 8388608, "Unknown": 1}', { 'content-type': 'application/json' });
  await good.load('POST /containers/{id}/update');
  assert.deepEqual(await good.json(), { Memory: 8388608, Unknown: 1 });
  await assert.rejects(
    mk('{"Memory":"x"}', { 'content-type': 'application/json' }).load('POST /containers/{id}/update'),
    (e) => kindOf(e) === 'invalid',
  );
  await assert.rejects(mk('{"Memory":1}', { 'content-type': 'text/plain' }).load('POST /containers/{id}/update'), {
    message: /unsupported Content-Type header \(text\/plain\)/,
  });
  // POST /auth decodes without CheckForJSON in moby
  const auth = mk('{"username":"u"}', { 'content-type': 'text/plain' });
  await auth.load('POST /auth');
  assert.deepEqual(await auth.json(), { username: 'u' });
  // endpoints without a schema read lazily, still bounded and parsed
  const other = mk('[1,2]', {});
  await other.load('POST /other');
  assert.deepEqual(await other.json(), [1, 2]);
});
