import { test } from 'node:test';
import assert from 'node:assert/strict';
import { attrsMember, encodeJsonEntryInto, maxEncodedLen } from './json-encode.js';

const enc = (line: Buffer | string, stream: 'stdout' | 'stderr' = 'stdout', attrs?: Record<string, string>) => {
  const e = { stream, time: 1_700_000_000_500_000_000n, line: Buffer.from(line) };
  const a = attrsMember(attrs);
  const out = Buffer.alloc(maxEncodedLen(e, a));
  return out.toString('utf8', 0, encodeJsonEntryInto(out, 0, e, a));
};

test('plain text is copied, the final newline escaped', () => {
  assert.equal(enc('hello world\n'), '{"log":"hello world\\n","stream":"stdout","time":"2023-11-14T22:13:20.5Z"}\n');
  assert.equal(enc('no newline', 'stderr'), '{"log":"no newline","stream":"stderr","time":"2023-11-14T22:13:20.5Z"}\n');
  assert.equal(enc(''), '{"log":"","stream":"stdout","time":"2023-11-14T22:13:20.5Z"}\n');
});

test("special bytes are escaped like moby's ffjsonWriteJSONBytesAsString", () => {
  const log = (l: Buffer | string) => /^\{"log":"(.*)","stream"/.exec(enc(l))![1];
  assert.equal(log('a"b\\c\n'), 'a\\"b\\\\c\\n');
  assert.equal(log('tab\there\r\n'), 'tab\\u0009here\\r\\n');
  assert.equal(log('<a href="x">&</a>\n'), '\\u003ca href=\\"x\\"\\u003e\\u0026\\u003c/a\\u003e\\n');
  assert.equal(log('\x01\x1f\b\f'), '\\u0001\\u001f\\u0008\\u000c');
  assert.equal(log('héllo ✓\n'), 'héllo ✓\\n');
  assert.equal(log(Buffer.from([0x61, 0xff, 0x62, 0x0a])), 'a\ufffdb\\n');
  assert.equal(log('sep\u2028x'), 'sep\\u2028x');
  // what we write is what JSON readers (and Docker's) read back
  for (const s of ['a"b\\c\n', 'tab\there\r\n', '<&>', 'héllo ✓\n', '\x01\x1f'])
    assert.equal(JSON.parse(enc(s)).log, s);
});

test('attrs sit between stream and time', () => {
  assert.equal(
    enc('x\n', 'stdout', { app: 'w<b>' }),
    '{"log":"x\\n","stream":"stdout","attrs":{"app":"w\\u003cb\\u003e"},"time":"2023-11-14T22:13:20.5Z"}\n',
  );
  assert.equal(attrsMember({}), null);
});
