import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { contextEntries } from './build-context.js';

const dir = mkdtempSync(join(tmpdir(), 'berth-ctx-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('the context leaves out what .dockerignore excludes, keeps exceptions, the Dockerfile and .dockerignore', () => {
  for (const d of ['node_modules/pkg', 'src', 'logs']) mkdirSync(join(dir, d), { recursive: true });
  for (const f of [
    'src/app.js',
    'node_modules/pkg/i.js',
    '.env',
    'logs/a.log',
    'logs/keep.log',
    'debug.log',
    'big.bin',
  ])
    writeFileSync(join(dir, f), 'x');
  writeFileSync(join(dir, 'Dockerfile'), 'FROM busybox\n');
  assert.equal(contextEntries(dir, ''), null, 'no .dockerignore: the whole directory');
  writeFileSync(
    join(dir, '.dockerignore'),
    '# c\nnode_modules\n.env\n**/*.log\n!logs/keep.log\nbig.bin\nDockerfile\n.dockerignore\n',
  );
  assert.deepEqual(contextEntries(dir, ''), [
    '.dockerignore',
    'Dockerfile',
    'logs',
    'logs/keep.log',
    'src',
    'src/app.js',
  ]);
});
