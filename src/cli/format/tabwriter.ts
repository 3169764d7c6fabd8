// Go's text/tabwriter as the docker CLI configures it (minwidth 10, tabwidth 1, padding 3, ' '):
// tab-terminated cells are aligned per column; the last cell of a line is not padded.

export interface TabOptions {
  minWidth: number;
  padding: number;
}

const width = (s: string) => [...s].length;

export function tabwrite(text: string, o: TabOptions = { minWidth: 10, padding: 3 }): string {
  const endsNl = text.endsWith('\n');
  const lines = (endsNl ? text.slice(0, -1) : text).split('\n').map((l) => l.split('\t'));
  const out: string[] = new Array(lines.length);
  // Go aligns a column over a contiguous block of lines that all have that column as a tab-terminated cell.
  format(lines, 0, 0, lines.length, out, o);
  return out.join('\n') + (endsNl ? '\n' : '');
}

function format(lines: string[][], col: number, from: number, to: number, out: string[], o: TabOptions): void {
  let i = from;
  while (i < to) {
    if (lines[i].length - 1 <= col) {
      out[i] = (out[i] ?? '') + lines[i].slice(col).join('\t');
      i++;
      continue;
    }
    let j = i;
    let w = 0;
    while (j < to && lines[j].length - 1 > col) {
      w = Math.max(w, width(lines[j][col]) + o.padding);
      j++;
    }
    w = Math.max(w, o.minWidth);
    for (let k = i; k < j; k++) {
      const cell = lines[k][col];
      out[k] = (out[k] ?? '') + (w > 0 ? cell + ' '.repeat(w - width(cell)) : cell);
    }
    format(lines, col + 1, i, j, out, o);
    i = j;
  }
}
