// `berth registry serve|gc`: the OCI distribution registry server in this process.
import type { Command } from '../command.js';
import { get, type Parsed, type FlagSpec } from '../flags/parser.js';
import { gc, serve, type RegistryFlags } from '../../registry/main.js';
import { flagTable } from '../flags/table.js';

const common: FlagSpec[] = flagTable(`
  config  string  Registry configuration file (docker-registry config.yml, YAML or JSON)
  root    string  Storage root directory
`);

function flagsOf(p: Parsed): RegistryFlags {
  const opt = (k: string) => (p.set.has(k) ? get.str(p, k) : undefined);
  return {
    // `serve CONFIG` as docker-registry takes it.
    config: opt('config') ?? p.args[0],
    root: opt('root'),
    addr: opt('addr'),
    htpasswd: opt('htpasswd'),
    tlsCert: opt('tls-cert'),
    tlsKey: opt('tls-key'),
    readOnly: p.set.has('read-only') ? get.bool(p, 'read-only') : undefined,
    delete: p.set.has('delete') ? get.bool(p, 'delete') : undefined,
    logLevel: opt('log-level'),
  };
}

export const registryServe: Command = {
  usage: 'registry serve [OPTIONS] [CONFIG]',
  desc: 'Run an OCI distribution registry',
  args: { max: 1 },
  flags: [
    ...common,
    ...flagTable(`
      addr       string  Listen address (default 127.0.0.1:5000)
      htpasswd   string  htpasswd file (bcrypt) for basic auth
      tls-cert   string  TLS certificate file
      tls-key    string  TLS key file
      read-only  bool    Refuse pushes and deletes
      delete     bool    Allow deleting manifests and blobs
      log-level  string  debug, info, warn or error
    `),
  ],
  run: (ctx, p) => serve(flagsOf(p), ctx.io),
};

export const registryGc: Command = {
  usage: 'registry gc [OPTIONS] [CONFIG]',
  desc: 'Delete blobs no manifest references',
  args: { max: 1 },
  flags: [
    ...common,
    ...flagTable(`
      dry-run,d          bool  Only print what would be deleted
      delete-untagged,m  bool  Also delete manifests no tag reaches
    `),
  ],
  run: (ctx, p) =>
    gc({ ...flagsOf(p), dryRun: get.bool(p, 'dry-run'), deleteUntagged: get.bool(p, 'delete-untagged') }, ctx.io),
};
