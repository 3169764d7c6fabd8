// The shape of logs/, checked: no import cycle between its files (scripts/check-imports.mjs checks
// folders; the fluentd.ts <-> options.ts cycle removed in issue 15 was inside one folder), and no
// switch on a driver's name outside that driver's folder: drivers.ts's table is the only dispatch.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { LOG_DRIVER_TABLE } from './drivers.js';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

interface CheckImports {
  importsOf(text: string): string[];
  findCycles(graph: Record<string, Set<string>>): string[][];
}

const here = dirname(fileURLToPath(import.meta.url)); // dist/src/logs
const root = resolve(here, '../../..');
const srcLogs = join(root, 'src/logs');

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((e) => {
    const p = join(dir, e);
    return statSync(p).isDirectory() ? walk(p) : p.endsWith('.ts') && !p.endsWith('.test.ts') ? [p] : [];
  });
}

test('logs/: no import cycle between files', async () => {
  const { importsOf, findCycles } = (await import(join(root, 'scripts/check-imports.mjs'))) as CheckImports;
  const graph: Record<string, Set<string>> = {};
  for (const file of walk(srcLogs)) {
    const from = relative(srcLogs, file);
    graph[from] = new Set();
    for (const spec of importsOf(readFileSync(file, 'utf8'))) {
      if (!spec.startsWith('.')) continue;
      const to = relative(srcLogs, resolve(dirname(file), spec)).replace(/\.js$/, '.ts');
      if (!to.startsWith('..')) graph[from].add(to);
    }
  }
  assert.ok(Object.keys(graph).length > 20, 'the sources were found');
  assert.deepEqual(findCycles(graph), []);
});

test('logs/: a driver’s name is spelled only in its own folder', () => {
  // 'none' is also a gelf compression type: its folder holds nothing to switch on anyway
  const names = [...LOG_DRIVER_TABLE.keys()].filter((n) => n !== 'none');
  const found: string[] = [];
  for (const file of walk(srcLogs)) {
    const rel = relative(srcLogs, file);
    const text = readFileSync(file, 'utf8');
    for (const n of names) if (text.includes(`'${n}'`) && !rel.startsWith(`${n}/`)) found.push(`${rel}: '${n}'`);
  }
  assert.ok(names.length >= 5, 'the table was read');
  assert.deepEqual(found, []);
});
