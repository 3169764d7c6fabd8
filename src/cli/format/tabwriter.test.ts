import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tabwrite } from './tabwriter.js';

test('aligns like docker ps', () => {
  const s = tabwrite('CONTAINER ID\tIMAGE\tCOMMAND\tNAMES\n0123456789ab\tbusybox\t"sleep 300"\tweb\n');
  assert.equal(s, 'CONTAINER ID   IMAGE     COMMAND       NAMES\n' + '0123456789ab   busybox   "sleep 300"   web\n');
});

test('counts runes, not bytes, and leaves untabbed lines alone', () => {
  const s = tabwrite('A\tB\n"abc…"\tx\nplain line');
  assert.equal(s, 'A         B\n"abc…"    x\nplain line');
});
