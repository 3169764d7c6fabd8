import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compile } from '../format/template.js';
import { dfRows, goEvent, prettyEvent, rfc3339NanoFixed } from './system-more.js';

test('system df rows: counts, active, sizes and reclaimable percentages as docker computes them', () => {
  const rows = dfRows({
    LayersSize: 1000,
    Images: [
      { Containers: 1, Size: 600, SharedSize: 100 },
      { Containers: 0, Size: 400, SharedSize: 0 },
    ],
    Containers: [
      { State: 'running', SizeRw: 10 },
      { State: 'exited', SizeRw: 30 },
    ],
    Volumes: [{ UsageData: { Size: 2000, RefCount: 0 } }, { UsageData: { Size: -1, RefCount: 1 } }],
    BuildCache: null,
  });
  assert.deepEqual(
    rows.map((r) => [r.Type, r.TotalCount, r.Active, r.Size, r.Reclaimable]),
    [
      ['Images', '2', '1', '1kB', '500B (50%)'],
      ['Containers', '2', '1', '40B', '30B (75%)'],
      ['Local Volumes', '2', '1', '2kB', '2kB (100%)'],
      ['Build Cache', '0', '0', '0B', '0B'],
    ],
  );
});

test('events print as docker prints them: fixed nanoseconds, sorted attributes, Go field names', () => {
  assert.equal(rfc3339NanoFixed(1700000000000000001n, 0), '2023-11-14T22:13:20.000000001Z');
  assert.equal(rfc3339NanoFixed(1700000000000000000n, 60), '2023-11-14T23:13:20.000000000+01:00');
  const e = {
    status: 'start',
    id: 'abc',
    Type: 'container',
    Action: 'start',
    Actor: { ID: 'abc', Attributes: { name: 'x', image: 'bb' } },
    scope: 'local',
    time: 1700000000,
    timeNano: 1700000000123456800,
  };
  assert.match(prettyEvent(e, '1700000000123456789'), /\.123456789\S* container start abc \(image=bb, name=x\)\n$/);
  const g = goEvent(e, '1700000000123456789');
  assert.equal(compile('{{.Status}} {{.ID}} {{.TimeNano}}').execute(g), 'start abc 1700000000123456789');
  assert.equal(
    JSON.stringify(g),
    '{"status":"start","id":"abc","Type":"container","Action":"start","Actor":{"ID":"abc","Attributes":{"image":"bb","name":"x"}},"scope":"local","time":1700000000,"timeNano":1700000000123456800}',
  );
});

test('events: a filter without = is a usage error; templates are parsed as given (no \\t rewriting)', async () => {
  const { parseFlags, FlagError } = await import('../flags/parser.js');
  const { events } = await import('./system-more.js');
  assert.throws(
    () => parseFlags(events.flags ?? [], ['-f', 'x']),
    (e: unknown) => e instanceof FlagError && /for "-f, --filter" flag: bad format of filter/.test(e.message),
  );
  assert.equal(compile('{{.A}}\\t{{"\\n"}}').execute({ A: 'a' }), 'a\\t\n');
});
