// DESIGN's rule "every container mutation goes through its queue: check transition → act → persist →
// emit", checked on the sources: only engine/transitions.ts changes a container's status, and only it
// saves a container record (everyone else calls ContainerService.updateRecord or a lifecycle method).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

// dist/src/engine/ → the repository's src/
const SRC = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../src');
const WRITER = 'engine/transitions.ts';

interface Rule {
  what: string;
  re: RegExp;
  allowed: readonly string[];
}

export const RULES: readonly Rule[] = [
  // rec.state.status = …, rec.state = {…}, Object.assign(rec.state, …); not `this.state` (other state machines)
  {
    what: 'assigns a container status',
    re: /\.state\.status\s*=(?!=)|(?<!\bthis)\.state\s*=(?!=)|Object\.assign\(\s*[\w.]+\.state\b/,
    allowed: [WRITER],
  },
  // the container store's save, directly or through a port (daemon wiring, network's containers port)
  {
    what: 'saves a container record',
    re: /\b(?:store|containers|containerStore)\s*\.\s*save\s*\(/,
    allowed: [WRITER, 'engine/store.ts'],
  },
];

/** Tests and their fakes (x.test.ts, testing.ts, fake-*.ts) build records as they please. */
const TEST_SUPPORT = /\.test\.ts$|\.d\.ts$|^testing\.ts$|^fakes?[-.]/;

function sources(dir: string, out: string[] = []): string[] {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) sources(p, out);
    else if (e.name.endsWith('.ts') && !TEST_SUPPORT.test(e.name)) out.push(p);
  }
  return out;
}

/** Code without comments (a comment may name the rule it follows). */
function code(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`\\])\/\/.*$/gm, '$1');
}

/** Violations of the rules in the files of root: "file:line: what". */
export function violations(root: string): string[] {
  const out: string[] = [];
  for (const file of sources(root)) {
    const rel = path.relative(root, file).split(path.sep).join('/');
    const lines = code(fs.readFileSync(file, 'utf8')).split('\n');
    for (const r of RULES) {
      if (r.allowed.includes(rel)) continue;
      lines.forEach((l, i) => {
        if (r.re.test(l)) out.push(`${rel}:${i + 1}: ${r.what}: ${l.trim()}`);
      });
    }
  }
  return out;
}

test('only engine/transitions.ts changes a container status or saves a container record', () => {
  assert.ok(fs.existsSync(path.join(SRC, WRITER)), `sources not found at ${SRC}`);
  assert.deepEqual(violations(SRC), []);
});

test('the scanner catches each kind of write (and not reads or other state machines)', () => {
  const dir = fs.mkdtempSync(path.join(process.env.TMPDIR ?? '/tmp', 'single-writer-'));
  try {
    fs.mkdirSync(path.join(dir, 'engine'));
    fs.mkdirSync(path.join(dir, 'network'));
    fs.writeFileSync(
      path.join(dir, WRITER),
      'rec.state.status = s;\nrec.state = { status };\nawait this.store.save(rec);\n',
    );
    fs.writeFileSync(
      path.join(dir, 'engine/health.ts'),
      "rec.state.status = 'exited';\nif (rec.state.status === 'running') x();\nawait this.containers.d.store.save(rec);\n// store.save(rec) in a comment\n",
    );
    fs.writeFileSync(
      path.join(dir, 'network/service.ts'),
      'await this.d.containers.save(c);\nthis.state = "header";\nObject.assign(c.state, { pid: 0 });\nc.state = {};\n',
    );
    assert.deepEqual(
      violations(dir)
        .map((v) => v.split(': ').slice(0, 2).join(': '))
        .sort(),
      [
        'engine/health.ts:1: assigns a container status',
        'engine/health.ts:3: saves a container record',
        'network/service.ts:1: saves a container record',
        'network/service.ts:3: assigns a container status',
        'network/service.ts:4: assigns a container status',
      ],
    );
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
