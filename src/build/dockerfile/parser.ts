// Dockerfile → nodes: parser directives, comments, line continuations, leading --flags, JSON (exec)
// form and heredocs (`RUN <<EOF`, `COPY <<-"EOF" /dst`) as BuildKit has them. Word expansion
// happens later, at build time, because ARG values are only known then.
import { EngineError } from '../../errdefs.js';
import { parseExecForm } from '../../util/exec-form.js';

export interface Heredoc {
  name: string;
  content: string;
  /** Unquoted delimiters expand variables in the body. */
  expand: boolean;
}

export interface Node {
  /** Lower-case instruction name. */
  cmd: string;
  /** The instruction as written, continuation lines joined (Docker's "Step n/m : …" text). */
  original: string;
  line: number;
  endLine: number;
  /** Leading `--name=value` / `--name` flags. */
  flags: string[];
  /** Arguments after the instruction and its flags (not yet expanded). */
  rest: string;
  /** The exec (JSON array of strings) form, when `rest` is one. */
  json: string[] | null;
  heredocs: Heredoc[];
}

export interface Dockerfile {
  escape: string;
  directives: Record<string, string>;
  nodes: Node[];
  warnings: string[];
}

/** A Dockerfile error that knows its file and line. Message text is Docker's. */
export class DockerfileError extends EngineError {
  constructor(
    message: string,
    readonly file: string,
    readonly line: number,
  ) {
    super('invalid', message);
  }
}

export function parseError(file: string, line: number, m: string): DockerfileError {
  return new DockerfileError(`dockerfile parse error line ${line}: ${m}`, file, line);
}

const DIRECTIVE = /^#\s*([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(.+?)\s*$/;
const HEREDOC = /<<(-?)\s*(?:"([^"\n]+)"|'([^'\n]+)'|([A-Za-z_][A-Za-z0-9_]*))/g;
const FLAG_CMDS = new Set(['from', 'run', 'copy', 'add', 'healthcheck']);
const HEREDOC_CMDS = new Set(['run', 'copy', 'add']);

/** Parser directives: only at the very top, before any other comment, blank line or instruction. */
function readDirectives(
  lines: string[],
  file: string,
): { directives: Record<string, string>; warnings: string[]; esc: string; next: number } {
  const directives: Record<string, string> = {};
  const warnings: string[] = [];
  let esc = '\\';
  let i = 0;
  for (; i < lines.length; i++) {
    const m = DIRECTIVE.exec(lines[i]);
    if (!m) break;
    const k = m[1].toLowerCase();
    if (k in directives) throw parseError(file, i + 1, `only one ${k} parser directive can be used`);
    directives[k] = m[2];
    if (k === 'escape') {
      if (m[2] !== '\\' && m[2] !== '`')
        throw parseError(file, i + 1, `invalid escape token '${m[2]}' does not match ` + '` or \\');
      esc = m[2];
    } else if (k === 'syntax')
      warnings.push(
        `[Warning] the syntax directive (${m[2]}) is ignored: berth builds with its own Dockerfile frontend`,
      );
  }
  return { directives, warnings, esc, next: i };
}

export function parseDockerfile(text: string, file = 'Dockerfile'): Dockerfile {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const { directives, warnings, esc, next } = readDirectives(lines, file);
  let i = next;
  const nodes: Node[] = [];
  const isContinued = (l: string) => {
    const t = l.replace(/\s+$/, '');
    return t.endsWith(esc) && !t.endsWith(esc + esc) ? t.slice(0, -1) : null;
  };
  while (i < lines.length) {
    const raw = lines[i];
    const t = raw.trim();
    if (t === '' || t.startsWith('#')) {
      i++;
      continue;
    }
    const start = i + 1;
    let joined = '';
    let cur: string | null = raw.replace(/^\s+/, '');
    for (;;) {
      const cont = isContinued(cur);
      if (cont === null) {
        joined += cur;
        i++;
        break;
      }
      joined += cont;
      i++;
      // inside a continuation, comment lines and empty lines are skipped
      while (i < lines.length && (lines[i].trim() === '' || lines[i].trim().startsWith('#'))) {
        if (lines[i].trim() === '') warnings.push(`[WARNING]: Empty continuation line found in: ${joined.trim()}`);
        i++;
      }
      if (i >= lines.length) break;
      cur = lines[i];
    }
    const endLine = i;
    const original = joined.trim();
    if (original === '') continue; // only continuation markers: no instruction to read
    const m = /^(\S+)\s*([\s\S]*)$/.exec(original)!;
    const cmd = m[1].toLowerCase();
    let rest = m[2];
    const flags: string[] = [];
    for (;;) {
      const f = /^--([^\s=]+(?:=(?:"[^"]*"|\S)*)?)\s*/.exec(rest);
      if (!f || !FLAG_CMDS.has(cmd)) break;
      flags.push('--' + f[1]);
      rest = rest.slice(f[0].length);
    }
    const heredocs: Heredoc[] = [];
    if (HEREDOC_CMDS.has(cmd) && rest.includes('<<')) {
      for (const h of rest.matchAll(HEREDOC)) {
        const name = h[2] ?? h[3] ?? h[4];
        const chomp = h[1] === '-';
        const body: string[] = [];
        let found = false;
        while (i < lines.length) {
          const l = lines[i++];
          if ((chomp ? l.replace(/^\t+/, '') : l) === name) {
            found = true;
            break;
          }
          body.push(chomp ? l.replace(/^\t+/, '') : l);
        }
        if (!found) throw parseError(file, start, `unterminated heredoc ${name}`);
        heredocs.push({ name, content: body.join('\n') + '\n', expand: h[4] !== undefined });
      }
    }
    nodes.push({
      cmd,
      original,
      line: start,
      endLine: heredocs.length ? i : endLine,
      flags,
      rest,
      json: parseExecForm(rest),
      heredocs,
    });
  }
  return { escape: esc, directives, nodes, warnings };
}
