import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { mainCaptured } from '../main-capture.js';

test('completion bash is valid bash that completes commands, subcommands and flags', async () => {
  const r = await mainCaptured('/nonexistent.sock', ['completion', 'bash']);
  assert.equal(r.code, 0);
  assert.equal(spawnSync('bash', ['-n'], { input: r.out }).status, 0, 'bash -n accepts the script');
  // complete "berth vol" → volume, "berth volume cr" → create, "berth network create --sub" → --subnet
  const ask = (line: string) => {
    const words = line.split(' ');
    const script = `${r.out}\nCOMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}; _berth; echo "\${COMPREPLY[@]}"`;
    return spawnSync('bash', ['-c', script], { encoding: 'utf8' }).stdout.trim();
  };
  assert.equal(ask('berth vol'), 'volume');
  assert.equal(ask('berth volume cr'), 'create');
  assert.equal(ask('berth network create --sub'), '--subnet');
  assert.match(
    (await mainCaptured('/nonexistent.sock', ['completion', 'zsh'])).out,
    /^#compdef berth\nautoload -U \+X bashcompinit/,
  );
  assert.equal((await mainCaptured('/nonexistent.sock', ['completion', 'fish'])).code, 1);
});

test('help names berth and lists the management commands; plugin and swarm commands say why they are missing', async () => {
  const h = await mainCaptured('/nonexistent.sock', ['--help']);
  assert.match(h.out, /Usage: {2}berth \[OPTIONS\] COMMAND/);
  for (const g of ['volume', 'network', 'builder', 'compose']) assert.match(h.out, new RegExp(`\\n  ${g} +\\S`));
  for (const c of ['cp', 'port', 'update', 'commit', 'diff', 'export', 'events', 'login', 'logout'])
    assert.match(h.out, new RegExp(`\\n  ${c} +\\S`));
  const s = await mainCaptured('/nonexistent.sock', ['swarm', 'init']);
  assert.equal(s.code, 1);
  assert.match(s.err, /'swarm' is not supported: swarm mode/);
});
