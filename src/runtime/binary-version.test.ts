import assert from 'node:assert/strict';
import { test } from 'node:test';
import { binaryVersion, versionIn } from './binary-version.js';

test('versionIn takes the first x.y.z of runc and conmon output, else the first line', () => {
  assert.equal(versionIn('runc version 1.1.5+ds1\ncommit: 1.1.5+ds1-1\nspec: 1.0.2-dev\n'), '1.1.5+ds1');
  assert.equal(versionIn('conmon version 2.1.6\ncommit: unknown\n'), '2.1.6');
  assert.equal(versionIn('  dev build \nmore'), 'dev build');
});

test('binaryVersion of a binary that cannot run is "unknown"', async () => {
  assert.equal(await binaryVersion('/nonexistent/runc'), 'unknown');
  assert.equal(await binaryVersion(process.execPath, ['-e', 'console.log("v20.1.2")']), '20.1.2');
});
