// POSIX-shell word splitting for string `command:`/`entrypoint:` (quotes and backslashes; no expansion).
export function shlexSplit(s: string): string[] {
  const words: string[] = [];
  let cur = '';
  let have = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === "'") {
      const j = s.indexOf("'", i + 1);
      if (j < 0) throw new Error(`No closing quotation in ${JSON.stringify(s)}`);
      cur += s.slice(i + 1, j);
      have = true;
      i = j;
    } else if (c === '"') {
      i++;
      for (; i < s.length && s[i] !== '"'; i++) {
        if (s[i] === '\\' && i + 1 < s.length && '"\\$`'.includes(s[i + 1])) i++;
        cur += s[i];
      }
      if (i >= s.length) throw new Error(`No closing quotation in ${JSON.stringify(s)}`);
      have = true;
    } else if (c === '\\' && i + 1 < s.length) {
      cur += s[++i];
      have = true;
    } else if (/\s/.test(c)) {
      if (have) words.push(cur);
      cur = '';
      have = false;
    } else {
      cur += c;
      have = true;
    }
  }
  if (have) words.push(cur);
  return words;
}
