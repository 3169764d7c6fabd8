// `berth context ls|show|inspect|use|create|rm|update` over the docker CLI's own context store.
import type { CliContext, CliGlobals, Command } from '../command.js';
import { StatusError } from '../command.js';
import {
  type ContextMeta,
  type ContextStore,
  DEFAULT_CONTEXT,
  DEFAULT_DESCRIPTION,
  type DockerEndpoint,
  defaultContext,
  resolveContextName,
  validateName,
} from '../context-store.js';
import { get, type Parsed } from '../flags/parser.js';
import { renderRows, type Row } from '../format/render.js';
import { naturalLess } from '../format/resources.js';
import { flag, printInspect } from './common.js';
import { contextExport, contextImport, globalsOf, lookup, storeOf } from './context-io.js';
import { readConfig, writeConfig } from './login.js';

/** The context this run talks to, as the docker CLI picks it. */
export function currentName(g: CliGlobals): string {
  return resolveContextName({ ...g, current: readConfig(g.configDir).currentContext as string | undefined });
}

/** A context by name, the default one made up in memory. */
const lsHeaders = { Name: 'NAME', Description: 'DESCRIPTION', DockerEndpoint: 'DOCKER ENDPOINT', Error: 'ERROR' };
const lsTable = 'table {{.Name}}{{if .Current}} *{{end}}\t{{.Description}}\t{{.DockerEndpoint}}\t{{.Error}}';

export const contextLs: Command = {
  usage: 'context ls [OPTIONS]',
  desc: 'List contexts',
  flags: [flag.format, { name: 'quiet', short: 'q', type: 'bool', help: 'Only show context names' }],
  args: { max: 0 },
  async run(ctx, p) {
    const { g, store } = storeOf(ctx);
    const cur = currentName(g);
    const row = (m: ContextMeta): Row => ({
      Name: m.Name,
      Current: m.Name === cur,
      Description: m.Name === DEFAULT_CONTEXT ? DEFAULT_DESCRIPTION : (m.Metadata?.Description ?? ''),
      DockerEndpoint: m.Endpoints?.docker?.Host ?? '',
      Error: '',
    });
    const rows = [defaultContext(g.hosts, g.env), ...store.list()].map(row);
    if (!rows.some((r) => r.Current)) {
      let error = '';
      try {
        store.get(cur);
      } catch (e) {
        error = (e as Error).message;
      }
      rows.push({ Name: cur, Current: true, Description: '', DockerEndpoint: '', Error: error });
    }
    rows.sort((a, b) => naturalLess(String(a.Name), String(b.Name)));
    const f = get.bool(p, 'quiet') ? '{{.Name}}' : get.str(p, 'format');
    ctx.io.stdout.write(renderRows(rows, f, lsTable, lsHeaders));
    if (g.env.DOCKER_HOST)
      ctx.io.stderr.write(
        'Warning: DOCKER_HOST environment variable overrides the active context. To use a context, either set the global --context flag, or unset DOCKER_HOST environment variable.\n',
      );
    return 0;
  },
};

export const contextShow: Command = {
  usage: 'context show',
  desc: 'Print the name of the current context',
  args: { max: 0 },
  async run(ctx) {
    ctx.io.stdout.write(`${currentName(globalsOf(ctx))}\n`);
    return 0;
  },
};

/** Store metadata as `context inspect` prints it: TLS material and storage paths added. */
function inspected(store: ContextStore, m: ContextMeta): Record<string, unknown> {
  const mem = m.Name === DEFAULT_CONTEXT;
  return {
    Name: m.Name,
    Metadata: m.Metadata ?? {},
    Endpoints: m.Endpoints ?? {},
    TLSMaterial: {},
    Storage: {
      MetadataPath: mem ? '<IN MEMORY>' : store.metaPath(m.Name).replace(/\/meta\.json$/, ''),
      TLSPath: mem ? '<IN MEMORY>' : store.tlsPath(m.Name),
    },
  };
}

export const contextInspect: Command = {
  usage: 'context inspect [OPTIONS] [CONTEXT] [CONTEXT...]',
  desc: 'Display detailed information on one or more contexts',
  flags: [flag.formatF],
  async run(ctx, p) {
    const { g, store } = storeOf(ctx);
    const names = p.args.length ? p.args : [currentName(g)];
    const fetch = async (n: string) => inspected(store, lookup(store, g, n));
    return printInspect(ctx, names, get.str(p, 'format'), fetch, (e) => (e as Error).message);
  },
};

export const contextUse: Command = {
  usage: 'context use CONTEXT',
  desc: 'Set the current docker context',
  args: { min: 1, max: 1 },
  async run(ctx, p) {
    const { g, store } = storeOf(ctx);
    const name = p.args[0];
    if (name !== DEFAULT_CONTEXT) store.get(name);
    const cfg = readConfig(g.configDir);
    if (name === DEFAULT_CONTEXT) delete cfg.currentContext;
    else cfg.currentContext = name;
    cfg.auths ??= {};
    writeConfig(g.configDir, cfg);
    ctx.io.stdout.write(`${name}\n`);
    ctx.io.stderr.write(`Current context is now "${name}"\n`);
    if (name !== DEFAULT_CONTEXT && g.env.DOCKER_HOST)
      ctx.io.stderr.write(
        'Warning: DOCKER_HOST environment variable overrides the active context. To use a context, either set the global --context flag, or unset DOCKER_HOST environment variable.\n',
      );
    return 0;
  },
};

/** `--docker host=…,skip-tls-verify=…`: a new endpoint (docker keeps nothing of the old one); no TLS files. */
export function dockerEndpoint(spec: string): DockerEndpoint {
  const ep: DockerEndpoint = { SkipTLSVerify: false };
  for (const kv of spec.split(',').filter(Boolean)) {
    const i = kv.indexOf('=');
    const [k, v] = i < 0 ? [kv, ''] : [kv.slice(0, i), kv.slice(i + 1)];
    if (k === 'host') ep.Host = v;
    else if (k === 'skip-tls-verify') ep.SkipTLSVerify = v === 'true' || v === '1';
    else if (k === 'ca' || k === 'cert' || k === 'key')
      throw new StatusError(1, `unable to create docker endpoint config: berth does not support TLS material (${k})`);
    else throw new StatusError(1, `unable to create docker endpoint config: unrecognized config key: ${k}`);
  }
  // meta.json keeps Go's field order, Host first (and absent when empty)
  return ep.Host === undefined
    ? { SkipTLSVerify: ep.SkipTLSVerify }
    : { Host: ep.Host, SkipTLSVerify: ep.SkipTLSVerify };
}

/** create's and update's end: --description over the metadata, the context written, its name said. */
function saveContext(ctx: CliContext, store: ContextStore, m: ContextMeta, p: Parsed, done: string): number {
  if (p.set.has('description')) m.Metadata = { ...m.Metadata, Description: get.str(p, 'description') };
  store.put(m);
  ctx.io.stdout.write(`${p.args[0]}\n`);
  ctx.io.stderr.write(`Successfully ${done} context "${p.args[0]}"\n`);
  return 0;
}

const descFlag = { name: 'description', type: 'string', help: 'Description of the context' } as const;
const dockerFlag = { name: 'docker', type: 'string', help: 'set the docker endpoint' } as const;

export const contextCreate: Command = {
  usage: 'context create [OPTIONS] CONTEXT',
  desc: 'Create a context',
  flags: [descFlag, dockerFlag, { name: 'from', type: 'string', help: 'create context from a named context' }],
  args: { min: 1, max: 1 },
  async run(ctx, p) {
    const { g, store } = storeOf(ctx);
    const name = p.args[0];
    validateName(name);
    if (store.exists(name)) throw new StatusError(1, `context "${name}" already exists`);
    const docker = get.str(p, 'docker');
    let m: ContextMeta;
    if (p.set.has('docker') && p.set.has('from'))
      throw new StatusError(1, 'cannot use --docker flag when --from is set');
    if (p.set.has('docker')) {
      m = { Name: name, Metadata: {}, Endpoints: { docker: dockerEndpoint(docker) } };
    } else {
      // from --from or the current context: its endpoint and description, the flags over them
      const from = lookup(store, g, p.set.has('from') ? get.str(p, 'from') : currentName(g));
      const desc = from.Name === DEFAULT_CONTEXT ? DEFAULT_DESCRIPTION : from.Metadata?.Description;
      const base = from.Endpoints?.docker ?? { SkipTLSVerify: false };
      m = {
        Name: name,
        Metadata: desc ? { Description: desc } : {},
        Endpoints: { ...from.Endpoints, docker: base },
      };
    }
    return saveContext(ctx, store, m, p, 'created');
  },
};

export const contextUpdate: Command = {
  usage: 'context update [OPTIONS] CONTEXT',
  desc: 'Update a context',
  flags: [descFlag, dockerFlag],
  args: { min: 1, max: 1 },
  async run(ctx, p) {
    const { store } = storeOf(ctx);
    const name = p.args[0];
    if (name === DEFAULT_CONTEXT) validateName(name);
    const m = store.get(name);
    if (p.set.has('docker')) m.Endpoints = { ...m.Endpoints, docker: dockerEndpoint(get.str(p, 'docker')) };
    return saveContext(ctx, store, m, p, 'updated');
  },
};

export const contextRm: Command = {
  usage: 'context rm CONTEXT [CONTEXT...]',
  desc: 'Remove one or more contexts',
  flags: [{ name: 'force', short: 'f', type: 'bool', help: 'Force the removal of a context in use' }],
  args: { min: 1 },
  async run(ctx, p) {
    const { g, store } = storeOf(ctx);
    const cfg = readConfig(g.configDir);
    const errs: string[] = [];
    for (const name of p.args) {
      if (name === DEFAULT_CONTEXT) errs.push(`context "${name}" cannot be removed`);
      else if (!store.exists(name)) errs.push(`context "${name}" does not exist`);
      else if (cfg.currentContext === name && !get.bool(p, 'force'))
        errs.push(`context "${name}" is in use, set -f flag to force remove`);
      else {
        if (cfg.currentContext === name) {
          delete cfg.currentContext;
          cfg.auths ??= {};
          writeConfig(g.configDir, cfg);
        }
        store.remove(name);
        ctx.io.stdout.write(`${name}\n`);
      }
    }
    if (errs.length) throw new StatusError(1, errs.join('\n'));
    return 0;
  },
};

export const contextGroup: Record<string, Command> = {
  ls: contextLs,
  list: contextLs,
  show: contextShow,
  inspect: contextInspect,
  use: contextUse,
  create: contextCreate,
  update: contextUpdate,
  rm: contextRm,
  remove: contextRm,
  export: contextExport,
  import: contextImport,
};
