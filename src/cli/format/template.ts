// A subset of Go's text/template with the docker CLI's functions, printing values like Go's fmt.
// Data is JSON-shaped (objects, arrays, strings, numbers, booleans, null).
import { builtins, field, goPrint, NO_VALUE, truth, type TemplateFunc, type Value } from './template-funcs.js';
import { type Arg, type Block, type Cmd, type Node, type Pipe, parse } from './template-parse.js';

export { builtins, goPrint, headerFunctions, type TemplateFunc, type Value } from './template-funcs.js';

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
        return (a.chain ?? []).reduce(field, this.pipe(a.p, dot));
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
      const m =
        parent && typeof parent === 'object'
          ? (parent as Record<string, Value>)[head.chain[head.chain.length - 1]]
          : undefined;
      if (typeof m === 'function') {
        const args = rest.map((a) => this.arg(a, dot));
        if (piped !== NO_VALUE) args.push(piped);
        return (m as TemplateFunc).apply(parent, args);
      }
    }
    if (rest.length > 0 || piped !== NO_VALUE)
      throw new Error(`can't give argument to non-function ${goPrint(this.arg(head, dot))}`);
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
