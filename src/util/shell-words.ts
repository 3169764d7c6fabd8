// Shell-like word splitting without expansion: whitespace separates, quotes group and are removed, a
// backslash outside quotes escapes the next character. Two readers, two rule sets:
// - posix (compose's string `command:`/`entrypoint:`, as Python's shlex): inside "…" a backslash
//   escapes only " \ $ `, and an unclosed quote is an error;
// - not posix (docker's `--change` arguments, as moby): inside "…" a backslash escapes anything, and
//   an unclosed quote runs to the end of the text.
export function splitShellWords(s: string, posix: boolean): string[] {
  const words: string[] = [];
  let cur = '';
  let inWord = false;
  let quote: string | null = null;
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (quote) {
      if (c === quote) quote = null;
      else if (c === '\\' && quote === '"' && i + 1 < s.length && (!posix || '"\\$`'.includes(s[i + 1]!)))
        cur += s[++i];
      else cur += c;
    } else if (c === '"' || c === "'") {
      quote = c;
      inWord = true;
    } else if (c === '\\' && i + 1 < s.length) {
      cur += s[++i];
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) words.push(cur);
      cur = '';
      inWord = false;
    } else {
      cur += c;
      inWord = true;
    }
  }
  if (quote && posix) throw new Error(`No closing quotation in ${JSON.stringify(s)}`);
  if (inWord) words.push(cur);
  return words;
}
