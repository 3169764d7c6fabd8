// text/template's grammar for the subset the docker CLI uses: actions are lexed, pipelines parsed,
// and {{if}}/{{with}}/{{range}}/{{else}}/{{end}} nested into a tree (executed by template.ts).
import type { Value } from './template-funcs.js';

// ---- lexing -----------------------------------------------------------------------------------
type Tok =
  | { t: 'field'; v: string[]; attached?: boolean } // .A.B ; [] = dot; attached: right after `)`
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
    else if (c === ')' && src[i + 1] === '.' && /[A-Za-z_]/.test(src[i + 2] ?? '')) {
      // `(pipeline).Field`: the chain applies to the parenthesized value
      toks.push({ t: 'op', v: c });
      i++;
      toks.push({ t: 'field', v: chainAt(), attached: true });
    } else if (c === '|' || c === '(' || c === ')' || c === ',') toks.push({ t: 'op', v: c }), i++;
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
export type Arg =
  | { k: 'field'; chain: string[] }
  | { k: 'var'; name: string; chain: string[] }
  | { k: 'fn'; name: string }
  | { k: 'lit'; v: Value }
  | { k: 'sub'; p: Pipe; chain?: string[] };
export interface Cmd {
  args: Arg[];
}
export interface Pipe {
  decl: string[];
  assign: boolean; // `=` instead of `:=`
  cmds: Cmd[];
}
export type Node = { k: 'text'; s: string } | { k: 'action'; p: Pipe } | Block;
export interface Block {
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
        const next = toks[pos];
        const chain = next?.t === 'field' && next.attached ? (pos++, next.v) : undefined;
        cur.args.push({ k: 'sub', p: { decl: [], assign: false, cmds: cs }, ...(chain ? { chain } : {}) });
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

export function parse(src: string): Node[] {
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
      if (m)
        els = [parseBlock(m[1] as 'if' | 'with', body.stopArg.slice(m[1].length))]; // else if: shares the end
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
