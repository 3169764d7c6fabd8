import { test } from 'node:test';
import assert from 'node:assert/strict';
import { JsonProgressWriter, encodeMessage, humanSize, progressBar } from './json-progress.js';
import { invalid } from '../../errdefs.js';

function sink(): { lines: string[]; write(s: string): boolean } {
  const lines: string[] = [];
  return { lines, write: (s: string) => (lines.push(s), true) };
}

test('messages in Go field order, CRLF terminated', () => {
  const s = sink();
  const w = new JsonProgressWriter(s);
  w.status('Pulling from library/busybox', 'latest');
  w.status('Pull complete', 'a3ed95caeb02', {});
  w.progress('a3ed95caeb02', 'Downloading', { current: 1_234_567, total: 2_000_000 });
  w.stream('Step 1/2 : FROM busybox\n');
  w.aux({ ID: 'sha256:abc' });
  w.error(invalid('manifest unknown'));
  w.write({ status: 'x', errorDetail: { code: 1, message: 'm' }, error: 'm' });
  assert.deepEqual(s.lines, [
    '{"status":"Pulling from library/busybox","id":"latest"}\r\n',
    '{"status":"Pull complete","progressDetail":{},"id":"a3ed95caeb02"}\r\n',
    '{"status":"Downloading","progressDetail":{"current":1234567,"total":2000000},"progress":"[==============================>                    ]  1.235MB/2MB","id":"a3ed95caeb02"}\r\n',
    '{"stream":"Step 1/2 : FROM busybox\\n"}\r\n',
    '{"aux":{"ID":"sha256:abc"}}\r\n',
    '{"errorDetail":{"message":"manifest unknown"},"error":"manifest unknown"}\r\n',
    '{"status":"x","errorDetail":{"code":1,"message":"m"},"error":"m"}\r\n',
  ]);
  for (const l of s.lines) assert.equal(typeof JSON.parse(l), 'object');
});

test('encodeMessage drops zero fields like omitempty', () => {
  assert.equal(
    encodeMessage({ status: '', id: '', progressDetail: { current: 0, total: 5 } }),
    '{"progressDetail":{"total":5}}\r\n',
  );
  assert.equal(encodeMessage({ error: 'e' }), '{"error":"e"}\r\n');
});

test('humanSize like go-units', () => {
  assert.equal(humanSize(0), '0B');
  assert.equal(humanSize(512), '512B');
  assert.equal(humanSize(1000), '1kB');
  assert.equal(humanSize(1_234_567), '1.235MB');
  assert.equal(humanSize(2_500_000_000), '2.5GB');
  assert.equal(humanSize(999_999), '1000kB');
});

test('progressBar like JSONProgress.String at width 200', () => {
  assert.equal(progressBar({}), '');
  assert.equal(progressBar({ current: 1500 }), '   1.5kB');
  assert.equal(progressBar({ current: 3, units: 'layers' }), '3 layers');
  assert.equal(progressBar({ current: 0, total: 100 }), `[>${' '.repeat(50)}]       0B/100B`);
  assert.equal(progressBar({ current: 100, total: 100 }), `[${'='.repeat(50)}>]     100B/100B`);
  assert.equal(progressBar({ current: 150, total: 100 }), `[${'='.repeat(50)}>]     150B`);
  assert.equal(progressBar({ current: 5, total: 10, hidecounts: true }), `[${'='.repeat(25)}>${' '.repeat(25)}] `);
  assert.equal(
    progressBar({ current: 2, total: 4, units: 'steps' }),
    `[${'='.repeat(25)}>${' '.repeat(25)}] 2/4 steps`,
  );
  // Half done after 60 s: one minute left.
  assert.equal(
    progressBar({ current: 500, total: 1000, start: 1000 }, 1060),
    `[${'='.repeat(25)}>${' '.repeat(25)}]     500B/1kB 1m0s`,
  );
});
