// Go's path.Match as a RegExp (Docker's reference filter uses it): `*` and `?` never cross `/`.
import { invalid } from '../errdefs.js';
import { boundedRegExp } from '../util/linear-regexp.js';

export function globToRegExp(pattern: string): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const end = pattern.indexOf(']', i + 1);
      if (end < 0) {
        re += '\\[';
        continue;
      }
      let cls = pattern.slice(i + 1, end).replace(/\\/g, '\\\\');
      if (cls.startsWith('^')) cls = '^' + cls.slice(1);
      re += `[${cls}]`;
      i = end;
    } else if (c === '\\' && i + 1 < pattern.length) re += '\\' + pattern[++i];
    else re += c.replace(/[.+^${}()|\]\\/]/g, '\\$&');
  }
  // Linear time like Go; a class Go refuses (`[z-a]`) is its ErrBadPattern, not a 500.
  const out = boundedRegExp(`^${re}$`);
  if (!out) throw invalid('syntax error in pattern');
  return out;
}
