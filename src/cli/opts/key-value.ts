// The `KEY=VALUE` (and `PATH:OPTIONS`) words of labels, tmpfs and the like.

/** Splits at the first `sep`: "k=v=w" → ["k", "v=w"]; a word without it is a key with "" as value. */
export function keyValue(word: string, sep = '='): [string, string] {
  const i = word.indexOf(sep);
  return i < 0 ? [word, ''] : [word.slice(0, i), word.slice(i + 1)];
}

/** The words as a map, in order: a repeated key keeps its last value. */
export function keyValueMap(words: string[], sep = '='): Record<string, string> {
  const out: Record<string, string> = {};
  for (const w of words) {
    const [k, v] = keyValue(w, sep);
    out[k] = v;
  }
  return out;
}
