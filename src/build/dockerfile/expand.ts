// Dockerfile word processing (moby/buildkit's shell lexer): quotes, the escape token, and variable
// expansion with $V, ${V}, ${V:-d}, ${V-d}, ${V:+d}, ${V+d}, ${V:?msg}, ${V?msg}.
import { invalid } from '../../errdefs.js';

export type Env = ReadonlyMap<string, string> | Record<string, string>;

function lookup(env: Env, k: string): string | undefined {
  // own keys only: `$constructor` is an unset variable, not Object.prototype.constructor
  if (env instanceof Map) return env.get(k);
  return Object.hasOwn(env, k) ? (env as Record<string, string>)[k] : undefined;
}

/** `${A:-${A:-…}}` recurses once per level; a client's file must not overflow the stack. */
const MAX_DEPTH = 1000;

class Lexer {
  private i = 0;
  private depth = 0;
  constructor(
    private readonly s: string,
    private readonly env: Env,
    private readonly esc: string,
  ) {}

  private peek(): string {
    return this.s[this.i] ?? '';
  }
  private next(): string {
    return this.s[this.i++] ?? '';
  }
  private eof(): boolean {
    return this.i >= this.s.length;
  }

  /** Whole input as words (split on unquoted whitespace), or as one word when `split` is false. */
  words(split: boolean): string[] {
    const out: string[] = [];
    let cur = '';
    let inWord = false;
    while (!this.eof()) {
      const c = this.peek();
      if (split && /\s/.test(c)) {
        this.i++;
        if (inWord) out.push(cur);
        cur = '';
        inWord = false;
        continue;
      }
      inWord = true;
      cur += this.piece(c); // an unquoted expansion is not re-split (as buildkit)
    }
    if (inWord) out.push(cur);
    return out;
  }

  /** What character `c` (at i, consumed here) starts outside double quotes: a quoted part, an
   *  expansion, an escaped character (a trailing escape stays literal) or itself. */
  private piece(c: string): string {
    this.i++;
    if (c === "'") return this.single();
    if (c === '"') return this.double();
    if (c === '$') return this.dollar();
    if (c === this.esc) return this.eof() ? c : this.next();
    return c;
  }

  private single(): string {
    return this.upTo("'", () => this.next(), 'unexpected end of statement while looking for matching single-quote');
  }

  private double(): string {
    return this.upTo(
      '"',
      (c) => {
        this.i++;
        if (c === '$') return this.dollar();
        if (c !== this.esc) return c;
        // inside double quotes the escape only escapes ", $ and itself
        const n = this.peek();
        if (n !== '"' && n !== '$' && n !== this.esc) return c;
        this.i++;
        return n;
      },
      'unexpected end of statement while looking for matching double-quote',
    );
  }

  /** The text up to `close` (consumed), each other piece read by `piece` from the character at i. */
  private upTo(close: string, piece: (c: string) => string, unclosed: string): string {
    let r = '';
    while (!this.eof()) {
      const c = this.peek();
      if (c === close) {
        this.i++;
        return r;
      }
      r += piece(c);
    }
    throw invalid(unclosed);
  }

  private dollar(): string {
    const c = this.peek();
    if (c === '{') {
      this.i++;
      return this.braced();
    }
    const m = /^[A-Za-z_][A-Za-z0-9_]*|^[0-9]/.exec(this.s.slice(this.i));
    if (!m) return '$';
    this.i += m[0].length;
    return lookup(this.env, m[0]) ?? '';
  }

  private braced(): string {
    if (++this.depth > MAX_DEPTH) throw invalid('bad substitution: nested too deeply');
    try {
      return this.bracedBody();
    } finally {
      this.depth--;
    }
  }

  private bracedBody(): string {
    const m = /^[A-Za-z_][A-Za-z0-9_]*|^[0-9]+/.exec(this.s.slice(this.i));
    if (!m) throw invalid(`bad substitution`);
    const name = m[0];
    this.i += name.length;
    const c = this.next();
    if (c === '}') return lookup(this.env, name) ?? '';
    let op = c;
    if (c === ':') op += this.next();
    if (!['-', '+', '?', ':-', ':+', ':?'].includes(op)) throw invalid(`unsupported modifier (${op}) in substitution`);
    const word = this.nested();
    const v = lookup(this.env, name);
    const set = v !== undefined && (op.length === 1 || v !== '');
    switch (op.replace(':', '')) {
      case '-':
        return set ? v! : word;
      case '+':
        return set ? word : '';
      default:
        if (!set) throw invalid(`${name}: ${word || 'is not allowed to be unset'}`);
        return v!;
    }
  }

  /** The word after a modifier, up to the matching `}` (may itself contain quotes and $). */
  private nested(): string {
    return this.upTo('}', (c) => this.piece(c), "syntax error: missing '}'");
  }
}

/** Expand one word: quotes removed, variables substituted. */
export function expandWord(s: string, env: Env, esc = '\\'): string {
  return new Lexer(s, env, esc).words(false).join('');
}

/** Expand and split on unquoted whitespace (EXPOSE, VOLUME, USER…, ADD/COPY sources). */
export function expandWords(s: string, env: Env, esc = '\\'): string[] {
  return new Lexer(s, env, esc).words(true);
}
