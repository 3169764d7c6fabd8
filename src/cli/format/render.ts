// The docker CLI's formatter.Context: `table …` (aligned, header row), `json`, raw templates.
import { compile, headerFunctions } from './template.js';
import { tabwrite } from './tabwriter.js';

export type Row = Record<string, unknown>;

/** Replace the literal `\t` / `\n` a shell passes through, as docker's preFormat does. */
export function unescapeFormat(f: string): string {
  return f.replace(/\\t/g, '\t').replace(/\\n/g, '\n');
}

export function isTable(f: string): boolean {
  return f.startsWith('table');
}

/** Properties of a row (getters included), keys sorted: what `--format json` prints. */
export function rowJSON(r: Row): string {
  const o: Record<string, unknown> = {};
  for (const k of Object.keys(r).sort()) {
    const v = r[k];
    if (typeof v !== 'function') o[k] = v;
  }
  return JSON.stringify(o);
}

/**
 * Render rows: `format` empty/"table" → defaultTable; "json" → one JSON object a line;
 * "table X" → header + aligned rows; anything else → template per row (no alignment).
 */
export function renderRows(rows: Row[], format: string, defaultTable: string, header: Record<string, string>): string {
  let f = format || defaultTable;
  if (f === 'table') f = defaultTable;
  if (f === 'json') return rows.map((r) => rowJSON(r) + '\n').join('');
  const table = isTable(f);
  const body = unescapeFormat((table ? f.slice('table'.length) : f).trim());
  const t = compile(body);
  let out = rows.map((r) => t.execute(r) + '\n').join('');
  if (!table) return out;
  const hdr = new Proxy(header, { get: (o, k) => (typeof k === 'string' ? (o[k] ?? '') : undefined) });
  out = compile(body, headerFunctions).execute(hdr) + '\n' + out;
  return tabwrite(out);
}
