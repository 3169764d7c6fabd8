// `login` / `logout`: credentials in $DOCKER_CONFIG/config.json (`auths`, base64 user:password),
// the same file and keys the docker CLI uses, so both CLIs share a login; or, where the config names
// a credential helper (credsStore / credHelpers), in the helper, with an empty `auths` entry that
// says a login exists (the docker CLI's native store).
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { CliContext, Command } from '../command.js';
import { StatusError } from '../command.js';
import { flagTable } from '../flags/table.js';
import { get } from '../flags/parser.js';
import { type Credentials, helperErase, helperFor, helperGet, helperStore, toHostname } from '../credentials.js';

export { helperFor, toHostname };

export const INDEX_SERVER = 'https://index.docker.io/v1/';

interface AuthEntry {
  auth?: string;
  identitytoken?: string;
}
export interface DockerConfig {
  auths?: Record<string, AuthEntry>;
  credsStore?: string;
  credHelpers?: Record<string, string>;
  [k: string]: unknown;
}

export const configDir = (env: NodeJS.ProcessEnv = process.env) => env.DOCKER_CONFIG ?? join(homedir(), '.docker');

export function readConfig(dir: string): DockerConfig {
  try {
    return JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as DockerConfig;
  } catch {
    return {};
  }
}

// configfile.ConfigFile's field order, which is how the docker CLI writes the keys it knows
const KEY_ORDER = (
  'auths HttpHeaders psFormat imagesFormat networksFormat pluginsFormat volumesFormat statsFormat ' +
  'detachKeys credsStore credHelpers serviceInspectFormat servicesFormat tasksFormat secretFormat ' +
  'configFormat nodesFormat pruneFilters proxies experimental currentContext cliPluginsExtraDirs ' +
  'plugins aliases features'
).split(' ');

/** Saved as the docker CLI saves it: its key order, tab-indented, 0600, replaced atomically. */
export function writeConfig(dir: string, cfg: DockerConfig): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const file = join(dir, 'config.json');
  const tmp = `${file}.tmp-${process.pid}`;
  const rank = (k: string) => (KEY_ORDER.includes(k) ? KEY_ORDER.indexOf(k) : KEY_ORDER.length);
  const ordered = Object.fromEntries(Object.entries(cfg).sort(([a], [b]) => rank(a) - rank(b)));
  writeFileSync(tmp, JSON.stringify(ordered, null, '\t'), { mode: 0o600 });
  renameSync(tmp, file);
}

/** docker's "Error saving credentials: …" and friends, exit 1. */
function helperError(what: string, e: unknown): StatusError {
  return new StatusError(1, `Error ${what} credentials: ${(e as Error).message}`);
}

async function readStdin(ctx: CliContext): Promise<string> {
  let s = '';
  for await (const c of ctx.io.stdin) s += String(c);
  return s.replace(/\r?\n$/, '').replace(/\r$/, '');
}

function stored(cfg: DockerConfig, key: string): Credentials | undefined {
  const helper = helperFor(cfg, key);
  if (helper) {
    try {
      const c = helperGet(helper, key);
      return c?.username ? c : undefined;
    } catch {
      return undefined;
    }
  }
  const a = cfg.auths?.[key]?.auth;
  if (!a) return undefined;
  const plain = Buffer.from(a, 'base64').toString();
  const i = plain.indexOf(':');
  return i < 0 ? undefined : { username: plain.slice(0, i), password: plain.slice(i + 1) };
}

export const login: Command = {
  usage: 'login [OPTIONS] [SERVER]',
  desc: 'Authenticate to a registry',
  flags: flagTable(`
  password,p         string          Password or Personal Access Token (PAT)
  password-stdin     bool            Take the Password or Personal Access Token (PAT) from stdin
  username,u         string          Username
  `),
  args: { max: 1 },
  async run(ctx, p) {
    let user = get.str(p, 'username').trim();
    let password = get.str(p, 'password');
    if (get.bool(p, 'password-stdin')) {
      if (password)
        throw new StatusError(1, 'conflicting options: cannot specify both --password and --password-stdin');
      if (!user) throw new StatusError(1, 'the --password-stdin option requires --username to be set');
      password = await readStdin(ctx);
    }
    if (get.str(p, 'password'))
      ctx.io.stderr.write('WARNING! Using --password via the CLI is insecure. Use --password-stdin.\n');
    const arg = p.args[0];
    const server = arg && arg !== 'docker.io' ? arg : INDEX_SERVER;
    const key = server === INDEX_SERVER ? server : toHostname(server);
    const dir = configDir();
    const cfg = readConfig(dir);
    const helper = helperFor(cfg, key);
    const old = stored(cfg, key);
    if (!user && !password && old) {
      ctx.io.stderr.write(`Authenticating with existing credentials... [Username: ${old.username}]\n`);
      ({ username: user, password } = old);
    } else if (!user || !password) {
      throw new StatusError(1, 'Error: Cannot perform an interactive login from a non TTY device');
    }
    const r = await ctx.client().request<{ Status?: string; IdentityToken?: string }>('POST', '/auth', {
      body: { username: user, password, serveraddress: server },
    });
    if (!get.str(p, 'username') && old)
      ctx.io.stderr.write(
        `\n Info -> To login with a different account, run '${ctx.prog} logout' followed by '${ctx.prog} login'\n\n\n`,
      );
    if (helper) {
      try {
        helperStore(helper, key, { username: user, password, identitytoken: r?.IdentityToken });
      } catch (e) {
        throw helperError('saving', e);
      }
      if (!cfg.auths?.[key] || Object.keys(cfg.auths[key]).length)
        writeConfig(dir, { ...cfg, auths: { ...(cfg.auths ?? {}), [key]: {} } });
      ctx.io.stdout.write(`${r?.Status || 'Login Succeeded'}\n`);
      return 0;
    }
    const entry: AuthEntry = r?.IdentityToken
      ? { auth: Buffer.from(`${user}:`).toString('base64'), identitytoken: r.IdentityToken }
      : { auth: Buffer.from(`${user}:${password}`).toString('base64') };
    if (JSON.stringify(cfg.auths?.[key]) !== JSON.stringify(entry)) {
      writeConfig(dir, { ...cfg, auths: { ...(cfg.auths ?? {}), [key]: entry } });
      ctx.io.stderr.write(
        `\nWARNING! Your credentials are stored unencrypted in '${join(dir, 'config.json')}'.\nConfigure a credential helper to remove this warning. See\nhttps://docs.docker.com/go/credential-store/\n\n`,
      );
    }
    ctx.io.stdout.write(`${r?.Status || 'Login Succeeded'}\n`);
    return 0;
  },
};

export const logout: Command = {
  usage: 'logout [SERVER]',
  desc: 'Log out from a registry',
  args: { max: 1 },
  async run(ctx, p) {
    const server = p.args[0] || INDEX_SERVER;
    const host = server === INDEX_SERVER ? server : toHostname(server);
    const keys = server === INDEX_SERVER ? [server] : [server, host, `http://${host}`, `https://${host}`];
    const dir = configDir();
    const cfg = readConfig(dir);
    ctx.io.stdout.write(`Removing login credentials for ${host}\n`);
    const helper = helperFor(cfg, host);
    if (helper)
      for (const k of keys.filter((x) => cfg.auths?.[x]))
        try {
          helperErase(helper, k);
        } catch (e) {
          ctx.io.stderr.write(`WARNING: could not erase credentials: ${k}: ${(e as Error).message}\n`);
        }
    if (!existsSync(join(dir, 'config.json')) || !keys.some((k) => cfg.auths?.[k])) return 0;
    const auths = { ...(cfg.auths ?? {}) };
    for (const k of keys) delete auths[k];
    writeConfig(dir, { ...cfg, auths });
    return 0;
  },
};
