import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { allowed, check, findCycles, importsOf } from './check-imports.mjs';

test('importsOf finds static, type-only, re-export, side-effect and dynamic imports, not comments', () => {
  const src = `
import { a } from './a.js';
import type { B } from "../b/b.js";
import {
  c,
  d as e,
} from './c.js';
export * from './f.js';
import './side.js';
const g = await import('./g.js');
// import { x } from './commented.js';
/* import { y } from './block.js'; */
import fs from 'node:fs';
`;
  assert.deepEqual(importsOf(src), ['./a.js', '../b/b.js', './c.js', './f.js', './side.js', './g.js', 'node:fs']);
});

test('allowed follows the DESIGN direction', () => {
  assert.ok(allowed('cli/commands/run.ts', 'client/client.ts'));
  assert.ok(allowed('cli/run.ts', 'api/wire/container.ts'));
  assert.ok(!allowed('cli/run.ts', 'api/server.ts'));
  assert.ok(!allowed('cli/run.ts', 'engine/service.ts'));
  assert.ok(allowed('api/routes/containers.ts', 'engine/service.ts'));
  assert.ok(allowed('engine/service.ts', 'runtime/runc.ts'));
  assert.ok(!allowed('engine/service.ts', 'api/server.ts'));
  assert.ok(!allowed('runtime/runc.ts', 'engine/store.ts'));
  assert.ok(allowed('registry/server.ts', 'storage/content/store.ts'));
  assert.ok(!allowed('registry/server.ts', 'storage/snapshot/overlay.ts'));
  assert.ok(allowed('network/bridge/x.ts', 'errdefs.ts'));
  assert.ok(allowed('logs/reader.ts', 'util/time.ts'));
  assert.ok(!allowed('errdefs.ts', 'util/x.ts'));
  assert.ok(!allowed('storage/x.ts', 'daemon/main.ts'));
  assert.ok(allowed('daemon/main.ts', 'api/server.ts'));
});

test('findCycles reports each cycle with its path', () => {
  assert.deepEqual(findCycles({ a: new Set(['b']), b: new Set(['c']), c: new Set(['a']) }), [['a', 'b', 'c', 'a']]);
  assert.deepEqual(findCycles({ a: new Set(['b']), b: new Set(['c']), c: new Set() }), []);
});

test('check flags a wrong direction and a cycle between sibling folders in a tree', () => {
  const root = mkdtempSync(join(tmpdir(), 'check-imports-'));
  const put = (p, text) => {
    mkdirSync(dirname(join(root, p)), { recursive: true });
    writeFileSync(join(root, p), text);
  };
  try {
    put('errdefs.ts', 'export const x = 1;\n');
    put('engine/service.ts', "import { x } from '../errdefs.js';\nimport { r } from '../runtime/runc.js';\n");
    put('runtime/runc.ts', 'export const r = 1;\n');
    assert.deepEqual(check(root), []);
    put('runtime/bad.ts', "import { s } from '../engine/service.js';\n");
    put('storage/a/x.ts', "import { y } from '../b/y.js';\n");
    put('storage/b/y.ts', "import { x } from '../a/x.js';\n");
    const problems = check(root);
    assert.ok(
      problems.includes('runtime/bad.ts: imports engine/service.js (runtime may not import engine)'),
      problems.join('\n'),
    );
    assert.ok(
      problems.some((p) => p.startsWith('cycle between folders: engine → runtime → engine')),
      problems.join('\n'),
    );
    assert.ok(problems.includes('cycle between folders: storage/a → storage/b → storage/a'), problems.join('\n'));
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
