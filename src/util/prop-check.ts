// Shared pieces of the parser property tests (x.property.test.ts): one fixed seed so every run
// replays the same inputs, and the "only the parser's own error type" check.
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { EngineError } from '../errdefs.js';

/** Fixed, so CI replays exactly what a developer saw; fast-check prints it with any failure. */
export const SEED = 1414;

/** Bounded runs: each property stays well under a few seconds on the 2-core VM. */
export const RUNS = 500;

export const params = (numRuns = RUNS): fc.Parameters<unknown> => ({ seed: SEED, numRuns });

/** The usual property: `check` (asserting, or throwing only what it allows) holds for every value of `arb`. */
export function forAll<T>(arb: fc.Arbitrary<T>, check: (value: T) => void, numRuns = RUNS): void {
  // a block body: fast-check fails a predicate that returns anything but true or undefined
  fc.assert(
    fc.property(arb, (v) => {
      check(v);
    }),
    params(numRuns),
  );
}

/** Random strings up to `maxLength`, or one of `edges`: the values the checks under test turn on. */
export function stringsOr(edges: readonly string[], maxLength: number): fc.Arbitrary<string> {
  return fc.oneof(fc.string({ maxLength }), fc.constantFrom(...edges));
}

type ErrorClass = abstract new (...args: never[]) => Error;

/** The built-in errors that mean a parser bug (a 500, or a crash), never a rejected input. */
const BUGS: ErrorClass[] = [TypeError, RangeError, ReferenceError, SyntaxError, EvalError, URIError];

/**
 * Runs `fn`; returns normally when it returns or throws an instance of one of `allowed` (and not a
 * built-in error class that marks a bug). Anything else is rethrown so the property fails on it.
 */
export function onlyThrows<T>(fn: () => T, ...allowed: ErrorClass[]): T | undefined {
  try {
    return fn();
  } catch (e) {
    if (isAllowed(e, allowed)) return undefined;
    throw e;
  }
}

/** The async form of onlyThrows. */
export async function onlyRejects<T>(fn: () => Promise<T>, ...allowed: ErrorClass[]): Promise<T | undefined> {
  try {
    return await fn();
  } catch (e) {
    if (isAllowed(e, allowed)) return undefined;
    throw e;
  }
}

function isAllowed(e: unknown, allowed: ErrorClass[]): boolean {
  if (BUGS.some((b) => e instanceof b && !allowed.includes(b))) return false;
  return allowed.some((a) => e instanceof a);
}

/** Strings that look like the input grammar as well as plain noise: parsers are mostly reached
 *  by near-misses, which random unicode alone rarely produces. */
export function near(alphabet: string, maxLength = 40): fc.Arbitrary<string> {
  const chars = [...alphabet];
  return fc.oneof(
    fc.string({ maxLength }),
    fc.string({ unit: fc.constantFrom(...chars), maxLength }),
    fc.string({ unit: 'grapheme', maxLength }),
  );
}

/**
 * Texts made of the grammar's tokens (up to `maxTokens`, joined by `sep`) or near-misses over
 * `alphabet` (see near): the usual input of a parser property.
 */
export function grammarish(
  tokens: readonly string[],
  maxTokens: number,
  alphabet: string,
  maxLength: number,
  sep = '',
): fc.Arbitrary<string> {
  return fc.oneof(
    fc.array(fc.constantFrom(...tokens), { maxLength: maxTokens }).map((t) => t.join(sep)),
    near(alphabet, maxLength),
  );
}

/** onlyThrows for parsers of user input: the one allowed error is an `invalid` EngineError (a 400). */
export function invalidOnly<T>(fn: () => T): T | undefined {
  return onlyThrows(() => {
    try {
      return fn();
    } catch (e) {
      if (e instanceof EngineError) assert.equal(e.kind, 'invalid', e.message);
      throw e;
    }
  }, EngineError);
}
