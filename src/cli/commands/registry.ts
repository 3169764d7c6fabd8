// `berth registry serve|gc`: the OCI distribution registry server in this process.
import type { Command } from '../command.js';
import { get, type Parsed, type FlagSpec } from '../flags/parser.js';
import { gc, serve, type RegistryFlags } from '../../registry/main.js';

const common: FlagSpec[] = [
  { name: 'config', type: 'string', help: 'Registry configuration file (docker-registry config.yml, YAML or JSON)' },
  { name: 'root', type: 'string', help: 'Storage root directory' },
];

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
  name: 'registry serve',
  usage: 'serve [OPTIONS] [CONFIG]',
  desc: 'Run an OCI distribution registry',
  args: { max: 1 },
  flags: [
    ...common,
    { name: 'addr', type: 'string', help: 'Listen address (default 127.0.0.1:5000)' },
    { name: 'htpasswd', type: 'string', help: 'htpasswd file (bcrypt) for basic auth' },
    { name: 'tls-cert', type: 'string', help: 'TLS certificate file' },
    { name: 'tls-key', type: 'string', help: 'TLS key file' },
    { name: 'read-only', type: 'bool', help: 'Refuse pushes and deletes' },
    { name: 'delete', type: 'bool', help: 'Allow deleting manifests and blobs' },
    { name: 'log-level', type: 'string', help: 'debug, info, warn or error' },
  ],
  run: (ctx, p) => serve(flagsOf(p), ctx.io),
};

export const registryGc: Command = {
  name: 'registry gc',
  usage: 'gc [OPTIONS] [CONFIG]',
  desc: 'Delete blobs no manifest references',
  args: { max: 1 },
  flags: [
    ...common,
    { name: 'dry-run', short: 'd', type: 'bool', help: 'Only print what would be deleted' },
    { name: 'delete-untagged', short: 'm', type: 'bool', help: 'Also delete manifests no tag reaches' },
  ],
  run: (ctx, p) =>
    gc({ ...flagsOf(p), dryRun: get.bool(p, 'dry-run'), deleteUntagged: get.bool(p, 'delete-untagged') }, ctx.io),
};
