import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { Runc } from '../runc.js';
import { cliNamed, loadChoice, saveChoice, type RuntimeClis } from './runtime-choice.js';

const runc = new Runc({ name: 'runc', binary: '/usr/sbin/runc', root: '/run/x/runc' });
const crun = new Runc({ name: 'crun', binary: '/usr/bin/crun', root: '/run/x/runtimes/crun', args: ['--debug'] });
const clis: RuntimeClis = {
  default: 'crun',
  byName: new Map([
    ['runc', runc],
    ['crun', crun],
  ]),
};

test('cliNamed: the default for no name, moby 400 text for an unknown one', () => {
  assert.equal(cliNamed(clis, undefined), crun);
  assert.equal(cliNamed(clis, ''), crun);
  assert.equal(cliNamed(clis, 'runc'), runc);
  assert.throws(() => cliNamed(clis, 'kata'), { kind: 'invalid', message: 'unknown or invalid runtime name: kata' });
});

test('a bundle keeps its runtime: same instance today, the recorded one after a config change, runc when unrecorded', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'berth-rt-choice-'));
  assert.equal(await loadChoice(dir, clis), runc, 'a bundle of an older berthd ran on runc');
  await saveChoice(dir, crun);
  assert.equal(await loadChoice(dir, clis), crun);
  // berthd restarted without crun configured (or with another path): the container still reaches its runtime
  const other: RuntimeClis = { default: 'runc', byName: new Map([['runc', runc]]) };
  const back = await loadChoice(dir, other);
  assert.deepEqual(back.o, crun.o);
  assert.deepEqual(back.globalArgs(), ['--root=/run/x/runtimes/crun', '--debug']);
  rmSync(dir, { recursive: true, force: true });
});
