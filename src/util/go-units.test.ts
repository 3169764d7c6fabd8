import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EngineError } from '../errdefs.js';
import { bytesSize, goG, humanSize, humanSizeWithPrecision, ramInBytes } from './go-units.js';

test('goG is Go’s %g', () => {
  assert.equal(goG(4.2568, 3), '4.26');
  assert.equal(goG(4.0, 3), '4');
  assert.equal(goG(999.99, 3), '1e+03');
  assert.equal(goG(0.00001234, 3), '1.23e-05');
  assert.equal(goG(0, 4), '0');
  assert.equal(goG(123.456, 4), '123.5');
  assert.equal(goG(0.5, 3), '0.5');
});

test('HumanSize, HumanSizeWithPrecision and BytesSize as go-units prints them', () => {
  assert.equal(humanSize(1234567), '1.235MB');
  assert.equal(humanSize(512), '512B');
  assert.equal(humanSizeWithPrecision(4261000, 3), '4.26MB');
  assert.equal(humanSizeWithPrecision(1500, 3), '1.5kB');
  assert.equal(humanSizeWithPrecision(0, 3), '0B');
  assert.equal(bytesSize(1536 * 1024), '1.5MiB');
  assert.equal(bytesSize(0), '0B');
});

test('RAMInBytes reads binary multiples and refuses the rest with Docker’s text', () => {
  assert.equal(ramInBytes('512m'), 512 * 1024 ** 2);
  assert.equal(ramInBytes('1.5g'), 1.5 * 1024 ** 3);
  assert.equal(ramInBytes('1g'), 1024 ** 3);
  assert.equal(ramInBytes(' 10KiB '), 10 * 1024);
  assert.equal(ramInBytes('100'), 100);
  assert.throws(
    () => ramInBytes('10x'),
    (e) => e instanceof EngineError && e.kind === 'invalid' && e.message === "invalid size: '10x'",
  );
  assert.throws(() => ramInBytes('-1'), { message: "invalid size: '-1'" });
});
