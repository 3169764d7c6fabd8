// DESIGN: "only network/ runs ip/iptables", and inside network/ one module spawns them (exec.ts), so every
// host network change goes through run()/ipBatch() and the fakes of the unit tests can stand in for it.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

// dist/src/network → src/ of the repository (the .ts sources)
const SRC = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../src');
const NET_COMMANDS =
  /\b(?:spawn|spawnSync|execFile|execFileSync|exec|execSync)\(\s*['"`](?:ip|iptables|iptables-restore|ip6tables|ip6tables-restore|iptables-save)\b/;

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...sources(p));
    else if (e.name.endsWith('.ts') && !e.name.endsWith('.test.ts')) out.push(p);
  }
  return out;
}

test('no module outside network/ spawns ip or iptables', () => {
  const bad = sources(SRC)
    .filter((f) => !path.relative(SRC, f).startsWith(`network${path.sep}`))
    .filter((f) => NET_COMMANDS.test(fs.readFileSync(f, 'utf8')));
  assert.deepEqual(bad, []);
});

test('inside network/, only exec.ts starts processes', () => {
  const bad = sources(path.join(SRC, 'network'))
    .filter((f) => /from ['"]node:child_process['"]/.test(fs.readFileSync(f, 'utf8')))
    .map((f) => path.relative(SRC, f));
  assert.deepEqual(bad, [path.join('network', 'exec.ts')]);
});
