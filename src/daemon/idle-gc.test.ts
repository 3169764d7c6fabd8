// The idle collector: it collects once the loop is quiet with garbage above the slack, never while
// busy, takes what survives as the new floor, and really frees a burst's garbage in a fresh process.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { test } from 'node:test';
import { IdleGcPolicy } from './idle-gc.js';

const MiB = 1024 * 1024;

test('collects when idle with garbage above the slack, not when busy or below it', () => {
  const p = new IdleGcPolicy(10 * MiB, 8 * MiB, 0.05);
  assert.equal(p.tick(12 * MiB, 0.01), false, 'below the slack');
  assert.equal(p.tick(40 * MiB, 0.6), false, 'a busy loop is left alone');
  assert.equal(p.tick(40 * MiB, 0.01), true, 'quiet with 30 MiB above the floor');
});

test('what survives a collection is the new floor; a lower heap lowers it', () => {
  const p = new IdleGcPolicy(10 * MiB, 8 * MiB, 0.05);
  assert.equal(p.tick(40 * MiB, 0), true);
  p.collected(25 * MiB); // more containers: more live state, not garbage
  assert.equal(p.tick(26 * MiB, 0), false, 'no collection again and again for live state');
  assert.equal(p.tick(12 * MiB, 0), false, 'V8 collected on its own');
  assert.equal(p.tick(21 * MiB, 0), true, 'the floor followed it down');
});

test('in a quiet process the garbage of a burst is collected without --expose-gc', () => {
  const script = `
    const { startIdleGc, heapInUse, exposeGc } = await import(${JSON.stringify(new URL('./idle-gc.js', import.meta.url).href)});
    const realGc = exposeGc();
    let collections = 0;
    const stop = startIdleGc({ intervalMs: 20, gc: () => { collections++; realGc(); } });
    const before = heapInUse();
    let keep = Array.from({ length: 40 }, () => new ArrayBuffer(1 << 20));
    keep = null;
    const burst = heapInUse();
    while (collections === 0) await new Promise((r) => setTimeout(r, 20));
    stop();
    // ArrayBuffer backing stores are released by a sweeper task after the collection
    for (let i = 0; i < 100 && burst - heapInUse() < 32 * 1048576; i++) await new Promise((r) => setTimeout(r, 20));
    console.log(JSON.stringify({ garbage: burst - before, freed: burst - heapInUse(), hasGlobalGc: typeof gc }));`;
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
    encoding: 'utf8',
    timeout: 30_000,
  });
  const r = JSON.parse(out) as { garbage: number; freed: number; hasGlobalGc: string };
  assert.ok(r.garbage >= 32 * MiB, `the burst made ${r.garbage} bytes`);
  assert.ok(r.freed >= 32 * MiB, `the idle collection freed ${r.freed} of them`);
  assert.equal(r.hasGlobalGc, 'undefined', 'gc() is not left on the global object');
});
