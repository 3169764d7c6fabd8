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
