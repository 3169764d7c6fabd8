// Property tests: any .dockerignore text and any glob (COPY sources, the images reference filter)
// compiles or is refused with Go's "syntax error in pattern"; matching is linear-time.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { EngineError } from '../../errdefs.js';
import { globToRegExp } from '../../images/glob.js';
import { near, onlyThrows, params } from '../../util/prop-check.js';
import { DockerIgnore, globRegExp } from './dockerignore.js';

const GLOB = '*?[]!^-\\/.a_b~z0';
const path = near('ab/.*[]\\-_', 30);

const badPattern = <T>(fn: () => T) =>
  onlyThrows(() => {
    try {
      return fn();
    } catch (e) {
      if (e instanceof EngineError) assert.deepEqual([e.kind, e.message], ['invalid', 'syntax error in pattern']);
      throw e;
    }
  }, EngineError);

test('any .dockerignore text parses, and excludes() answers a boolean for any path', () => {
  fc.assert(
    fc.property(fc.array(near(GLOB + '# \t\r'), { maxLength: 8 }), fc.array(path, { maxLength: 5 }), (lines, paths) => {
      const d = badPattern(() => new DockerIgnore(lines));
      if (!d) return;
      for (const p of paths) assert.equal(typeof d.excludes(p), 'boolean');
    }),
    params(),
  );
});

test('any glob compiles (COPY sources, reference filter) or is a syntax error in pattern', () => {
  fc.assert(
    fc.property(near(GLOB), path, (g, p) => {
      const a = badPattern(() => globRegExp(g));
      if (a) assert.equal(typeof a.test(p), 'boolean');
      const b = badPattern(() => globToRegExp(g));
      if (b) assert.equal(typeof b.test(p), 'boolean');
    }),
    params(1000),
  );
});

test('a literal name matches itself and nothing longer', () => {
  fc.assert(
    fc.property(fc.stringMatching(/^[a-z0-9._-]{1,12}(\/[a-z0-9._-]{1,12}){0,2}$/), (name) => {
      fc.pre(!name.split('/').some((c) => c === '.' || c === '..'));
      assert.ok(globRegExp(name).test(name));
      assert.equal(globRegExp(name).test(name + 'x'), false);
      assert.ok(globToRegExp(name).test(name));
      assert.ok(DockerIgnore.parse(name).excludes(name));
      assert.ok(DockerIgnore.parse(name).excludes(`${name}/below`), 'a matched directory excludes its subtree');
    }),
    params(),
  );
});

test('regression: a reversed class range is a syntax error in pattern, not a SyntaxError', () => {
  assert.throws(() => globRegExp('[z-a]'), { message: 'syntax error in pattern' });
  assert.throws(() => globToRegExp('x[z-a]'), { message: 'syntax error in pattern' });
  assert.throws(() => DockerIgnore.parse('ok\n[9-0]*\n'), { message: 'syntax error in pattern' });
});

test('regression: many stars against a long near-miss name match in linear time', () => {
  const g = '*a'.repeat(30) + 'b';
  const name = 'a'.repeat(5000);
  assert.equal(globRegExp(g).test(name), false);
  assert.equal(globToRegExp(g).test(name), false);
  assert.equal(DockerIgnore.parse('**/' + g).excludes(`d/${name}`), false);
});

/** Docker's patternmatcher, literally: the path, then each parent directory, last match wins. */
function naiveExcludes(lines: string[], path: string): boolean {
  const d = new DockerIgnore(lines);
  const file = path.replace(/^\/+/, '');
  const parents = file
    .split('/')
    .slice(0, -1)
    .map((_, i, a) => a.slice(0, i + 1).join('/'));
  let matched = false;
  for (const p of d.patterns) {
    const re = globRegExp(p.text);
    if (re.test(file) || parents.some((x) => re.test(x))) matched = !p.exclusion;
  }
  return matched;
}

test('excludes() answers as matching the path and then every parent directory does', () => {
  const line = fc
    .tuple(
      fc.constantFrom('', '!'),
      fc.array(fc.constantFrom('a', 'b', '*', '**', '?', '[ab]', '[!a]', 'a*', '.x'), { minLength: 1, maxLength: 3 }),
    )
    .map(([neg, c]) => neg + c.join('/'));
  const file = fc
    .array(fc.constantFrom('a', 'b', 'ab', 'ba', '.x', 'c'), { minLength: 1, maxLength: 5 })
    .map((c) => c.join('/'));
  fc.assert(
    fc.property(fc.array(line, { minLength: 1, maxLength: 4 }), file, (lines, f) => {
      assert.equal(new DockerIgnore(lines).excludes(f), naiveExcludes(lines, f), `${JSON.stringify(lines)} ${f}`);
    }),
    params(1000),
  );
});

test('regression: a path thousands of directories deep is matched once per pattern (was quadratic: minutes)', () => {
  const deep = 'b/'.repeat(20_000) + 'c';
  const d = DockerIgnore.parse('**/a\n'.repeat(10) + '**/c\n');
  assert.equal(d.excludes(deep), true);
  assert.equal(d.excludes(deep + 'x'), false);
});
