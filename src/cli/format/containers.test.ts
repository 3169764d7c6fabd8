import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ContainerSummary } from '../../client/types.js';
import { containerHeaders, containerRow, displayablePorts, psDefaultFormat } from './containers.js';
import { renderRows } from './render.js';
import { ellipsis, truncateId } from './ellipsis.js';

const now = 1_700_000_000_000;
const c = (over: Partial<ContainerSummary>): ContainerSummary => ({
  Id: '0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef',
  Names: ['/web'],
  Image: 'busybox',
  ImageID: 'sha256:ffff',
  Command: 'sleep 300',
  Created: now / 1000 - 2,
  Ports: [],
  Labels: { b: '2', a: '1' },
  State: 'running',
  Status: 'Up 2 seconds',
  ...over,
});

test('ps default table matches the docker CLI layout', () => {
  const rows = [
    containerRow(c({}), { trunc: true, now }),
    containerRow(
      c({
        Id: 'fedcba9876543210fedcba9876543210',
        Names: ['/db'],
        Command: 'sh -c while true; do echo hi; sleep 1; done',
        Created: now / 1000 - 90,
        State: 'exited',
        Status: 'Exited (0) 3 seconds ago',
      }),
      { trunc: true, now },
    ),
  ];
  const out = renderRows(rows, '', psDefaultFormat(false), containerHeaders);
  assert.equal(
    out,
    [
      'CONTAINER ID   IMAGE     COMMAND                  CREATED              STATUS                     PORTS     NAMES',
      '0123456789ab   busybox   "sleep 300"              2 seconds ago        Up 2 seconds                         web',
      'fedcba987654   busybox   "sh -c while true; d…"   About a minute ago   Exited (0) 3 seconds ago             db',
      '',
    ].join('\n'),
  );
});

test('no-trunc, custom formats, json, labels', () => {
  const r = containerRow(c({ Names: ['/web', '/other/alias'] }), { trunc: false, now });
  assert.equal(renderRows([r], '{{.ID}}', '', containerHeaders), c({}).Id + '\n');
  assert.equal(renderRows([r], '{{.Names}}', '', containerHeaders), 'web,other/alias\n');
  const t = containerRow(c({ Names: ['/web', '/other/alias'] }), { trunc: true, now });
  assert.equal(renderRows([t], '{{.Names}}\\t{{.Labels}}', '', containerHeaders), 'web\ta=1,b=2\n');
  assert.equal(renderRows([t], '{{.Label "a"}}', '', containerHeaders), '1\n');
  assert.equal(
    renderRows([t], 'table {{.Names}}\t{{.State}}', '', containerHeaders),
    'NAMES     STATE\nweb       running\n',
  );
  const j = JSON.parse(renderRows([t], 'json', '', containerHeaders));
  assert.equal(j.Names, 'web');
  assert.equal(j.Command, '"sleep 300"');
  assert.equal(j.Status, 'Up 2 seconds');
});

test('size column', () => {
  const r = containerRow(c({ SizeRw: 0, SizeRootFs: 4_260_000 }), { trunc: true, now });
  assert.equal(renderRows([r], '{{.Size}}', '', containerHeaders), '0B (virtual 4.26MB)\n');
});

test('ports like DisplayablePorts', () => {
  assert.equal(
    displayablePorts([
      { IP: '0.0.0.0', PrivatePort: 80, PublicPort: 8080, Type: 'tcp' },
      { IP: '::', PrivatePort: 80, PublicPort: 8080, Type: 'tcp' },
    ]),
    '0.0.0.0:8080->80/tcp, [::]:8080->80/tcp',
  );
  assert.equal(
    displayablePorts([
      { PrivatePort: 81, Type: 'tcp' },
      { PrivatePort: 80, Type: 'tcp' },
      { PrivatePort: 53, Type: 'udp' },
    ]),
    '53/udp, 80-81/tcp',
  );
});

test('ellipsis and truncateId', () => {
  assert.equal(ellipsis('abcdef', 4), 'abc…');
  assert.equal(ellipsis('abc', 4), 'abc');
  assert.equal(truncateId('sha256:0123456789abcdef'), '0123456789ab');
});
