import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FlagError, parseFlags } from '../flags/parser.js';
import { update, updateBody } from './update.js';

const parse = (args: string[]) => parseFlags(update.flags ?? [], args);

test('update body carries the given limits, the restart policy and pids only when set', () => {
  const b = updateBody(parse(['-m', '64m', '--cpus', '0.5', '--memory-swap', '-1', '--restart', 'on-failure:3']));
  assert.equal(b.Memory, 64 * 1024 * 1024);
  assert.equal(b.NanoCpus, 5e8);
  assert.equal(b.MemorySwap, -1);
  assert.deepEqual(b.RestartPolicy, { Name: 'on-failure', MaximumRetryCount: 3 });
  assert.equal('PidsLimit' in b, false);
  assert.equal(updateBody(parse(['--pids-limit', '-1'])).PidsLimit, -1);
});

test('a bad byte size is a flag error naming the flag as docker does', () => {
  assert.throws(
    () => parse(['-m', '1x']),
    (e: unknown) => {
      assert.ok(e instanceof FlagError);
      assert.match(e.message, /^invalid argument "1x" for "-m, --memory" flag: /);
      return true;
    },
  );
});
