import assert from 'node:assert/strict';
import { test } from 'node:test';
import { flagTable } from './table.js';

test('flagTable reads name, shorthand, type, default and help from each line', () => {
  const check = () => undefined;
  assert.deepEqual(
    flagTable(
      `
      driver,d   string=bridge  Driver to manage the Network
      ipv4       bool=true      Enable or disable IPv4 address assignment
      alias      list           Add network-scoped alias
      time,t     int=-1
    `,
      { alias: { check } },
    ),
    [
      { name: 'driver', short: 'd', type: 'string', default: 'bridge', help: 'Driver to manage the Network' },
      { name: 'ipv4', type: 'bool', default: true, help: 'Enable or disable IPv4 address assignment' },
      { name: 'alias', type: 'list', help: 'Add network-scoped alias', check },
      { name: 'time', short: 't', type: 'int', default: -1 },
    ],
  );
  assert.throws(() => flagTable('x float'), /bad flag table line: x float/);
});
