import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { humanSize } from './format/units.js';
import { displayJSONMessages, goDuration, progressString, StreamError } from './progress.js';

const lines = (...m: object[]) => Readable.from([m.map((x) => JSON.stringify(x)).join('\r\n') + '\r\n']);
const sink = () => {
  let s = '';
  return { out: { write: (c: string) => ((s += c), true) } as unknown as NodeJS.WritableStream, text: () => s };
};
const msgs = [
  { status: 'Pulling from b/x', id: '1' },
  { status: 'Pulling fs layer', progressDetail: {}, id: 'aaa' },
  { status: 'Pulling fs layer', progressDetail: {}, id: 'bbb' },
  {
    status: 'Downloading',
    progressDetail: { current: 500000, total: 1000000 },
    progress: '[==>] 500kB/1MB',
    id: 'aaa',
  },
  { status: 'Pull complete', progressDetail: {}, id: 'aaa' },
  { status: 'Digest: sha256:x' },
  { progressDetail: {}, aux: { Tag: '1' } },
];

test('go-units and Go duration formats', () => {
  assert.deepEqual([0, 512, 65140, 98300, 21e6, 50010000, 1049400000].map(humanSize), [
    '0B',
    '512B',
    '65.14kB',
    '98.3kB',
    '21MB',
    '50.01MB',
    '1.049GB',
  ]);
  assert.deepEqual([0, 5, 62, 3600, 3723].map(goDuration), ['0s', '5s', '1m2s', '1h0m0s', '1h2m3s']);
});

test('progressString: bar above 110 columns, time left above 50, numbers only below', () => {
  const p = { current: 500000, total: 1000000 };
  assert.equal(progressString(p, 120), `[${'='.repeat(25)}>${' '.repeat(25)}]    500kB/1MB`);
  assert.equal(progressString(p, 80), '   500kB/1MB');
  assert.equal(progressString({ ...p, start: 100 }, 80, 110_000), '   500kB/1MB 10s');
  assert.equal(progressString({ ...p, start: 100 }, 40, 110_000), '   500kB/1MB');
  assert.equal(progressString({ current: 2e6, total: 1e6 }, 120), `[${'='.repeat(50)}>]      2MB`);
  assert.equal(progressString({}, 120), '');
  assert.equal(progressString({ current: 1234 }, 120), ' 1.234kB');
});

test('terminal: each id owns a line rewritten in place, like docker', async () => {
  const s = sink();
  await displayJSONMessages(lines(...msgs), s.out, { terminal: true, width: 120 });
  const bar = `[${'='.repeat(25)}>${' '.repeat(25)}]    500kB/1MB`;
  assert.equal(
    s.text(),
    '1: Pulling from b/x\n' +
      '\n\x1b[1A\x1b[2K\raaa: Pulling fs layer \r\x1b[1B' +
      '\n\x1b[1A\x1b[2K\rbbb: Pulling fs layer \r\x1b[1B' +
      `\x1b[2A\x1b[2K\raaa: Downloading ${bar}\r\x1b[2B` +
      '\x1b[2A\x1b[2K\raaa: Pull complete \r\x1b[2B' +
      'Digest: sha256:x\n',
  );
});

test('not a terminal: one line per status, byte counts left out, errors thrown', async () => {
  const s = sink();
  assert.equal(await displayJSONMessages(lines(...msgs), s.out, { terminal: false }), 'Digest: sha256:x');
  assert.equal(
    s.text(),
    '1: Pulling from b/x\naaa: Pulling fs layer\nbbb: Pulling fs layer\naaa: Pull complete\nDigest: sha256:x\n',
  );
  await assert.rejects(
    displayJSONMessages(lines({ status: 'x' }, { errorDetail: { message: 'boom' }, error: 'boom' }), sink().out),
    (e: Error) => e instanceof StreamError && e.message === 'boom',
  );
});
