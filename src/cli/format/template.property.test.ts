// Property tests for `--format` templates (Go text/template subset): any template over any
// JSON-shaped data renders to a string or fails with the template's Error, never a TypeError,
// RangeError (deep nesting) or a hang.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { onlyThrows, params } from '../../util/prop-check.js';
import { render } from './template.js';

const TOKENS = [
  '{{',
  '}}',
  '{{.}}',
  '{{.Names}}',
  '{{.ID}}',
  '{{.constructor}}',
  '{{.__proto__}}',
  '{{json .}}',
  '{{join .Names ","}}',
  '{{range .Names}}',
  '{{end}}',
  '{{if .ID}}',
  '{{else}}',
  '{{with .Labels}}',
  '{{$x := .ID}}',
  '{{$x}}',
  '{{index .Labels "a"}}',
  '{{upper .ID}}',
  '{{printf "%s %d %v" .ID 3 .}}',
  '{{table}}',
  '{{.Labels.a}}',
  '{{ .ID | lower }}',
  '(',
  ')',
  '"',
  '`',
  ' ',
  '\\t',
  'x',
  '{{-',
  '-}}',
  '{{/* c */}}',
  '{{len .Names}}',
  '{{slice .ID 1 2}}',
  '{{split .ID "a"}}',
  '{{truncate .ID 2}}',
  '{{pad .ID 1 2}}',
  '{{title .ID}}',
];

test('any template renders to a string or fails with the template Error', () => {
  const data = fc.oneof(
    fc.jsonValue({ maxDepth: 3 }),
    fc.record({
      ID: fc.string(),
      Names: fc.array(fc.string(), { maxLength: 3 }),
      Labels: fc.dictionary(fc.string({ maxLength: 3 }), fc.string()),
    }),
  );
  fc.assert(
    fc.property(
      fc.array(fc.constantFrom(...TOKENS), { maxLength: 12 }).map((t) => t.join('')),
      data,
      (tpl, d) => {
        const out = onlyThrows(() => render(tpl, d), Error);
        if (out !== undefined) assert.equal(typeof out, 'string');
      },
    ),
    params(1000),
  );
});

test('deeply nested actions and data are answered, not a stack overflow', () => {
  onlyThrows(() => render('{{if .}}'.repeat(5000) + 'x' + '{{end}}'.repeat(5000), { a: 1 }), Error);
  onlyThrows(() => render('{{' + '('.repeat(5000) + '.' + ')'.repeat(5000) + '}}', { a: 1 }), Error);
  let deep: unknown = 'x';
  for (let i = 0; i < 100_000; i++) deep = [deep];
  onlyThrows(() => render('{{json .}}', deep), Error);
});
