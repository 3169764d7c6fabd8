import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { assetPath } from './static.js';

test('asset paths stay inside the asset folder', (t) => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-web-assets-'));
  t.after(() => fs.rmSync(root, { recursive: true, force: true }));
  fs.mkdirSync(path.join(root, 'assets'));
  fs.writeFileSync(path.join(root, 'index.html'), '<html>');
  fs.writeFileSync(path.join(root, 'assets', 'a.js'), '');
  assert.equal(assetPath(root, '/index.html'), path.join(root, 'index.html'));
  assert.equal(assetPath(root, '/assets/a.js'), path.join(root, 'assets', 'a.js'));
  assert.equal(assetPath(root, '/../../etc/passwd'), null);
  assert.equal(assetPath(root, '/%2e%2e/%2e%2e/etc/passwd'), null);
  assert.equal(assetPath(root, '/assets'), null, 'a folder is no file');
  assert.equal(assetPath(root, '/%zz'), null);
  assert.equal(assetPath(root, '/a%00b'), null);
});
