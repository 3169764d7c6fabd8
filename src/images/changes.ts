// Docker's `--change` instructions for import/commit (a Dockerfile subset applied to a config).
import { posix } from 'node:path';
import { invalid } from '../errdefs.js';
import { parseExecForm } from '../util/exec-form.js';
import { parsePortRange, splitProtoPort } from '../util/port-range.js';
import { parseGoDuration } from '../util/go-duration.js';
import { splitShellWords } from '../util/shell-words.js';
import type { ContainerConfig, HealthConfig } from './types.js';

const VALID = new Set([
  'cmd',
  'entrypoint',
  'healthcheck',
  'env',
  'expose',
  'label',
  'onbuild',
  'stopsignal',
  'user',
  'volume',
  'workdir',
]);

/** --change arguments split as moby does (quotes removed; no error for an unclosed one). */
export const splitWords = (s: string): string[] => splitShellWords(s, false);

/** ENV/LABEL arguments: `k=v k2="v 2"` or the legacy `k value with spaces`. */
function nameValues(cmd: string, args: string): [string, string][] {
  const words = splitWords(args);
  if (words.length === 0) throw invalid(`${cmd.toUpperCase()} requires at least one argument`);
  if (!words[0].includes('=')) {
    const m = /^\s*(\S+)\s+([\s\S]*)$/.exec(args);
    if (!m) throw invalid(`${cmd.toUpperCase()} must have two arguments`);
    return [[m[1], splitWords(m[2]).join(' ')]];
  }
  return words.map((w) => {
    const i = w.indexOf('=');
    if (i <= 0) throw invalid(`Syntax error - can't find = in "${w}". Must be of the form: name=value`);
    return [w.slice(0, i), w.slice(i + 1)];
  });
}

function commandArgs(args: string, shell: string[]): string[] {
  return parseExecForm(args) ?? [...shell, args.trim()];
}

/** strconv.ParseInt(v, 10, 32), as BuildKit reads --retries (Number() took "0x10" and "1e3"). */
function retries(v: string): number {
  if (!/^[+-]?\d+$/.test(v)) throw invalid(`strconv.ParseInt: parsing ${JSON.stringify(v)}: invalid syntax`);
  const n = Number(v);
  if (n > 2 ** 31 - 1 || n < -(2 ** 31))
    throw invalid(`strconv.ParseInt: parsing ${JSON.stringify(v)}: value out of range`);
  if (n < 0) throw invalid(`--retries cannot be negative (${n})`);
  return n;
}

/** A HEALTHCHECK interval as BuildKit's parseOptInterval reads it: Go's syntax, 0 or at least 1ms. */
function duration(k: string, s: string): number {
  let d: number;
  try {
    d = parseGoDuration(s);
  } catch (e) {
    throw invalid((e as Error).message);
  }
  if (d !== 0 && d < 1e6) throw invalid(`Interval "${k}" cannot be less than 1ms`);
  return d;
}

function healthcheck(args: string, shell: string[]): HealthConfig {
  let rest = args.trim();
  const hc: HealthConfig = {};
  for (let m; (m = /^--([a-z-]+)=(\S+)\s*/.exec(rest)); rest = rest.slice(m[0].length)) {
    const [, k, v] = m;
    if (k === 'interval') hc.Interval = duration(k, v);
    else if (k === 'timeout') hc.Timeout = duration(k, v);
    else if (k === 'start-period') hc.StartPeriod = duration(k, v);
    else if (k === 'start-interval') hc.StartInterval = duration(k, v);
    else if (k === 'retries') hc.Retries = retries(v);
    else throw invalid(`Unknown flag: ${k}`);
  }
  const [word, ...more] = rest.split(/\s+/);
  const tail = rest.slice(word.length).trim();
  if (word.toUpperCase() === 'NONE') {
    if (more.length) throw invalid('HEALTHCHECK NONE takes no arguments');
    return { Test: ['NONE'] };
  }
  if (word.toUpperCase() !== 'CMD') throw invalid(`Unknown type "${word.toUpperCase()}" in HEALTHCHECK (try CMD)`);
  const j = parseExecForm(tail);
  hc.Test = j ? ['CMD', ...j] : ['CMD-SHELL', tail];
  void shell;
  return hc;
}

/** Apply `changes` to a copy of `cfg`. Unknown instructions are rejected with Docker's text. */
export function applyChanges(cfg: ContainerConfig, changes: string[]): ContainerConfig {
  const c: ContainerConfig = structuredClone(cfg);
  const shell = c.Shell ?? ['/bin/sh', '-c'];
  for (const raw of changes) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const m = /^(\S+)\s*([\s\S]*)$/.exec(line)!;
    const cmd = m[1].toLowerCase();
    const args = m[2];
    if (!VALID.has(cmd)) throw invalid(`${cmd} is not a valid change command`);
    switch (cmd) {
      case 'cmd':
        c.Cmd = commandArgs(args, shell);
        break;
      case 'entrypoint':
        c.Entrypoint = args.trim() === '' ? null : commandArgs(args, shell);
        break;
      case 'env': {
        const env = [...(c.Env ?? [])];
        for (const [k, v] of nameValues(cmd, args)) {
          const i = env.findIndex((e) => e.split('=')[0] === k);
          if (i >= 0) env[i] = `${k}=${v}`;
          else env.push(`${k}=${v}`);
        }
        c.Env = env;
        break;
      }
      case 'label':
        c.Labels = { ...(c.Labels ?? {}) };
        for (const [k, v] of nameValues(cmd, args)) c.Labels[k] = v;
        break;
      case 'expose': {
        c.ExposedPorts = { ...(c.ExposedPorts ?? {}) };
        for (const p of splitWords(args)) {
          const [proto, range] = splitProtoPort(p);
          // nat.ParsePortRange: 16-bit ports, start <= end (`1-99999999` looped 10^8 times)
          const r = /^(tcp|udp|sctp)$/i.test(proto) && !p.endsWith('/') ? parsePortRange(range) : null;
          if (!r) throw invalid(`invalid containerPort: ${p.split('/')[0]}`);
          for (let n = r[0]; n <= r[1]; n++) c.ExposedPorts[`${n}/${proto.toLowerCase()}`] = {};
        }
        break;
      }
      case 'user':
        c.User = args.trim();
        break;
      case 'volume': {
        c.Volumes = { ...(c.Volumes ?? {}) };
        for (const v of parseExecForm(args) ?? splitWords(args)) {
          if (v.trim() === '') throw invalid('VOLUME specified can not be an empty string');
          c.Volumes[v] = {};
        }
        break;
      }
      case 'workdir': {
        const w = args.trim();
        c.WorkingDir = posix.isAbsolute(w) ? posix.normalize(w) : posix.join(c.WorkingDir || '/', w);
        break;
      }
      case 'stopsignal': {
        const s = args.trim();
        if (!/^(SIG)?[A-Z0-9+-]+$/i.test(s)) throw invalid(`Invalid signal: ${s}`);
        c.StopSignal = s;
        break;
      }
      case 'onbuild': {
        const inner = args.trim().split(/\s+/)[0]?.toUpperCase() ?? '';
        if (inner === 'ONBUILD') throw invalid("Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed");
        if (inner === 'FROM' || inner === 'MAINTAINER') throw invalid(`${inner} isn't allowed as an ONBUILD trigger`);
        c.OnBuild = [...(c.OnBuild ?? []), args.trim()];
        break;
      }
      case 'healthcheck':
        c.Healthcheck = healthcheck(args, shell);
        break;
    }
  }
  return c;
}
