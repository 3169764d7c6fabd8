// The generated probe is a valid static executable that reports a syscall's errno as its exit
// status: checked on the host, without a container or a seccomp filter in the way.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { probeUnsupported, syscallProbe, X86_64 } from './syscall-probe.js';

// The probe is x86_64 machine code written as bytes (no compiler needed on CI); on any other
// architecture the test skips with probeUnsupported, which names the host's arch.
const dir = mkdtempSync(join(tmpdir(), 'berth-probe-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** Writes the probe for (nr, args) and runs it: its exit status. */
function status(nr: number, args: number[] = []): number | null {
  const p = join(dir, `p${nr}-${args.join('_')}`);
  writeFileSync(p, syscallProbe(nr, args));
  chmodSync(p, 0o755);
  const r = spawnSync(p);
  assert.equal(r.signal, null, 'the probe exits, it does not crash');
  return r.status;
}

test('the probe exits 0 when the call succeeds and with the errno when it fails', (t) => {
  if (probeUnsupported) return t.skip(probeUnsupported);
  assert.equal(status(X86_64.getpid), 0);
  assert.equal(status(X86_64.close, [-1]), 9, 'close(-1): EBADF');
  assert.equal(status(100_000), 38, 'an unknown syscall number: ENOSYS');
  assert.equal(status(X86_64.keyctl, [9999]), 95, 'keyctl with an unknown command: EOPNOTSUPP');
  assert.equal(status(X86_64.add_key), 14, 'add_key(NULL, …): EFAULT');
});

test('the file is a 64-bit little-endian x86_64 executable whose one segment is the whole file', () => {
  const elf = syscallProbe(X86_64.getpid);
  assert.deepEqual([...elf.subarray(0, 6)], [0x7f, 0x45, 0x4c, 0x46, 2, 1]);
  assert.equal(elf.readUInt16LE(18), 0x3e);
  assert.equal(elf.readBigUInt64LE(96), BigInt(elf.length));
  assert.throws(() => syscallProbe(1, [1, 2, 3, 4, 5, 6, 7]), /at most six/);
});
