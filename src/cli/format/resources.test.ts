import assert from 'node:assert/strict';
import { test } from 'node:test';
import { renderRows } from './render.js';
import {
  goTimeFromISO,
  naturalLess,
  networkDefaultFormat,
  networkHeaders,
  networkRow,
  volumeDefaultFormat,
  volumeHeaders,
  volumeRow,
} from './resources.js';

test('volume ls table and fields as docker prints them', () => {
  const rows = [
    volumeRow({ Name: 'data', Driver: 'local', Mountpoint: '/v/data/_data', Labels: { b: '2', a: '1' } }),
    volumeRow({ Name: 'x', Driver: 'local', Mountpoint: '/v/x/_data', UsageData: { Size: 2048, RefCount: 1 } }),
  ];
  assert.equal(
    renderRows(rows, '', volumeDefaultFormat, volumeHeaders),
    'DRIVER    VOLUME NAME\nlocal     data\nlocal     x\n',
  );
  assert.equal(
    renderRows(rows, '{{.Labels}}|{{.Label "b"}}|{{.Links}}|{{.Size}}', '', {}),
    'a=1,b=2|2|N/A|N/A\n||1|2.048kB\n',
  );
});

test('network ls table: truncated ids, booleans as Go prints them', () => {
  const n = {
    Id: 'f'.repeat(64),
    Name: 'front',
    Driver: 'bridge',
    Scope: 'local',
    EnableIPv6: true,
    Created: '2024-01-02T03:04:05.120Z',
  };
  assert.equal(
    renderRows([networkRow(n, true)], '', networkDefaultFormat, networkHeaders),
    `NETWORK ID     NAME      DRIVER    SCOPE\n${'f'.repeat(12)}   front     bridge    local\n`,
  );
  assert.equal(
    renderRows([networkRow(n, false)], '{{.ID}} {{.IPv4}} {{.IPv6}} {{.Internal}} {{.CreatedAt}}', '', {}),
    `${'f'.repeat(64)} false true false 2024-01-02 03:04:05.12 +0000 UTC\n`,
  );
});

test('goTimeFromISO trims the fraction as Go does; naturalLess orders digit runs by value', () => {
  assert.equal(goTimeFromISO('2024-01-02T03:04:05Z'), '2024-01-02 03:04:05 +0000 UTC');
  assert.equal(goTimeFromISO('2024-01-02T03:04:05.100000000Z'), '2024-01-02 03:04:05.1 +0000 UTC');
  assert.deepEqual(['n10', 'n9', 'a', 'n1'].sort(naturalLess), ['a', 'n1', 'n9', 'n10']);
});
