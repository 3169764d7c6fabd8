// A subset of Go's text/template with the docker CLI's functions, printing values like Go's fmt.
// Data is JSON-shaped (objects, arrays, strings, numbers, booleans, null).

export type Value = unknown;
export type TemplateFunc = (...args: Value[]) => Value;

// ---- lexing -----------------------------------------------------------------------------------
type Tok =
  | { t: 'field'; v: string[] } // .A.B ; [] = dot
  | { t: 'var'; v: string; chain: string[] }
  | { t: 'ident'; v: string }
  | { t: 'str'; v: string }
  | { t: 'num'; v: number }
  | { t: 'op'; v: '|' | '(' | ')' | ':=' | '=' | ',' };

function lexAction(src: string): Tok[] {
  const toks: Tok[] = [];
  let i = 0;
  const chainAt = (): string[] => {
    const chain: string[] = [];
    while (src[i] === '.' && /[A-Za-z_]/.test(src[i + 1] ?? '')) {
      i++;
      const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(src.slice(i))!;
      chain.push(m[0]);
      i += m[0].length;
    }
    return chain;
  };
  while (i < src.length) {
    const c = src[i];
    if (/\s/.test(c)) i++;
    else if (c === '|' || c === '(' || c === ')' || c === ',') toks.push({ t: 'op', v: c }), i++;
    else if (c === ':' && src[i + 1] === '=') toks.push({ t: 'op', v: ':=' }), (i += 2);
    else if (c === '=') toks.push({ t: 'op', v: '=' }), i++;
    else if (c === '"') {
      let j = i + 1;
      while (j < src.length && src[j] !== '"') j += src[j] === '\\' ? 2 : 1;
      if (j >= src.length) throw new Error('unterminated quoted string');
      toks.push({ t: 'str', v: JSON.parse(src.slice(i, j + 1)) as string });
      i = j + 1;
    } else if (c === '`') {
      const j = src.indexOf('`', i + 1);
      if (j < 0) throw new Error('unterminated raw quoted string');
      toks.push({ t: 'str', v: src.slice(i + 1, j) });
      i = j + 1;
    } else if (c === '.') {
      if (/[A-Za-z_]/.test(src[i + 1] ?? '')) toks.push({ t: 'field', v: chainAt() });
      else toks.push({ t: 'field', v: [] }), i++;
    } else if (c === '$') {
      const m = /^\$[A-Za-z0-9_]*/.exec(src.slice(i))!;
      i += m[0].length;
      toks.push({ t: 'var', v: m[0], chain: chainAt() });
    } else if (/[-+0-9]/.test(c)) {
      const m = /^[-+]?(0x[0-9a-fA-F]+|\d+(\.\d+)?([eE][-+]?\d+)?)/.exec(src.slice(i));
      if (!m) throw new Error(`bad number syntax: ${src.slice(i)}`);
      toks.push({ t: 'num', v: Number(m[0]) });
      i += m[0].length;
    } else if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(src.slice(i))!;
      toks.push({ t: 'ident', v: m[0] });
      i += m[0].length;
    } else throw new Error(`unexpected "${c}" in command`);
  }
  return toks;
}

// ---- AST --------------------------------------------------------------------------------------
type Arg =
  | { k: 'field'; chain: string[] }
  | { k: 'var'; name: string; chain: string[] }
  | { k: 'fn'; name: string }
  | { k: 'lit'; v: Value }
  | { k: 'sub'; p: Pipe };
interface Cmd {
  args: Arg[];
}
interface Pipe {
  decl: string[];
  assign: boolean; // `=` instead of `:=`
  cmds: Cmd[];
}
type Node =
  | { k: 'text'; s: string }
  | { k: 'action'; p: Pipe }
  | Block;
interface Block {
  k: 'if' | 'with' | 'range';
  p: Pipe;
  body: Node[];
  els: Node[];
}

function parsePipe(toks: Tok[]): Pipe {
  let pos = 0;
  const decl: string[] = [];
  let assign = false;
  // `$a, $b :=` / `$a :=` / `$a =`
  const look = toks.findIndex((t) => t.t === 'op' && (t.v === ':=' || t.v === '='));
  if (look > 0 && toks.slice(0, look).every((t) => t.t === 'var' || (t.t === 'op' && t.v === ','))) {
    for (const t of toks.slice(0, look)) if (t.t === 'var') decl.push(t.v);
    assign = (toks[look] as { v: string }).v === '=';
    pos = look + 1;
  }
  const parseCmds = (end: (t: Tok | undefined) => boolean): Cmd[] => {
    const cmds: Cmd[] = [{ args: [] }];
    while (!end(toks[pos])) {
      const t = toks[pos++];
      if (!t) throw new Error('unexpected end of pipeline');
      const cur = cmds[cmds.length - 1];
      if (t.t === 'op' && t.v === '|') {
        if (cur.args.length === 0) throw new Error('missing command in pipeline');
        cmds.push({ args: [] });
      } else if (t.t === 'op' && t.v === '(') {
        const cs = parseCmds((x) => x?.t === 'op' && x.v === ')');
        pos++;
        cur.args.push({ k: 'sub', p: { decl: [], assign: false, cmds: cs } });
      } else if (t.t === 'field') cur.args.push({ k: 'field', chain: t.v });
      else if (t.t === 'var') cur.args.push({ k: 'var', name: t.v, chain: t.chain });
      else if (t.t === 'str' || t.t === 'num') cur.args.push({ k: 'lit', v: t.v });
      else if (t.t === 'ident') {
        if (t.v === 'true' || t.v === 'false') cur.args.push({ k: 'lit', v: t.v === 'true' });
        else if (t.v === 'nil') cur.args.push({ k: 'lit', v: null });
        else cur.args.push({ k: 'fn', name: t.v });
      } else throw new Error(`unexpected ${JSON.stringify((t as { v: unknown }).v)} in operand`);
    }
    if (cmds[cmds.length - 1].args.length === 0) throw new Error('missing value for command');
    return cmds;
  };
  const cmds = parseCmds((t) => t === undefined);
  return { decl, assign, cmds };
}

interface RawAction {
  text: string; // preceding text
  action: string | null; // null at end
}

function split(src: string): RawAction[] {
  const out: RawAction[] = [];
  let i = 0;
  let trimNext = false;
  for (;;) {
    const open = src.indexOf('{{', i);
    let text = open < 0 ? src.slice(i) : src.slice(i, open);
    if (trimNext) text = text.replace(/^\s+/, '');
    if (open < 0) {
      out.push({ text, action: null });
      return out;
    }
    let start = open + 2;
    if (src[start] === '-' && /\s/.test(src[start + 1] ?? '')) {
      text = text.replace(/\s+$/, '');
      start += 2;
    }
    // find the closing braces outside of quotes
    let j = start;
    let q: string | null = null;
    for (; j < src.length; j++) {
      const c = src[j];
      if (q) {
        if (c === '\\' && q === '"') j++;
        else if (c === q) q = null;
      } else if (c === '"' || c === '`') q = c;
      else if (c === '}' && src[j + 1] === '}') break;
    }
    if (j >= src.length) throw new Error('unclosed action');
    let body = src.slice(start, j);
    trimNext = false;
    if (/\s-$/.test(body)) {
      body = body.slice(0, -2);
      trimNext = true;
    }
    out.push({ text, action: body.trim() });
    i = j + 2;
  }
}

function parse(src: string): Node[] {
  const raw = split(src);
  let k = 0;
  // returns nodes until an `end`/`else` keyword, and which one ended it
  const parseList = (): { nodes: Node[]; stop: string | null; stopArg: string } => {
    const nodes: Node[] = [];
    while (k < raw.length) {
      const r = raw[k++];
      if (r.text) nodes.push({ k: 'text', s: r.text });
      if (r.action === null) return { nodes, stop: null, stopArg: '' };
      const a = r.action;
      if (a.startsWith('/*')) continue; // comment
      const kw = /^(if|range|with|else|end|define|template|block|break|continue)\b/.exec(a)?.[1];
      if (kw === 'end') return { nodes, stop: 'end', stopArg: '' };
      if (kw === 'else') return { nodes, stop: 'else', stopArg: a.slice(4).trim() };
      if (kw === 'if' || kw === 'range' || kw === 'with') nodes.push(parseBlock(kw, a.slice(kw.length)));
      else if (kw) throw new Error(`unsupported action: ${kw}`);
      else nodes.push({ k: 'action', p: parsePipe(lexAction(a)) });
    }
    return { nodes, stop: null, stopArg: '' };
  };
  const parseBlock = (kw: 'if' | 'range' | 'with', rest: string): Node => {
    const p = parsePipe(lexAction(rest));
    const body = parseList();
    if (body.stop === null) throw new Error(`unexpected EOF`);
    let els: Node[] = [];
    if (body.stop === 'else') {
      const m = /^(if|with)\b/.exec(body.stopArg);
      if (m) els = [parseBlock(m[1] as 'if' | 'with', body.stopArg.slice(m[1].length))]; // else if: shares the end
      else {
        const e = parseList();
        if (e.stop !== 'end') throw new Error(`expected end; found ${e.stop ?? 'EOF'}`);
        els = e.nodes;
      }
    }
    return { k: kw, p, body: body.nodes, els };
  };
  const top = parseList();
  if (top.stop) throw new Error(`unexpected {{${top.stop}}}`);
  return top.nodes;
}

// ---- values -----------------------------------------------------------------------------------
const NO_VALUE = Symbol('no value');

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

function truth(v: Value): boolean {
  if (v === undefined || v === null || v === NO_VALUE) return false;
  if (typeof v === 'boolean') return v;
  if (typeof v === 'number') return v !== 0;
  if (typeof v === 'string') return v.length > 0;
  if (Array.isArray(v)) return v.length > 0;
  if (typeof v === 'object') return Object.keys(v as object).length > 0;
  return true;
}

function field(v: Value, name: string): Value {
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
  return fmt.replace(/%([-+# 0]*)(\d+)?(?:\.(\d+))?([svdqftxXgT%])/g, (_m, flags: string, w: string, prec: string, verb: string) => {
    if (verb === '%') return '%';
    if (ai >= args.length) return `%!${verb}(MISSING)`;
    const a = args[ai++];
    let s: string;
    switch (verb) {
      case 'd':
        s = typeof a === 'number' ? String(Math.trunc(a)) : `%!d(${typeof a}=${goPrint(a)})`;
        break;
      case 'f':
        s = typeof a === 'number' ? a.toFixed(prec === undefined ? 6 : Number(prec)) : `%!f(${typeof a}=${goPrint(a)})`;
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
        s = a === null ? '<nil>' : Array.isArray(a) ? '[]interface {}' : typeof a === 'object' ? 'map[string]interface {}' : typeof a === 'number' ? 'float64' : typeof a === 'boolean' ? 'bool' : 'string';
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
      if (n > 0) s = flags.includes('-') ? s + ' '.repeat(n) : (flags.includes('0') && verb !== 's' ? '0' : ' ').repeat(n) + s;
    }
    return s;
  });
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
        if (!Number.isInteger(i) || i < 0 || i >= cur.length) throw new Error(`error calling index: index out of range: ${k}`);
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
  print: (...a) => a.map((x, i) => (i > 0 && typeof x !== 'string' && typeof a[i - 1] !== 'string' ? ' ' : '') + goPrint(x)).join(''),
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

// ---- execution --------------------------------------------------------------------------------
type Scope = Map<string, Value>[];

class Exec {
  out = '';
  constructor(
    private readonly funcs: Record<string, TemplateFunc>,
    root: Value,
  ) {
    this.scopes = [new Map([['$', root]])];
  }
  private scopes: Scope;

  private lookup(name: string): Value {
    for (let i = this.scopes.length - 1; i >= 0; i--) if (this.scopes[i].has(name)) return this.scopes[i].get(name);
    throw new Error(`undefined variable: ${name}`);
  }
  private setVar(name: string, v: Value, assign: boolean): void {
    if (assign) {
      for (let i = this.scopes.length - 1; i >= 0; i--)
        if (this.scopes[i].has(name)) return void this.scopes[i].set(name, v);
      throw new Error(`undefined variable: ${name}`);
    }
    this.scopes[this.scopes.length - 1].set(name, v);
  }

  run(nodes: Node[], dot: Value): void {
    for (const n of nodes) {
      if (n.k === 'text') this.out += n.s;
      else if (n.k === 'action') {
        const v = this.pipe(n.p, dot);
        if (n.p.decl.length === 0) this.out += goPrint(v);
      } else if (n.k === 'if' || n.k === 'with') {
        this.scopes.push(new Map());
        const v = this.pipe(n.p, dot);
        if (truth(v)) this.run(n.body, n.k === 'with' ? v : dot);
        else this.run(n.els, dot);
        this.scopes.pop();
      } else this.range(n, dot);
    }
  }

  private range(n: Block, dot: Value): void {
    this.scopes.push(new Map());
    const v = this.pipe({ ...n.p, decl: [] }, dot);
    const entries: Array<[Value, Value]> = Array.isArray(v)
      ? v.map((x, i) => [i, x])
      : v && typeof v === 'object'
        ? Object.keys(v)
            .sort()
            .map((k) => [k, (v as Record<string, Value>)[k]])
        : typeof v === 'number'
          ? Array.from({ length: v }, (_x, i) => [i, i])
          : v === null || v === undefined
            ? []
            : (() => {
                throw new Error(`range can't iterate over ${goPrint(v)}`);
              })();
    if (entries.length === 0) this.run(n.els, dot);
    for (const [k, x] of entries) {
      this.scopes.push(new Map());
      if (n.p.decl.length === 1) this.setVar(n.p.decl[0], x, false);
      else if (n.p.decl.length === 2) {
        this.setVar(n.p.decl[0], k, false);
        this.setVar(n.p.decl[1], x, false);
      }
      this.run(n.body, x);
      this.scopes.pop();
    }
    this.scopes.pop();
  }

  private pipe(p: Pipe, dot: Value): Value {
    let v: Value = NO_VALUE;
    let first = true;
    for (const c of p.cmds) {
      v = this.cmd(c, dot, first ? NO_VALUE : v);
      first = false;
    }
    for (const d of p.decl) this.setVar(d, v, p.assign);
    return v;
  }

  private arg(a: Arg, dot: Value): Value {
    switch (a.k) {
      case 'field':
        return a.chain.reduce(field, dot);
      case 'var':
        return a.chain.reduce(field, this.lookup(a.name));
      case 'lit':
        return a.v;
      case 'sub':
        return this.pipe(a.p, dot);
      case 'fn':
        return this.call(a.name, []);
    }
  }

  private call(name: string, args: Value[]): Value {
    const f = this.funcs[name];
    if (!f) throw new Error(`function "${name}" not defined`);
    return f(...args);
  }

  private cmd(c: Cmd, dot: Value, piped: Value): Value {
    const [head, ...rest] = c.args;
    if (head.k === 'fn') {
      const args = rest.map((a) => this.arg(a, dot));
      if (piped !== NO_VALUE) args.push(piped);
      return this.call(head.name, args);
    }
    if (head.k === 'field' && head.chain.length > 0) {
      // a method with arguments, e.g. {{.Label "com.example"}}
      const parent = head.chain.slice(0, -1).reduce(field, dot);
      const m = parent && typeof parent === 'object' ? (parent as Record<string, Value>)[head.chain[head.chain.length - 1]] : undefined;
      if (typeof m === 'function') {
        const args = rest.map((a) => this.arg(a, dot));
        if (piped !== NO_VALUE) args.push(piped);
        return (m as TemplateFunc).apply(parent, args);
      }
    }
    if (rest.length > 0 || piped !== NO_VALUE) throw new Error(`can't give argument to non-function ${goPrint(this.arg(head, dot))}`);
    return this.arg(head, dot);
  }
}

export interface Template {
  execute(data: Value): string;
}

/** Parse once, execute many times. Errors read like Go's: `template: :1: …`. */
export function compile(src: string, funcs: Record<string, TemplateFunc> = builtins): Template {
  let nodes: Node[];
  try {
    nodes = parse(src);
  } catch (e) {
    throw new Error(`template parsing error: template: :1: ${(e as Error).message}`);
  }
  return {
    execute(data: Value): string {
      const x = new Exec(funcs, data);
      try {
        x.run(nodes, data);
      } catch (e) {
        throw new Error(`template: :1: executing "" ${(e as Error).message}`);
      }
      return x.out;
    },
  };
}

export function render(src: string, data: Value): string {
  return compile(src).execute(data);
}
