// .dockerignore with Docker's patternmatcher semantics: Go filepath.Match-like globs plus `**`,
// `!` exceptions (the last matching pattern wins), leading `/` ignored, and a pattern that matches a
// parent directory excludes everything below it.
import { posix } from 'node:path';
import { invalid } from '../../errdefs.js';
import { linearRegExp } from '../../util/linear-regexp.js';

interface Pattern {
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
      this.patterns.push({ re: globRegExp(p), exclusion, text: p });
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
    const parents = file.split('/').slice(0, -1).map((_, i, a) => a.slice(0, i + 1).join('/'));
    let matched = false;
    for (const p of this.patterns) {
      if (p.exclusion !== matched) continue; // cannot change the outcome
      let hit = p.re.test(file);
      if (!hit) hit = parents.some((d) => p.re.test(d));
      if (hit) matched = !p.exclusion;
    }
    return matched;
  }
}

/** Docker's pattern → regexp translation (`*`, `?`, `**`, `[...]`, `\` escapes). */
export function globRegExp(p: string): RegExp {
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
  const out = linearRegExp(re + '$');
  if (!out) throw invalid('syntax error in pattern');
  return out;
}

function escapeRe(c: string): string {
  return /[.+^${}()|[\]\\*?/]/.test(c) ? '\\' + c : c;
}
