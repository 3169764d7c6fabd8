// Flag specs written as a table, one flag a line: `name[,short] type[=default] help text`, so a
// command's flags read like its --help (and long flag lists are data, not repeated literals).
import type { FlagSpec, FlagType } from './parser.js';

const TYPES = new Set<FlagType>(['bool', 'string', 'list', 'int']);

export function flagTable(text: string, extra: Record<string, Partial<FlagSpec>> = {}): FlagSpec[] {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .map((line) => {
      const m = /^([\w-]+)(?:,(\w))?\s+(\w+)(?:=(\S+))?\s*(.*)$/.exec(line);
      if (!m || !TYPES.has(m[3] as FlagType)) throw new Error(`bad flag table line: ${line}`);
      const [, name, short, type, dflt, help] = m;
      const spec: FlagSpec = { name, type: type as FlagType, ...(short ? { short } : {}), ...(help ? { help } : {}) };
      if (dflt !== undefined) spec.default = type === 'bool' ? dflt === 'true' : type === 'int' ? Number(dflt) : dflt;
      return { ...spec, ...extra[name] };
    });
}
