// Regular expressions built from client input (filters, globs) run in linear time, as Go's RE2
// does for Docker. V8's default backtracking engine takes exponential time on patterns such as
// `(a+)+$` or `*a*a*a*…b`, which would stall berthd's event loop for every client.
import v8 from 'node:v8';

let enabled = false;

/**
 * Compile `source` with V8's linear-time engine (the `l` flag). Returns null when the pattern is
 * not a valid linear-time expression: a syntax error, or backreferences and lookarounds, which
 * RE2 refuses too.
 */
export function linearRegExp(source: string, flags = ''): RegExp | null {
  if (!enabled) {
    // Only makes the `l` flag available; other regexps keep the default engine.
    v8.setFlagsFromString('--enable-experimental-regexp-engine');
    enabled = true;
  }
  try {
    return new RegExp(source, flags + 'l');
  } catch {
    return null;
  }
}
