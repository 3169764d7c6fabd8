import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseExecForm } from './exec-form.js';

test('parseExecForm: a JSON array of strings is the exec form', () => {
  assert.deepEqual(parseExecForm('  ["/bin/sh", "-c", "echo hi"] '), ['/bin/sh', '-c', 'echo hi']);
  assert.deepEqual(parseExecForm('[]'), []);
});

test('parseExecForm: anything else is the shell form (null)', () => {
  assert.equal(parseExecForm('echo hi'), null);
  assert.equal(parseExecForm('[echo, hi]'), null, 'not JSON');
  assert.equal(parseExecForm('["a", 1]'), null, 'not all strings');
  assert.equal(parseExecForm('["a"] && b'), null, 'trailing shell text');
});
