import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EngineError, internal, notFound } from '../errdefs.js';
import { kindOf, messageOf, statusOf, streamError } from './errors.js';

test('statusOf maps each kind of a bare EngineError', () => {
  assert.equal(statusOf(notFound('No such container: x')), 404);
  assert.equal(statusOf(new EngineError('conflict', 'c')), 409);
  assert.equal(statusOf(new EngineError('not-modified', '')), 304);
  assert.equal(statusOf(new EngineError('too-large', 'big')), 413);
});

test('statusOf resolves the cause chain: a plain error wrapping an EngineError gets its kind', () => {
  const inner = notFound('No such image: busybox');
  assert.equal(statusOf(new Error('pull failed', { cause: inner })), 404);
  const deeper = new Error('outer', {
    cause: new TypeError('middle', { cause: new EngineError('unauthorized', 'denied') }),
  });
  assert.equal(statusOf(deeper), 401);
  assert.equal(kindOf(deeper), 'unauthorized');
});

test('the outermost kind wins, as in moby (an internal error around a not-found stays 500)', () => {
  assert.equal(statusOf(internal('commit failed', notFound('gone'))), 500);
  assert.equal(statusOf(new EngineError('invalid', 'bad', { cause: new EngineError('conflict', 'c') })), 400);
});

test('errors without a kind anywhere are 500, non-errors too, and a cause cycle ends', () => {
  assert.equal(statusOf(new Error('boom')), 500);
  assert.equal(statusOf('a string'), 500);
  assert.equal(statusOf(undefined), 500);
  const a = new Error('a');
  const b = new Error('b', { cause: a });
  (a as { cause?: unknown }).cause = b;
  assert.equal(kindOf(a), null);
  assert.equal(statusOf(a), 500);
});

test('messages and the in-band stream error line keep the outer text', () => {
  const e = new Error('outer text', { cause: notFound('inner') });
  assert.equal(messageOf(e), 'outer text');
  assert.equal(messageOf(42), '42');
  assert.deepEqual(JSON.parse(streamError(e)), { errorDetail: { message: 'outer text' }, error: 'outer text' });
});
