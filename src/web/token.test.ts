import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { ensureToken, TOKEN_FILE, tokenMatches } from './token.js';

test('the token is made once, kept 0600 and reused', (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-web-token-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const a = ensureToken(dir);
  assert.match(a, /^[0-9a-f]{64}$/);
  assert.equal(fs.statSync(path.join(dir, TOKEN_FILE)).mode & 0o777, 0o600);
  fs.chmodSync(path.join(dir, TOKEN_FILE), 0o644);
  assert.equal(ensureToken(dir), a);
  assert.equal(fs.statSync(path.join(dir, TOKEN_FILE)).mode & 0o777, 0o600);
  fs.writeFileSync(path.join(dir, TOKEN_FILE), 'short\n');
  assert.notEqual(ensureToken(dir), a, 'a damaged file is replaced');
});

test('tokenMatches needs the whole token', () => {
  assert.equal(tokenMatches('abc', 'abc'), true);
  assert.equal(tokenMatches('ab', 'abc'), false);
  assert.equal(tokenMatches(undefined, 'abc'), false);
  assert.equal(tokenMatches('', 'abc'), false);
});
