import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { DetachMatcher, DetachStream, parseDetachKeys } from './detach.js';
import { EngineError } from '../../errdefs.js';

test('parseDetachKeys follows term.ToBytes', () => {
  assert.deepEqual([...parseDetachKeys('ctrl-p,ctrl-q')], [16, 17]);
  assert.deepEqual([...parseDetachKeys(undefined)], [16, 17]);
  assert.deepEqual([...parseDetachKeys('')], [16, 17]);
  assert.deepEqual([...parseDetachKeys('ctrl-x')], [24]);
  assert.deepEqual([...parseDetachKeys('a,b')], [97, 98]);
  assert.deepEqual(
    [...parseDetachKeys('ctrl-@,ctrl-[,ctrl-\\,ctrl-],ctrl-^,ctrl-_,DEL,.')],
    [0, 27, 28, 29, 30, 31, 127, 46],
  );
  for (const bad of ['ctrl-P', 'ctrl-1', 'ab', 'a,,b', 'ctrl-', 'é']) {
    assert.throws(
      () => parseDetachKeys(bad),
      (e: unknown) =>
        e instanceof EngineError && e.kind === 'invalid' && e.message === `Invalid detach keys (${bad}) provided`,
      bad,
    );
  }
});

function run(m: DetachMatcher, chunks: string[]): { out: string; detach: boolean } {
  let out = '';
  for (const c of chunks) {
    const r = m.push(Buffer.from(c, 'latin1'));
    out += r.data.toString('latin1');
    if (r.detach) return { out, detach: true };
  }
  return { out: out + m.flush().toString('latin1'), detach: false };
}

test('DetachMatcher passes bytes and detaches on the sequence, any chunking', () => {
  const P = '\x10';
  const Q = '\x11';
  const mk = () => new DetachMatcher(parseDetachKeys('ctrl-p,ctrl-q'));
  assert.deepEqual(run(mk(), ['hello\n']), { out: 'hello\n', detach: false });
  assert.deepEqual(run(mk(), ['ab', P, Q, 'after']), { out: 'ab', detach: true });
  assert.deepEqual(run(mk(), [`ab${P}${Q}cd`]), { out: 'ab', detach: true });
  assert.deepEqual(run(mk(), [`ab${P}`, `${Q}cd`]), { out: 'ab', detach: true });
  // Broken-off sequence: the held ctrl-p is released in order.
  assert.deepEqual(run(mk(), [`a${P}`, 'b', Q]), { out: `a${P}b${Q}`, detach: false });
  assert.deepEqual(run(mk(), [`${P}${P}${Q}`]), { out: P, detach: true });
  // Held at the end of input: flushed to the container.
  assert.deepEqual(run(mk(), ['x', P]), { out: `x${P}`, detach: false });
  // Three-key sequence split everywhere.
  const keys = parseDetachKeys('a,b,c');
  const text = 'xxabxabyabcz';
  for (let cut = 0; cut <= text.length; cut++) {
    const r = run(new DetachMatcher(keys), [text.slice(0, cut), text.slice(cut)]);
    assert.deepEqual(r, { out: 'xxabxaby', detach: true }, `cut ${cut}`);
  }
  // Byte by byte, like keystrokes.
  assert.deepEqual(run(new DetachMatcher(keys), [...text]), { out: 'xxabxaby', detach: true });
});

test('DetachStream emits detach and ends; without it passes everything', async () => {
  const s = new DetachStream(parseDetachKeys('ctrl-x'));
  let detached = false;
  s.on('detach', () => (detached = true));
  const got: Buffer[] = [];
  for await (const c of Readable.from([Buffer.from('ls\n'), Buffer.from('pw\x18d\n'), Buffer.from('never')]).pipe(s))
    got.push(c as Buffer);
  assert.equal(Buffer.concat(got).toString(), 'ls\npw');
  assert.equal(detached, true);

  const t = new DetachStream();
  const all: Buffer[] = [];
  for await (const c of Readable.from([Buffer.from('a\x10'), Buffer.from('b\x10')]).pipe(t)) all.push(c as Buffer);
  assert.equal(Buffer.concat(all).toString('latin1'), 'a\x10b\x10');
});
