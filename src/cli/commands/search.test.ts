import assert from 'node:assert/strict';
import { test } from 'node:test';
import { renderRows } from '../format/render.js';
import { searchRow } from './search.js';

const r = { name: 'a', description: `${'x'.repeat(50)}\r\ny`, star_count: 7, is_official: true };

test('search row: description on one line and cut at 45, [OK] in templates, true/false in json', () => {
  const row = searchRow(r, true);
  assert.equal(row.Description, `${'x'.repeat(44)}…`);
  assert.equal(row.IsOfficial, '[OK]');
  assert.equal(searchRow({ name: 'b' }, true).IsOfficial, '');
  assert.equal(searchRow(r, false).Description, `${'x'.repeat(50)}  y`);
  assert.equal(
    renderRows([row], '{{json .}}', '', {}),
    `{"Description":"${'x'.repeat(44)}…","IsOfficial":"true","Name":"a","StarCount":"7"}\n`,
  );
  assert.equal(
    renderRows([searchRow({ name: 'b' }, true, true)], 'json', '', {}),
    '{"Description":"","IsOfficial":"false","Name":"b","StarCount":"0"}\n',
  );
});
