// Values as Go's fmt prints them, truthiness, field access, and the functions a template may call
// (Go's builtins plus the docker CLI's).

export type Value = unknown;
export type TemplateFunc = (...args: Value[]) => Value;

/** The value of a pipeline that produced none (Go's missing value). */
export const NO_VALUE = Symbol('no value');

export function goPrint(v: Value): string {
  if (v === undefined || v === NO_VALUE) return '<no value>';
  if (v === null) return '<nil>';
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : goFloat(v);
  if (typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return `[${v.map(goPrintInner).join(' ')}]`;
  if (typeof v === 'object') {
    const o = v as Record<string, Value>;
    return `map[${Object.keys(o)
      .sort()
      .map((k) => `${k}:${goPrintInner(o[k])}`)
      .join(' ')}]`;
  }
  return String(v);
}

// Inside containers, Go prints nil as <nil>.
function goPrintInner(v: Value): string {
  return v === undefined ? '<nil>' : goPrint(v);
}

function goFloat(v: number): string {
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-4 || a >= 1e21)) return v.toExponential().replace(/e([-+])(\d)$/, 'e$10$2');
  return String(v);
}

export function truth(v: Value): boolean {
  if (v === undefined || v === null || v === NO_VALUE) return false;
  if (typeof v === 'boolean') return v;
  if (typeof v === 'number') return v !== 0;
  if (typeof v === 'string') return v.length > 0;
  if (Array.isArray(v)) return v.length > 0;
  if (typeof v === 'object') return Object.keys(v as object).length > 0;
  return true;
}

export function field(v: Value, name: string): Value {
  if (v === null || v === undefined) return undefined;
  if (typeof v === 'object' && !Array.isArray(v)) {
    const o = v as Record<string, Value>;
    const f = o[name];
    if (typeof f === 'function') return (f as () => Value).call(o);
    return f;
  }
  throw new Error(`can't evaluate field ${name} in type ${Array.isArray(v) ? 'slice' : typeof v}`);
}

function str(v: Value): string {
  return typeof v === 'string' ? v : goPrint(v);
}

function sprintf(fmt: string, args: Value[]): string {
  let ai = 0;
  return fmt.replace(
    /%([-+# 0]*)(\d+)?(?:\.(\d+))?([svdqftxXgT%])/g,
    (_m, flags: string, w: string, prec: string, verb: string) => {
      if (verb === '%') return '%';
      if (ai >= args.length) return `%!${verb}(MISSING)`;
      const a = args[ai++];
      let s: string;
      switch (verb) {
        case 'd':
          s = typeof a === 'number' ? String(Math.trunc(a)) : `%!d(${typeof a}=${goPrint(a)})`;
          break;
        case 'f':
          s =
            typeof a === 'number' ? a.toFixed(prec === undefined ? 6 : Number(prec)) : `%!f(${typeof a}=${goPrint(a)})`;
          break;
        case 'g':
          s = typeof a === 'number' ? goFloat(a) : goPrint(a);
          break;
        case 'q':
          s = JSON.stringify(str(a));
          break;
        case 'x':
        case 'X':
          s = typeof a === 'number' ? a.toString(16) : Buffer.from(str(a)).toString('hex');
          if (verb === 'X') s = s.toUpperCase();
          break;
        case 'T':
          s =
            a === null
              ? '<nil>'
              : Array.isArray(a)
                ? '[]interface {}'
                : typeof a === 'object'
                  ? 'map[string]interface {}'
                  : typeof a === 'number'
                    ? 'float64'
                    : typeof a === 'boolean'
                      ? 'bool'
                      : 'string';
          break;
        case 's':
          s = str(a);
          if (prec !== undefined) s = [...s].slice(0, Number(prec)).join('');
          break;
        default:
          s = goPrint(a);
      }
      if (w) {
        const n = Number(w) - [...s].length;
        if (n > 0)
          s = flags.includes('-') ? s + ' '.repeat(n) : (flags.includes('0') && verb !== 's' ? '0' : ' ').repeat(n) + s;
      }
      return s;
    },
  );
}

function cmp(a: Value, b: Value): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  throw new Error('incompatible types for comparison');
}

function title(s: string): string {
  return s.replace(/(^|[^\p{L}\p{N}_'])(\p{L})/gu, (_m, p: string, c: string) => p + c.toUpperCase());
}

/** Go builtins plus docker's templates.basicFunctions. */
export const builtins: Record<string, TemplateFunc> = {
  json: (v) => (v === undefined || v === NO_VALUE ? 'null' : JSON.stringify(v)),
  split: (s, sep) => str(s).split(str(sep)),
  join: (a, sep) => (Array.isArray(a) ? a.map(str).join(str(sep)) : str(a)),
  title: (s) => title(str(s)),
  lower: (s) => str(s).toLowerCase(),
  upper: (s) => str(s).toUpperCase(),
  pad: (s, l, r) => ' '.repeat(Number(l)) + str(s) + ' '.repeat(Number(r)),
  truncate: (s, n) => {
    const cs = [...str(s)];
    return cs.length > Number(n) ? cs.slice(0, Number(n)).join('') : str(s);
  },
  len: (v) => {
    if (typeof v === 'string') return Buffer.byteLength(v);
    if (Array.isArray(v)) return v.length;
    if (v && typeof v === 'object') return Object.keys(v).length;
    throw new Error(`len of ${goPrint(v)}`);
  },
  index: (v, ...keys) => {
    let cur = v;
    for (const k of keys) {
      if (cur === null || cur === undefined) return undefined;
      if (Array.isArray(cur)) {
        const i = Number(k);
        if (!Number.isInteger(i) || i < 0 || i >= cur.length)
          throw new Error(`error calling index: index out of range: ${k}`);
        cur = cur[i];
      } else if (typeof cur === 'object') cur = (cur as Record<string, Value>)[str(k)];
      else throw new Error(`can't index item of type ${typeof cur}`);
    }
    return cur;
  },
  slice: (v, ...idx) => {
    const [i = 0, j] = idx.map(Number);
    if (typeof v === 'string') return v.slice(i, j);
    if (Array.isArray(v)) return v.slice(i, j);
    throw new Error(`can't slice item of type ${typeof v}`);
  },
  print: (...a) =>
    a.map((x, i) => (i > 0 && typeof x !== 'string' && typeof a[i - 1] !== 'string' ? ' ' : '') + goPrint(x)).join(''),
  println: (...a) => a.map(goPrint).join(' ') + '\n',
  printf: (f, ...a) => sprintf(str(f), a),
  not: (v) => !truth(v),
  and: (...a) => {
    for (const x of a) if (!truth(x)) return x;
    return a[a.length - 1];
  },
  or: (...a) => {
    for (const x of a) if (truth(x)) return x;
    return a[a.length - 1];
  },
  eq: (a, ...bs) => bs.some((b) => a === b),
  ne: (a, b) => a !== b,
  lt: (a, b) => cmp(a, b) < 0,
  le: (a, b) => cmp(a, b) <= 0,
  gt: (a, b) => cmp(a, b) > 0,
  ge: (a, b) => cmp(a, b) >= 0,
  urlquery: (...a) => encodeURIComponent(a.map(str).join('')),
};

/** docker's HeaderFunctions: in a table header every function passes its input through. */
const headerPassThrough = (v: Value): Value => v;
export const headerFunctions: Record<string, TemplateFunc> = Object.fromEntries(
  ['json', 'split', 'join', 'title', 'lower', 'upper', 'pad', 'truncate'].map((k) => [k, headerPassThrough]),
);
