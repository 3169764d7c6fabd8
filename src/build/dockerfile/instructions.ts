// Nodes → typed instructions grouped into stages, validated before anything is built (Docker checks
// the whole file first). Values stay unexpanded: ARG/ENV are applied at build time.
import { EngineError } from '../../errdefs.js';
import { DockerfileError, parseDockerfile, type Heredoc, type Node } from './parser.js';
import { parseGoDuration } from '../../util/go-duration.js';
import { parseExecForm } from '../../util/exec-form.js';

export interface KeyValue {
  key: string;
  value: string;
}

export type Instruction =
  | {
      kind: 'run';
      node: Node;
      json: string[] | null;
      shell: string;
      mounts: string[];
      network?: string;
      heredocs: Heredoc[];
    }
  | { kind: 'cmd' | 'entrypoint'; node: Node; json: string[] | null; shell: string }
  | { kind: 'env' | 'label'; node: Node; pairs: KeyValue[] }
  | { kind: 'arg'; node: Node; args: { name: string; value?: string }[] }
  | { kind: 'maintainer' | 'workdir' | 'user' | 'stopsignal'; node: Node; value: string }
  | { kind: 'expose'; node: Node; words: string }
  | { kind: 'volume'; node: Node; json: string[] | null; words: string }
  | {
      kind: 'copy' | 'add';
      node: Node;
      srcs: string[];
      dest: string;
      from?: string;
      chown?: string;
      chmod?: string;
      link: boolean;
      keepGitDir: boolean;
      checksum?: string;
      heredocs: Heredoc[];
    }
  | {
      kind: 'healthcheck';
      node: Node;
      none: boolean;
      test: string[];
      interval?: number;
      timeout?: number;
      startPeriod?: number;
      startInterval?: number;
      retries?: number;
    }
  | { kind: 'shell'; node: Node; args: string[] }
  | { kind: 'onbuild'; node: Node; expr: string };

export interface Stage {
  index: number;
  /** Lower-cased `AS` name. */
  name?: string;
  /** Base image or stage reference, unexpanded. */
  base: string;
  platform?: string;
  node: Node;
  instructions: Instruction[];
}

export interface ParsedFile {
  escape: string;
  metaArgs: { name: string; value?: string }[];
  /** The ARG instructions before the first FROM (shown as steps too). */
  metaNodes: Node[];
  stages: Stage[];
  warnings: string[];
  /** Instructions in the file, FROM lines included (Docker's "Step n/M" total). */
  total: number;
}

/** Split on unquoted whitespace, keeping quotes and escapes in the words (buildkit's parseWords). */
export function splitWords(s: string, esc: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quote = '';
  let inWord = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (!quote && /\s/.test(c)) {
      if (inWord) out.push(cur);
      cur = '';
      inWord = false;
      continue;
    }
    inWord = true;
    cur += c;
    if (c === esc && i + 1 < s.length && quote !== "'") {
      cur += s[++i];
      continue;
    }
    if (quote) {
      if (c === quote) quote = '';
    } else if (c === '"' || c === "'") quote = c;
  }
  if (inWord) out.push(cur);
  return out;
}

/** EXPOSE's expanded words → sorted `port/proto` keys, as nat.ParsePortSpecs reads them: 16-bit
 *  ports, start <= end (`EXPOSE 1-4294967295` made four billion keys: out of memory). */
export function exposedPorts(words: string[]): string[] {
  const ports: string[] = [];
  for (const w of words) {
    const m = /^(\d+)(?:-(\d+))?(?:\/(tcp|udp|sctp))?$/i.exec(w);
    const lo = Number(m?.[1]);
    const hi = m?.[2] ? Number(m[2]) : lo;
    if (!m || hi > 65535 || lo > hi) throw new EngineError('invalid', `Invalid containerPort: ${w}`);
    const proto = (m[3] ?? 'tcp').toLowerCase();
    for (let pt = lo; pt <= hi; pt++) ports.push(`${pt}/${proto}`);
  }
  return ports.sort();
}

/** COPY/ADD --chmod (expanded) → a mode: octal digits up to 7777 (parseInt read "0789" as 7). */
export function chmodMode(expanded: string, written = expanded): number {
  if (!/^[0-7]{1,4}$/.test(expanded.replace(/^0+(?=\d)/, '')))
    throw new EngineError('invalid', `invalid chmod parameter: ${written}`);
  return parseInt(expanded, 8);
}

function parseFlags(n: Node, file: string, allowed: string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const f of n.flags) {
    const m = /^--([^=]+)(?:=([\s\S]*))?$/.exec(f)!;
    const name = m[1];
    if (!allowed.includes(name)) throw err(file, n, `Unknown flag: ${name}`);
    let v = m[2] ?? 'true';
    if (v.startsWith('"') && v.endsWith('"')) v = v.slice(1, -1);
    if (name === 'mount') out.set('mount', out.has('mount') ? out.get('mount') + '\n' + v : v);
    else out.set(name, v);
  }
  return out;
}

function err(file: string, n: Node, m: string): DockerfileError {
  return new DockerfileError(`dockerfile parse error line ${n.line}: ${m}`, file, n.line);
}

function nameVals(n: Node, file: string, esc: string): KeyValue[] {
  const words = splitWords(n.rest, esc);
  const name = n.cmd.toUpperCase();
  if (words.length === 0) throw err(file, n, `${name} requires at least one argument`);
  if (!words[0].includes('=')) {
    // legacy `ENV key value with spaces`
    const m = /^(\S+)\s+([\s\S]*)$/.exec(n.rest.trim());
    if (!m) throw err(file, n, `${name} must have two arguments`);
    return [{ key: m[1], value: m[2] }];
  }
  return words.map((w) => {
    const i = w.indexOf('=');
    if (i < 0) throw err(file, n, `Syntax error - can't find = in "${w}". Must be of the form: name=value`);
    if (i === 0) throw err(file, n, `${name} names can not be blank`);
    return { key: w.slice(0, i), value: w.slice(i + 1) };
  });
}

/** A Go duration ("30s", "1m30s", ".5s", "-1h") in nanoseconds, with Go's error texts. */
export function parseDuration(s: string): number {
  return parseGoDuration(s);
}

function copyInstruction(n: Node, file: string, esc: string, cmd: 'copy' | 'add'): Instruction {
  const name = cmd.toUpperCase();
  const f = parseFlags(
    n,
    file,
    cmd === 'copy'
      ? ['from', 'chown', 'chmod', 'link', 'parents', 'exclude']
      : ['chown', 'chmod', 'link', 'keep-git-dir', 'checksum', 'exclude'],
  );
  const args = n.json ?? splitWords(n.rest, esc);
  if (args.length === 0) throw err(file, n, `${name} requires at least two arguments`);
  if (args.length < 2 && n.heredocs.length === 0)
    throw err(
      file,
      n,
      `${name} requires at least two arguments, but only one was provided. Destination could not be determined.`,
    );
  return {
    kind: cmd,
    node: n,
    srcs: args.slice(0, -1),
    dest: args[args.length - 1],
    from: f.get('from'),
    chown: f.get('chown'),
    chmod: f.get('chmod'),
    link: f.has('link') && f.get('link') !== 'false',
    keepGitDir: f.get('keep-git-dir') === 'true',
    checksum: f.get('checksum'),
    heredocs: n.heredocs,
  };
}

function healthcheckInstruction(n: Node, file: string, esc: string): Instruction {
  const f = parseFlags(n, file, ['interval', 'timeout', 'start-period', 'start-interval', 'retries']);
  const words = splitWords(n.rest, esc);
  const typ = (words[0] ?? '').toUpperCase();
  if (typ === 'NONE') {
    if (words.length > 1) throw err(file, n, 'HEALTHCHECK NONE takes no arguments');
    return { kind: 'healthcheck', node: n, none: true, test: ['NONE'] };
  }
  if (typ !== 'CMD') throw err(file, n, `Unknown type "${typ}" in HEALTHCHECK (try CMD)`);
  const cmdRest = n.rest.trim().slice(3).trim();
  if (!cmdRest) throw err(file, n, 'Missing command after HEALTHCHECK CMD');
  const j = n.json === null ? parseExecForm(cmdRest) : null;
  const test = j ? ['CMD', ...j] : ['CMD-SHELL', cmdRest];
  const dur = (k: string) => {
    const v = f.get(k);
    if (v === undefined) return undefined;
    let d: number;
    try {
      d = parseDuration(v);
    } catch (e) {
      throw err(file, n, (e as Error).message);
    }
    if (d !== 0 && d < 1e6) throw err(file, n, `Interval "${k}" cannot be less than 1ms`);
    return d;
  };
  // strconv.ParseInt(v, 10, 32) as BuildKit reads it (Number() took "0x10", "1e3" and " 5")
  const rv = f.get('retries');
  let retries: number | undefined;
  if (rv !== undefined && rv !== '') {
    if (!/^[+-]?\d+$/.test(rv)) throw err(file, n, `strconv.ParseInt: parsing ${JSON.stringify(rv)}: invalid syntax`);
    retries = Number(rv);
    if (retries > 2 ** 31 - 1 || retries < -(2 ** 31))
      throw err(file, n, `strconv.ParseInt: parsing ${JSON.stringify(rv)}: value out of range`);
    if (retries < 0) throw err(file, n, `--retries cannot be negative (${retries})`);
  }
  return {
    kind: 'healthcheck',
    node: n,
    none: false,
    test,
    interval: dur('interval'),
    timeout: dur('timeout'),
    startPeriod: dur('start-period'),
    startInterval: dur('start-interval'),
    retries,
  };
}

function instruction(n: Node, file: string, esc: string): Instruction {
  const name = n.cmd.toUpperCase();
  const atLeastOne = () => {
    if (n.rest.trim() === '' && n.heredocs.length === 0) throw err(file, n, `${name} requires at least one argument`);
  };
  const exactlyOne = () => {
    if (splitWords(n.rest, esc).length !== 1) throw err(file, n, `${name} requires exactly one argument`);
  };
  switch (n.cmd) {
    case 'run': {
      const f = parseFlags(n, file, ['mount', 'network', 'security']);
      atLeastOne();
      return {
        kind: 'run',
        node: n,
        json: n.json,
        shell: n.rest,
        mounts: f.get('mount')?.split('\n') ?? [],
        network: f.get('network'),
        heredocs: n.heredocs,
      };
    }
    case 'cmd':
    case 'entrypoint':
      parseFlags(n, file, []);
      if (n.cmd === 'entrypoint') atLeastOne();
      return { kind: n.cmd, node: n, json: n.json, shell: n.rest };
    case 'env':
    case 'label':
      return { kind: n.cmd, node: n, pairs: nameVals(n, file, esc) };
    case 'arg': {
      const words = splitWords(n.rest, esc);
      if (words.length === 0) throw err(file, n, 'ARG requires exactly one argument');
      return {
        kind: 'arg',
        node: n,
        args: words.map((w) => {
          const i = w.indexOf('=');
          return i < 0 ? { name: w } : { name: w.slice(0, i), value: w.slice(i + 1) };
        }),
      };
    }
    case 'maintainer':
    case 'stopsignal':
    case 'workdir':
    case 'user':
      atLeastOne();
      if (n.cmd === 'stopsignal' || n.cmd === 'user') exactlyOne();
      return { kind: n.cmd, node: n, value: n.rest.trim() };
    case 'expose':
      atLeastOne();
      return { kind: 'expose', node: n, words: n.rest };
    case 'volume':
      atLeastOne();
      return { kind: 'volume', node: n, json: n.json, words: n.rest };
    case 'copy':
    case 'add':
      return copyInstruction(n, file, esc, n.cmd);
    case 'healthcheck':
      return healthcheckInstruction(n, file, esc);
    case 'shell':
      if (!n.json) throw err(file, n, 'SHELL requires the arguments to be in JSON form');
      if (n.json.length === 0) throw err(file, n, 'SHELL requires at least one argument');
      return { kind: 'shell', node: n, args: n.json };
    case 'onbuild': {
      const expr = n.rest.trim();
      const first = (/^\S+/.exec(expr)?.[0] ?? '').toUpperCase();
      if (!first) throw err(file, n, 'ONBUILD requires at least one argument');
      if (first === 'ONBUILD') throw err(file, n, "Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed");
      if (first === 'FROM' || first === 'MAINTAINER')
        throw err(file, n, `${first} isn't allowed as an ONBUILD trigger`);
      return { kind: 'onbuild', node: n, expr };
    }
    default:
      throw err(file, n, `unknown instruction: ${name}`);
  }
}

/** Parse and validate a whole Dockerfile into stages. */
export function parseStages(text: string, file = 'Dockerfile'): ParsedFile {
  const df = parseDockerfile(text, file);
  if (df.nodes.length === 0) throw new DockerfileError(`the Dockerfile (${file}) cannot be empty`, file, 0);
  const metaArgs: { name: string; value?: string }[] = [];
  const metaNodes: Node[] = [];
  const stages: Stage[] = [];
  const names = new Set<string>();
  for (const n of df.nodes) {
    if (n.cmd === 'from') {
      const f = parseFlags(n, file, ['platform']);
      const words = splitWords(n.rest, df.escape);
      if (words.length !== 1 && !(words.length === 3 && words[1].toLowerCase() === 'as'))
        throw err(file, n, 'FROM requires either one or three arguments');
      const name = words.length === 3 ? words[2].toLowerCase() : undefined;
      if (name !== undefined) {
        if (!/^[a-z][a-z0-9-_.]*$/.test(name))
          throw err(
            file,
            n,
            `invalid name for build stage: "${words[2]}", name can't start with a number or contain symbols`,
          );
        if (names.has(name)) throw err(file, n, `duplicate name ${name}`);
        names.add(name);
      }
      stages.push({
        index: stages.length,
        name,
        base: words[0],
        platform: f.get('platform'),
        node: n,
        instructions: [],
      });
      continue;
    }
    const ins = instruction(n, file, df.escape);
    const cur = stages[stages.length - 1];
    if (!cur) {
      if (ins.kind !== 'arg') throw err(file, n, 'no build stage in current context');
      metaArgs.push(...ins.args);
      metaNodes.push(n);
    } else cur.instructions.push(ins);
  }
  if (stages.length === 0) throw new DockerfileError('no build stage in current context', file, 0);
  const total = metaNodes.length + stages.reduce((a, s) => a + 1 + s.instructions.length, 0);
  return { escape: df.escape, metaArgs, metaNodes, stages, warnings: df.warnings, total };
}
