import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ImageSummary } from '../../client/types.js';
import {
  historyDefaultFormat,
  historyHeaders,
  historyRow,
  imageHeaders,
  imageRows,
  imagesDefaultFormat,
  splitRef,
  withTag,
} from './images.js';
import { renderRows } from './render.js';

const now = 1_700_000_000_000;
const img = (over: Partial<ImageSummary>): ImageSummary => ({
  Id: 'sha256:3f57d9401f8d42f986df300f0c69192fc41da28ccc8d797829467780db3dd741',
  ParentId: '',
  RepoTags: ['busybox:latest'],
  RepoDigests: [],
  Created: now / 1000 - 3 * 86400,
  Size: 4_261_550,
  SharedSize: -1,
  Labels: null,
  Containers: -1,
  ...over,
});

test('images table', () => {
  const rows = imageRows(
    [
      img({ RepoTags: ['busybox:latest', 'localhost:5000/my/busybox:1.0'] }),
      img({ Id: 'sha256:aaaabbbbccccdddd', RepoTags: [], Size: 0 }),
    ],
    { trunc: true, digests: false, now },
  );
  assert.equal(
    renderRows(rows, '', imagesDefaultFormat(false), imageHeaders),
    [
      'REPOSITORY                  TAG       IMAGE ID       CREATED      SIZE',
      'busybox                     latest    3f57d9401f8d   3 days ago   4.26MB',
      'localhost:5000/my/busybox   1.0       3f57d9401f8d   3 days ago   4.26MB',
      '<none>                      <none>    aaaabbbbcccc   3 days ago   0B',
      '',
    ].join('\n'),
  );
});

test('images quiet/no-trunc and digests', () => {
  const rows = imageRows([img({ RepoDigests: ['busybox@sha256:abc'] })], { trunc: false, digests: true, now });
  assert.equal(renderRows(rows, '{{.ID}} {{.Digest}}', '', imageHeaders), `${img({}).Id} sha256:abc\n`);
  assert.deepEqual(splitRef('localhost:5000/a:b'), { repo: 'localhost:5000/a', tag: 'b' });
  assert.deepEqual(splitRef('localhost:5000/a'), { repo: 'localhost:5000/a' });
  // withTag adds :latest only to a reference with neither tag nor digest (docker's TagNameOnly)
  for (const ref of ['localhost:5000/a:b', 'a@sha256:abc']) assert.equal(withTag(ref), ref);
  assert.equal(withTag('busybox'), 'busybox:latest');
  assert.equal(withTag('localhost:5000/a'), 'localhost:5000/a:latest');
});

test('history table', () => {
  // two layers made two hours ago, as `docker history` lists them (truncated, human sizes)
  const layer = (Id: string, CreatedBy: string, Size: number) =>
    historyRow(
      { Id, Created: now / 1000 - 7200, CreatedBy, Size, Comment: '', Tags: null },
      { trunc: true, human: true, now },
    );
  const rows = [
    layer('sha256:0123456789abcdef', '/bin/sh -c #(nop)  CMD ["sh"]', 0),
    layer('<missing>', '/bin/sh -c #(nop) ADD file:0123456789abcdef0123456789 in / ', 4_261_550),
  ];
  assert.equal(
    renderRows(rows, '', historyDefaultFormat, historyHeaders),
    [
      'IMAGE          CREATED       CREATED BY                                      SIZE      COMMENT',
      '0123456789ab   2 hours ago   /bin/sh -c #(nop)  CMD ["sh"]                   0B        ',
      '<missing>      2 hours ago   /bin/sh -c #(nop) ADD file:0123456789abcdef0…   4.26MB    ',
      '',
    ].join('\n'),
  );
  const raw = historyRow(
    { Id: 'x', Created: 0, CreatedBy: '', Size: 10, Comment: 'c', Tags: null },
    { trunc: false, human: false, now },
  );
  assert.equal(renderRows([raw], '{{.CreatedSince}} {{.Size}}', '', historyHeaders), '1970-01-01T00:00:00Z 10\n');
});
