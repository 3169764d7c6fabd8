// logs/ has no import cycle between its files (scripts/check-imports.mjs checks folders; the
// fluentd.ts <-> options.ts cycle this refactor removed was between two files of one folder).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
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
