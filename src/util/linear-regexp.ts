// Regular expressions built from client input (filters, globs) run in linear time, as Go's RE2
// does for Docker. V8's default backtracking engine takes exponential time on patterns such as
// `(a+)+$` or `*a*a*a…b`, which would stall berthd's event loop for every client.
import v8 from 'node:v8';

let enabled = false;

function enable(): void {
  if (enabled) return;
  // The `l` flag (V8's linear-time engine), and a fallback to that engine for any regexp that
  // backtracks too much. Other regexps are unaffected until they would have run away.
  v8.setFlagsFromString('--enable-experimental-regexp-engine');
  v8.setFlagsFromString('--enable-experimental-regexp-engine-on-excessive-backtracks');
  enabled = true;
}

/**
 * Compile a client-written pattern with V8's linear-time engine (the `l` flag). Returns null when
 * it is not a valid linear-time expression: a syntax error, or backreferences and lookarounds,
 * which RE2 refuses too.
 */
export function linearRegExp(source: string, flags = ''): RegExp | null {
  enable();
  try {
    return new RegExp(source, flags + 'l');
  } catch {
    return null;
  }
}

/**
 * A pattern berth generated from client input (a glob): the backtracking engine, which is ~10×
 * faster on the usual paths, with V8's switch to the linear engine once it backtracks too much.
 * Null when the linear engine could not run it (so the switch could not happen either).
 */
export function boundedRegExp(source: string): RegExp | null {
  if (!linearRegExp(source)) return null;
  return new RegExp(source);
}
