// Compose variable interpolation: $X, ${X}, ${X:-d}, ${X-d}, ${X:+r}, ${X+r}, ${X:?err}, ${X?err}; $$ is a literal $.
// Defaults may themselves hold ${…} (nested), as in the Compose Specification.

export type Env = Record<string, string | undefined>;

export class InterpolationError extends Error {
  override name = 'InterpolationError';
}

/** Own variables only: `$constructor` is unset, not Object.prototype.constructor. */
export function lookup(env: Env, k: string): string | undefined {
  return Object.hasOwn(env, k) ? env[k] : undefined;
}

/** Index of the `}` closing the `${` opened just before `from`, honouring nesting. */
function closing(s: string, from: number): number {
  let depth = 1;
  for (let i = from; i < s.length; i++) {
    if (s[i] === '$' && s[i + 1] === '{') {
      depth++;
      i++;
    } else if (s[i] === '}' && --depth === 0) return i;
  }
  return -1;
}

/** `${A:-${A:-…}}` recurses once per level; bounded so a file cannot overflow the stack. */
const MAX_DEPTH = 100;
let depth = 0;

function braced(expr: string, env: Env, where: string): string {
  if (depth >= MAX_DEPTH)
    throw new InterpolationError(`${where}invalid interpolation format for "\${${expr}}": nested too deeply`);
  depth++;
  try {
    return bracedBody(expr, env, where);
  } finally {
    depth--;
  }
}

function bracedBody(expr: string, env: Env, where: string): string {
  const m = /^([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-+?])([\s\S]*))?$/.exec(expr);
  if (!m) throw new InterpolationError(`${where}invalid interpolation format for "\${${expr}}"`);
  const [, name, op, arg = ''] = m;
  const v = lookup(env, name);
  const unsetOrEmpty = v === undefined || v === '';
  switch (op) {
    case undefined:
      return v ?? '';
    case ':-':
      return unsetOrEmpty ? interpolate(arg, env, where) : v;
    case '-':
      return v === undefined ? interpolate(arg, env, where) : v;
    case ':+':
      return unsetOrEmpty ? '' : interpolate(arg, env, where);
    case '+':
      return v === undefined ? '' : interpolate(arg, env, where);
    case ':?':
      if (unsetOrEmpty)
        throw new InterpolationError(
          `${where}required variable ${name} is missing a value: ${interpolate(arg, env, where)}`,
        );
      return v;
    default: // '?'
      if (v === undefined)
        throw new InterpolationError(
          `${where}required variable ${name} is missing a value: ${interpolate(arg, env, where)}`,
        );
      return v;
  }
}

/** Expand variables in one string; `where` prefixes error messages (file, service and key). */
export function interpolate(s: string, env: Env, where = ''): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c !== '$') {
      out += c;
      continue;
    }
    const n = s[i + 1];
    if (n === '$') {
      out += '$';
      i++;
    } else if (n === '{') {
      const end = closing(s, i + 2);
      if (end < 0) throw new InterpolationError(`${where}invalid interpolation format for "${s}"`);
      out += braced(s.slice(i + 2, end), env, where);
      i = end;
    } else {
      const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(s.slice(i + 1));
      if (!m) out += '$';
      else {
        out += lookup(env, m[0]) ?? '';
        i += m[0].length;
      }
    }
  }
  return out;
}

/** Interpolate every string (not keys) in a parsed YAML tree; `path` names the key for errors. */
export function interpolateTree(v: unknown, env: Env, file: string, path: string[] = []): unknown {
  if (typeof v === 'string') return interpolate(v, env, `${file}: ${path.join('.')}: `);
  if (Array.isArray(v)) return v.map((x, i) => interpolateTree(x, env, file, [...path, `[${i}]`]));
  if (v && typeof v === 'object') {
    // fromEntries defines own properties: a `__proto__` key stays a key, not the prototype
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, interpolateTree(x, env, file, [...path, k])]));
  }
  return v;
}
