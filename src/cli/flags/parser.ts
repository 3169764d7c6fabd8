// pflag-style parsing as the docker CLI does it: -itd bundles, -p80:80 / -e=X attached values,
// --flag=value, repeated list flags, `--` ends flags, and (for run/create/exec) flags stop at the
// first positional so the container's own arguments pass through untouched.

export type FlagType = 'bool' | 'string' | 'list' | 'int';
export type FlagValue = boolean | string | string[] | number;

export interface FlagSpec {
  name: string;
  short?: string;
  type: FlagType;
  default?: FlagValue;
  /** One-line help text for --help. */
  help?: string;
  /** Rejects a value at parse time (pflag's Value.Set), e.g. a byte size; throws Error(reason). */
  check?: (v: string) => void;
  /** The value's name in --help when pflag's Type() differs from the kind (`filter` for FilterOpt). */
  valueName?: string;
}

export interface Parsed {
  flags: Record<string, FlagValue>;
  /** Flags the user actually gave (to tell `-t 0` from the default). */
  set: Set<string>;
  args: string[];
}

export class FlagError extends Error {
  override name = 'FlagError';
}

function defaults(specs: FlagSpec[]): Record<string, FlagValue> {
  const d: Record<string, FlagValue> = {};
  for (const s of specs)
    d[s.name] = s.default ?? (s.type === 'bool' ? false : s.type === 'list' ? [] : s.type === 'int' ? 0 : '');
  return d;
}

function parseBool(v: string, flag: string): boolean {
  if (/^(1|t|T|TRUE|true|True)$/.test(v)) return true;
  if (/^(0|f|F|FALSE|false|False)$/.test(v)) return false;
  throw new FlagError(`invalid argument "${v}" for "${flag}" flag: strconv.ParseBool: parsing "${v}": invalid syntax`);
}

function label(s: FlagSpec): string {
  return s.short ? `-${s.short}, --${s.name}` : `--${s.name}`;
}

/** Records flag `s` = `v` (text as given) in `st`, typed by the flag's kind. */
function assignFlag(
  st: { flags: Record<string, FlagValue>; set: Set<string>; listSeen: Set<string> },
  s: FlagSpec,
  v: string,
): void {
  const { flags, set, listSeen } = st;
  set.add(s.name);
  if (s.check) {
    try {
      s.check(v);
    } catch (e) {
      throw new FlagError(`invalid argument "${v}" for "${label(s)}" flag: ${(e as Error).message}`);
    }
  }
  switch (s.type) {
    case 'bool':
      flags[s.name] = parseBool(v, label(s));
      break;
    case 'int': {
      if (!/^[-+]?\d+$/.test(v))
        throw new FlagError(
          `invalid argument "${v}" for "${label(s)}" flag: strconv.ParseInt: parsing "${v}": invalid syntax`,
        );
      // beyond 2^53 a Number is no longer the value given: refuse it as Go refuses int64 overflow
      if (!Number.isSafeInteger(Number(v)))
        throw new FlagError(
          `invalid argument "${v}" for "${label(s)}" flag: strconv.ParseInt: parsing "${v}": value out of range`,
        );
      flags[s.name] = Number(v);
      break;
    }
    case 'list':
      // a repeated flag appends; its first use replaces the default
      flags[s.name] = listSeen.has(s.name) ? [...(flags[s.name] as string[]), v] : [v];
      listSeen.add(s.name);
      break;
    default:
      flags[s.name] = v;
  }
}

export function parseFlags(specs: FlagSpec[], argv: string[], o: { interspersed?: boolean } = {}): Parsed {
  const interspersed = o.interspersed ?? true;
  const byLong = new Map(specs.map((s) => [s.name, s]));
  const byShort = new Map(specs.filter((s) => s.short).map((s) => [s.short!, s]));
  const flags = defaults(specs);
  const set = new Set<string>();
  const args: string[] = [];
  const listSeen = new Set<string>();

  const assign = (s: FlagSpec, v: string) => assignFlag({ flags, set, listSeen }, s, v);

  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') {
      args.push(...argv.slice(i + 1));
      break;
    }
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      const name = eq < 0 ? a.slice(2) : a.slice(2, eq);
      const s = byLong.get(name);
      if (!s) throw new FlagError(`unknown flag: --${name}`);
      if (eq >= 0) assign(s, a.slice(eq + 1));
      else if (s.type === 'bool') assign(s, 'true');
      else if (i + 1 < argv.length) assign(s, argv[++i]);
      else throw new FlagError(`flag needs an argument: --${name}`);
    } else if (a.startsWith('-') && a.length > 1) {
      for (let j = 1; j < a.length; j++) {
        const c = a[j];
        const s = byShort.get(c);
        if (!s) throw new FlagError(`unknown shorthand flag: '${c}' in ${a}`);
        if (s.type === 'bool') {
          if (a[j + 1] === '=') {
            assign(s, a.slice(j + 2));
            break;
          }
          assign(s, 'true');
          continue;
        }
        let v = a.slice(j + 1);
        if (v.startsWith('=')) v = v.slice(1);
        else if (v === '') {
          if (i + 1 >= argv.length) throw new FlagError(`flag needs an argument: '${c}' in -${c}`);
          v = argv[++i];
        }
        assign(s, v);
        break;
      }
    } else {
      if (!interspersed) {
        args.push(...argv.slice(i));
        break;
      }
      args.push(a);
    }
  }
  return { flags, set, args };
}

/** Typed accessors so commands don't cast. */
export const get = {
  bool: (p: Parsed, k: string) => p.flags[k] as boolean,
  str: (p: Parsed, k: string) => p.flags[k] as string,
  list: (p: Parsed, k: string) => p.flags[k] as string[],
  int: (p: Parsed, k: string) => p.flags[k] as number,
};

export function flagHelp(specs: FlagSpec[] = []): string {
  const rows = specs.map((s) => {
    const head = s.short ? `  -${s.short}, --${s.name}` : `      --${s.name}`;
    const t = s.type === 'bool' ? '' : ` ${s.valueName ?? s.type}`;
    return [head + t, s.help ?? ''];
  });
  const w = Math.max(0, ...rows.map((r) => r[0].length)) + 3;
  return rows.map(([a, b]) => (a + ' '.repeat(w - a.length) + b).trimEnd()).join('\n');
}

/**
 * Splits the flags before a (sub)command, `docker [OPTIONS] COMMAND` style, from the command and
 * its arguments. A flag in `specs` that is not a bool takes the next word as its value (`-H x`);
 * `--` ends the leading flags only when `dashDashEnds` (docker's; compose keeps it with them).
 */
export function splitLeading(
  specs: FlagSpec[],
  argv: string[],
  o: { dashDashEnds?: boolean } = {},
): { global: string[]; rest: string[] } {
  const withValue = new Set(
    specs.filter((s) => s.type !== 'bool').flatMap((s) => [`--${s.name}`, ...(s.short ? [`-${s.short}`] : [])]),
  );
  let i = 0;
  while (i < argv.length && argv[i].startsWith('-') && !(o.dashDashEnds && argv[i] === '--')) {
    if (withValue.has(argv[i])) i++;
    i++;
  }
  return { global: argv.slice(0, i), rest: argv.slice(i) };
}
