// Credential helpers as the docker CLI runs them (docker-credential-helpers' protocol): the
// program `docker-credential-<name>` with `store`, `get` or `erase` as its argument and the request
// on stdin; `get` answers {ServerURL, Username, Secret} on stdout. A Username of `<token>` means the
// Secret is an identity token. The config's credHelpers (by registry host) win over credsStore.
import { spawnSync } from 'node:child_process';

export interface HelperConfig {
  credsStore?: string;
  credHelpers?: Record<string, string>;
}

export interface Credentials {
  username: string;
  password: string;
  identitytoken?: string;
}

const TOKEN_USER = '<token>';
const NOT_FOUND = 'credentials not found in native keychain';

/** credentials.ConvertToHostname: scheme and path dropped. */
export function toHostname(addr: string): string {
  return addr.replace(/^https?:\/\//, '').split('/')[0];
}

/** The helper that holds `server`'s credentials, if the config names one. */
export function helperFor(cfg: HelperConfig, server: string): string | undefined {
  return cfg.credHelpers?.[toHostname(server)] ?? cfg.credHelpers?.[server] ?? cfg.credsStore;
}

/** Runs the helper; docker's error text when it cannot be run or fails (its output included). */
function call(helper: string, action: 'get' | 'store' | 'erase', input: string): string {
  const prog = `docker-credential-${helper}`;
  const r = spawnSync(prog, [action], { input, encoding: 'utf8' });
  if (r.error) {
    const why =
      (r.error as NodeJS.ErrnoException).code === 'ENOENT' ? 'executable file not found in $PATH' : r.error.message;
    throw new Error(`exec: "${prog}": ${why}, out: \`\``);
  }
  const out = (r.stdout ?? '').trim();
  if (r.status !== 0) throw new Error(out || (r.stderr ?? '').trim() || `exit status ${r.status}`);
  return out;
}

/** The stored credentials of `server`, or undefined when the helper has none. */
export function helperGet(helper: string, server: string): Credentials | undefined {
  let out: string;
  try {
    out = call(helper, 'get', server);
  } catch (e) {
    if ((e as Error).message === NOT_FOUND) return undefined;
    throw new Error(`error getting credentials - err: ${(e as Error).message}`);
  }
  const c = JSON.parse(out) as { Username?: string; Secret?: string };
  if (c.Username === TOKEN_USER) return { username: '', password: '', identitytoken: c.Secret ?? '' };
  return { username: c.Username ?? '', password: c.Secret ?? '' };
}

export function helperStore(helper: string, server: string, c: Credentials): void {
  const body = c.identitytoken
    ? { ServerURL: server, Username: TOKEN_USER, Secret: c.identitytoken }
    : { ServerURL: server, Username: c.username, Secret: c.password };
  try {
    call(helper, 'store', JSON.stringify(body));
  } catch (e) {
    throw new Error(`error storing credentials - err: ${(e as Error).message}`);
  }
}

/** Erases `server`'s credentials; a helper that had none is not an error. */
export function helperErase(helper: string, server: string): void {
  try {
    call(helper, 'erase', server);
  } catch (e) {
    if ((e as Error).message !== NOT_FOUND) throw new Error(`error erasing credentials - err: ${(e as Error).message}`);
  }
}
