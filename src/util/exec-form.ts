// The JSON ("exec") form of a Dockerfile instruction's arguments, `["a","b"]`: one reading for the
// Dockerfile parser and for `--change` on commit/import (images/), which may not import build/.

/** The arguments when they are a JSON array of strings; null for the shell form. */
export function parseExecForm(rest: string): string[] | null {
  const t = rest.trim();
  if (!t.startsWith('[')) return null;
  try {
    const v: unknown = JSON.parse(t);
    if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v as string[];
  } catch {
    /* not JSON: shell form */
  }
  return null;
}
