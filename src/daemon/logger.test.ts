import assert from 'node:assert/strict';
import { test } from 'node:test';
import { daemonLogger } from './logger.js';

test('daemonLogger: logrus-style lines at or above the level, message JSON-quoted', () => {
  const lines: string[] = [];
  const log = daemonLogger(
    'info',
    (l) => lines.push(l),
    () => new Date('2024-05-01T10:00:00Z'),
  );
  log('debug', 'hidden');
  log('info', 'API listen on /run/berth.sock');
  log('error', 'a "quoted"\nthing');
  assert.deepEqual(lines, [
    'time="2024-05-01T10:00:00.000Z" level=info msg="API listen on /run/berth.sock"\n',
    'time="2024-05-01T10:00:00.000Z" level=error msg="a \\"quoted\\"\\nthing"\n',
  ]);
});
