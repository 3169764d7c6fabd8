#!/usr/bin/env node
// Checks the import direction of DESIGN.md between the folders of src/, and that folders
// import each other without cycles. Reads the .ts sources (no build needed).
//   node scripts/check-imports.mjs [SRC_DIR]      exit 1 and list violations on failure
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

// Who may import whom (top-level folders of src/; "errdefs" is src/errdefs.ts).
// Everyone may import errdefs and util. The lower layer (LOWER) may import each other
// as long as no cycle forms; nobody imports upward.
const LOWER = ['runtime', 'storage', 'images', 'network', 'volumes', 'logs', 'build'];
export const RULES = {
  errdefs: [],
  util: [],
  cli: ['client', 'api/wire', 'registry', 'kube', 'build/dockerfile'], // registry serve in-process; build's .dockerignore matcher
  kube: ['client', 'api/wire'], // Kubernetes YAML ⇄ Engine API objects, played through the client
  client: ['api/wire'],
  api: ['engine', ...LOWER],
  engine: LOWER,
  registry: ['storage/content', 'storage/fsutil'],
  daemon: ['api', 'engine', 'registry', 'web', ...LOWER],
  web: ['api/routes/attach-ws.js'], // the dashboard's edge (issue 19): its websocket framing
  ...Object.fromEntries(LOWER.map((l) => [l, LOWER.filter((x) => x !== l)])),
};
const EVERYONE = ['errdefs', 'util'];

const IMPORT_RE =
  /(?:^|[\s;])(?:import|export)\s+(?:type\s+)?(?:[\w*{}\s,$]+?\s+from\s+)?['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;

/** Module specifiers imported by a TypeScript source (comments stripped first). */
export function importsOf(text) {
  const code = text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`\\])\/\/.*$/gm, '$1');
  const out = [];
  for (const m of code.matchAll(IMPORT_RE)) out.push(m[1] ?? m[2]);
  return out;
}

/** "a/b/c.ts" (relative to src) → its top-level folder, or "errdefs" for src/errdefs.ts. */
export function topOf(rel) {
  const parts = rel.split('/');
  return parts.length === 1 ? parts[0].replace(/\.(ts|js|mts)$/, '') : parts[0];
}

/** May a file in `fromRel` import `toRel` (both relative to src/, '/'-separated)? */
export function allowed(fromRel, toRel, rules = RULES) {
  const from = topOf(fromRel);
  const to = topOf(toRel);
  if (from === to) return true;
  if (from === 'errdefs') return false; // errdefs imports nothing
  if (EVERYONE.includes(to)) return true;
  const allow = rules[from];
  if (!allow) return false; // unknown folder: add it to RULES deliberately
  return allow.some((a) => toRel === a || toRel.startsWith(a + '/') || (a === to && !a.includes('/')));
}

/** Cycles in a directed graph { node: Set(neighbours) }, each as a list of nodes. */
export function findCycles(graph) {
  const cycles = [];
  const state = new Map(); // 1 visiting, 2 done
  const stack = [];
  const visit = (n) => {
    state.set(n, 1);
    stack.push(n);
    for (const m of [...(graph[n] ?? [])].sort()) {
      if (state.get(m) === 1) cycles.push([...stack.slice(stack.indexOf(m)), m]);
      else if (!state.has(m)) visit(m);
    }
    stack.pop();
    state.set(n, 2);
  };
  for (const n of Object.keys(graph).sort()) if (!state.has(n)) visit(n);
  return cycles;
}

function walk(dir) {
  const out = [];
  for (const e of readdirSync(dir)) {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) out.push(...walk(p));
    else if (/\.(ts|mts)$/.test(e) && !e.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

/** All violations under srcDir, as strings. */
export function check(srcDir) {
  const problems = [];
  const top = {}; // folder graph between top-level folders
  const sub = {}; // graph between second-level folders of the same top-level folder
  for (const file of walk(srcDir)) {
    const fromRel = relative(srcDir, file).split(sep).join('/');
    for (const spec of importsOf(readFileSync(file, 'utf8'))) {
      if (!spec.startsWith('.')) continue; // packages and node: builtins
      const target = resolve(dirname(file), spec);
      const toRel = relative(srcDir, target).split(sep).join('/');
      if (toRel.startsWith('..')) continue; // outside src/ (tests may reach test/)
      if (!allowed(fromRel, toRel)) {
        problems.push(`${fromRel}: imports ${toRel} (${topOf(fromRel)} may not import ${topOf(toRel)})`);
      }
      const a = topOf(fromRel),
        b = topOf(toRel);
      if (a !== b) (top[a] ??= new Set()).add(b);
      else {
        const fa = fromRel.split('/'),
          fb = toRel.split('/');
        // Files directly in a folder are its entry points and may use its subfolders freely.
        if (fa.length > 2 && fb.length > 2 && fa[1] !== fb[1])
          (sub[`${a}/${fa[1]}`] ??= new Set()).add(`${b}/${fb[1]}`);
      }
    }
  }
  for (const c of findCycles(top)) problems.push(`cycle between folders: ${c.join(' → ')}`);
  for (const c of findCycles(sub)) problems.push(`cycle between folders: ${c.join(' → ')}`);
  return problems;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const src = resolve(process.argv[2] ?? join(dirname(fileURLToPath(import.meta.url)), '..', 'src'));
  const problems = check(src);
  if (problems.length) {
    console.error(`check-imports: ${problems.length} problem(s) in ${src}:`);
    for (const p of problems) console.error(`  ${p}`);
    process.exit(1);
  }
  console.log('check-imports: import direction and folder cycles ok');
}
