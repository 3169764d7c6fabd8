import { test } from 'node:test';
import assert from 'node:assert/strict';
import { goArch } from './go-arch.js';

test('goArch: Node arch names map to Go spellings', () => {
  assert.equal(goArch('x64'), 'amd64');
  assert.equal(goArch('ia32'), '386');
  assert.equal(goArch('arm64'), 'arm64');
  assert.equal(goArch('ppc64'), 'ppc64le');
});

test('goArch: an arch Go has no other name for passes through', () => {
  assert.equal(goArch('riscv64'), 'riscv64');
});

test('goArch: default is this host', () => {
  assert.equal(goArch(), goArch(process.arch));
});
