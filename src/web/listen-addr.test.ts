import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseListenAddr } from './listen-addr.js';

test('host:port, bracketed IPv6 and localhost parse', () => {
  assert.deepEqual(parseListenAddr('127.0.0.1:9080'), { host: '127.0.0.1', port: 9080 });
  assert.deepEqual(parseListenAddr('[::1]:9080'), { host: '::1', port: 9080 });
  assert.deepEqual(parseListenAddr('localhost:1'), { host: 'localhost', port: 1 });
  assert.deepEqual(parseListenAddr('tcp://0.0.0.0:9080'), { host: '0.0.0.0', port: 9080 });
});

test('bad addresses are invalid with the flag named', () => {
  for (const bad of ['9080', '127.0.0.1', '127.0.0.1:0', '127.0.0.1:70000', 'example.com:80', '[zz]:80', '::1:80']) {
    assert.throws(
      () => parseListenAddr(bad),
      (e: Error & { kind?: string }) => {
        assert.equal(e.kind, 'invalid');
        assert.match(e.message, /--web/);
        return true;
      },
    );
  }
});
