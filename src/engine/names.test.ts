// Generated and user-given container names.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { generateName, validName } from './names.js';

test("generated names look like Docker's adjective_surname and are valid", () => {
  const seen = new Set<string>();
  for (let i = 0; i < 500; i++) {
    const n = generateName();
    assert.match(n, /^[a-z]+_[a-z]+$/);
    assert.ok(validName.test(n));
    assert.notEqual(n, 'boring_wozniak');
    seen.add(n);
  }
  assert.ok(seen.size > 400, 'names are random');
  assert.match(generateName(2), /^[a-z]+_[a-z]+\d$/, 'retries append a digit');
});

test('validName follows moby: [a-zA-Z0-9][a-zA-Z0-9_.-]+, optional leading slash', () => {
  for (const ok of ['web', 'a1', 'my-app_2.x', '/web', 'A.b']) assert.ok(validName.test(ok), ok);
  for (const bad of ['a', '', '-web', '_x', '.x', 'we b', 'x/y', 'é-x', '//web'])
    assert.equal(validName.test(bad), false, bad);
});
