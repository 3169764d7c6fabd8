import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DockerIgnore, globRegExp } from './dockerignore.js';

test('scenario patterns: dirs, **, exceptions, comments', () => {
  const d = DockerIgnore.parse('# comment\nnode_modules\n.env\n**/*.log\n!logs/keep.log\nbig.bin\n');
  assert.equal(d.excludes('node_modules'), true);
  assert.equal(d.excludes('node_modules/pkg/index.js'), true, 'parent dir match excludes the subtree');
  assert.equal(d.excludes('.env'), true);
  assert.equal(d.excludes('debug.log'), true, '**/ matches zero directories');
  assert.equal(d.excludes('logs/a.log'), true);
  assert.equal(d.excludes('logs/keep.log'), false, '! exception');
  assert.equal(d.excludes('src/app.js'), false);
  assert.equal(d.excludes('Dockerfile'), false);
  assert.equal(d.hasExceptions, true);
});

test('leading slash, single star does not cross directories, last match wins', () => {
  const d = DockerIgnore.parse('/a/*.txt\n*.md\n!README.md\nREADME.md\n');
  assert.equal(d.excludes('a/x.txt'), true);
  assert.equal(d.excludes('a/b/x.txt'), false);
  assert.equal(d.excludes('x.md'), true);
  assert.equal(d.excludes('docs/x.md'), false);
  assert.equal(d.excludes('README.md'), true);
});

test('glob translation', () => {
  assert.equal(globRegExp('a?c').test('abc'), true);
  assert.equal(globRegExp('a?c').test('a/c'), false);
  assert.equal(globRegExp('[!x]y').test('zy'), true);
  assert.equal(globRegExp('**').test('any/thing'), true);
  assert.equal(globRegExp('a/**/b').test('a/b'), true);
  assert.equal(globRegExp('a/**/b').test('a/x/y/b'), true);
});
