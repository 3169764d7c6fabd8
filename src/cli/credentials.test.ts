import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { helperErase, helperFor, helperGet, helperStore } from './credentials.js';

// A helper that answers from its arguments: get of "tok" is an identity token, of "none" not found.
function withHelper(fn: (log: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), 'creds-'));
  const log = join(dir, 'log');
  const script = `#!/bin/sh
in=$(cat); echo "$1 $in" >> ${log}
case "$1:$in" in
get:tok) echo '{"ServerURL":"tok","Username":"<token>","Secret":"T0K"}' ;;
get:none|erase:none) echo "credentials not found in native keychain"; exit 1 ;;
get:*) echo '{"ServerURL":"r","Username":"me","Secret":"pw"}' ;;
store:*bad*) echo "no keychain here"; exit 1 ;;
esac
`;
  writeFileSync(join(dir, 'docker-credential-t'), script);
  chmodSync(join(dir, 'docker-credential-t'), 0o755);
  const path = process.env.PATH;
  process.env.PATH = `${dir}:${path}`;
  try {
    fn(log);
  } finally {
    process.env.PATH = path;
    rmSync(dir, { recursive: true, force: true });
  }
}

test('credential helpers speak docker-credential-helpers: get, store, erase, with docker texts', () => {
  withHelper(() => {
    assert.deepEqual(helperGet('t', 'r'), { username: 'me', password: 'pw' });
    assert.deepEqual(helperGet('t', 'tok'), { username: '', password: '', identitytoken: 'T0K' });
    assert.equal(helperGet('t', 'none'), undefined);
    assert.doesNotThrow(() => helperStore('t', 'r', { username: 'me', password: 'pw' }));
    assert.throws(() => helperStore('t', 'bad', { username: 'me', password: 'pw' }), {
      message: 'error storing credentials - err: no keychain here',
    });
    assert.doesNotThrow(() => helperErase('t', 'none'));
  });
  assert.throws(() => helperGet('nosuch-helper', 'r'), {
    message:
      'error getting credentials - err: exec: "docker-credential-nosuch-helper": executable file not found in $PATH, out: ``',
  });
  assert.equal(helperFor({ credsStore: 's', credHelpers: { 'r.io': 'h' } }, 'https://r.io/v2/'), 'h');
});
