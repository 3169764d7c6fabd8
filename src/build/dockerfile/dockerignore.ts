// .dockerignore with Docker's patternmatcher semantics: Go filepath.Match-like globs plus `**`,
// `!` exceptions (the last matching pattern wins), leading `/` ignored, and a pattern that matches a
// parent directory excludes everything below it.
import { posix } from 'node:path';
import { invalid } from '../../errdefs.js';
import { boundedRegExp } from '../../util/linear-regexp.js';

interface Pattern {
  /** Matches the path or one of its parent directories (a `/` follows the match). */
  re: RegExp;
  exclusion: boolean;
  text: string;
}

export class DockerIgnore {
  readonly patterns: Pattern[];

  constructor(lines: string[]) {
    this.patterns = [];
    for (let l of lines) {
      l = l.trim();
      if (l === '' || l.startsWith('#')) continue;
      let exclusion = false;
      if (l.startsWith('!')) {
        exclusion = true;
        l = l.slice(1).trim();
      }
      let p = posix.normalize(l);
      p = p.replace(/^\/+/, '').replace(/\/+$/, '');
      if (p === '' || p === '.') continue;
      this.patterns.push({ re: globRegExp(p, '(?:$|/)'), exclusion, text: p });
    }
  }

  static parse(text: string): DockerIgnore {
    return new DockerIgnore(text.split(/\r?\n/));
  }

  get hasExceptions(): boolean {
    return this.patterns.some((p) => p.exclusion);
  }

  /** Whether the context-relative path (slash-separated, no leading `./`) is excluded. */
  excludes(path: string): boolean {
    const file = posix.normalize(path).replace(/^\/+/, '');
    let matched = false;
    // One test per pattern: Docker tries the path, then each parent (quadratic in the depth: a
    // context entry thousands of directories deep held the event loop for minutes).
    for (const p of this.patterns) {
      if (p.exclusion !== matched) continue; // cannot change the outcome
      if (p.re.test(file)) matched = !p.exclusion;
    }
    return matched;
  }
}

/** Docker's pattern → regexp translation (`*`, `?`, `**`, `[...]`, `\` escapes). `end` follows
 *  the pattern: `$` for the whole path, `(?:$|/)` for the path or any of its parent directories. */
export function globRegExp(p: string, end = '$'): RegExp {
  let re = '^';
  for (let i = 0; i < p.length; i++) {
    const c = p[i];
    if (c === '*') {
      if (p[i + 1] === '*') {
        i++;
        if (p[i + 1] === '/') i++;
        re += i + 1 >= p.length ? '.*' : '(.*/)?';
      } else re += '[^/]*';
    } else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const end = p.indexOf(']', i + 1);
      if (end < 0) re += '\\[';
      else {
        let cls = p.slice(i + 1, end);
        if (cls.startsWith('!')) cls = '^' + cls.slice(1);
        re += `[${cls.replace(/\\/g, '\\\\')}]`;
        i = end;
      }
    } else if (c === '\\' && i + 1 < p.length) {
      re += escapeRe(p[++i]);
    } else re += escapeRe(c);
  }
  // Linear time like Go's regexp (`*a*a*a…` backtracks for ever otherwise); a class Go refuses
  // (`[z-a]`) is its ErrBadPattern, an invalid build, not a crash.
  const out = boundedRegExp(re + end);
  if (!out) throw invalid('syntax error in pattern');
  return out;
}

function escapeRe(c: string): string {
  return /[.+^${}()|[\]\\*?/]/.test(c) ? '\\' + c : c;
}
