// The docker CLI's context store, shared with it: $DOCKER_CONFIG/contexts/meta/<sha256 of name>/meta.json
// and `currentContext` in config.json; which context a run uses and the daemon host it names.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { StatusError } from './command.js';
import { DEFAULT_SOCKET } from '../client/docker-host.js';

export interface DockerEndpoint {
  Host?: string;
  SkipTLSVerify: boolean;
}

export interface ContextMeta {
  Name: string;
  Metadata: { Description?: string; [k: string]: unknown };
  Endpoints: { docker?: DockerEndpoint; [k: string]: unknown };
}

export const DEFAULT_CONTEXT = 'default';
export const DEFAULT_DESCRIPTION = 'Current DOCKER_HOST based configuration';
const NAME_RE = /^[a-zA-Z0-9][a-zA-Z0-9_.+-]+$/;

/** The config directory: --config, else $DOCKER_CONFIG, else ~/.docker. */
export function configDirOf(flag: string | undefined, env: NodeJS.ProcessEnv): string {
  return flag || env.DOCKER_CONFIG || join(homedir(), '.docker');
}

export class ContextStore {
  constructor(readonly dir: string) {}

  private metaDir(name: string): string {
    return join(this.dir, 'contexts', 'meta', createHash('sha256').update(name).digest('hex'));
  }

  metaPath(name: string): string {
    return join(this.metaDir(name), 'meta.json');
  }

  tlsPath(name: string): string {
    return join(this.dir, 'contexts', 'tls', createHash('sha256').update(name).digest('hex'));
  }

  /** A stored context, or docker's "context not found" (with the path it tried). */
  get(name: string): ContextMeta {
    const p = this.metaPath(name);
    try {
      return JSON.parse(readFileSync(p, 'utf8')) as ContextMeta;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT')
        throw new StatusError(1, `context "${name}": context not found: open ${p}: no such file or directory`);
      throw new StatusError(1, `parsing ${p}: ${(e as Error).message}`);
    }
  }

  exists(name: string): boolean {
    return existsSync(this.metaPath(name));
  }

  list(): ContextMeta[] {
    const root = join(this.dir, 'contexts', 'meta');
    if (!existsSync(root)) return [];
    const out: ContextMeta[] = [];
    for (const d of readdirSync(root)) {
      try {
        out.push(JSON.parse(readFileSync(join(root, d, 'meta.json'), 'utf8')) as ContextMeta);
      } catch {
        /* not a context directory: docker skips it too */
      }
    }
    return out;
  }

  /** Written as docker writes it: compact JSON, the directory created on demand. */
  put(m: ContextMeta): void {
    mkdirSync(this.metaDir(m.Name), { recursive: true, mode: 0o755 });
    const p = this.metaPath(m.Name);
    writeFileSync(`${p}.tmp`, JSON.stringify(m), { mode: 0o644 });
    renameSync(`${p}.tmp`, p);
  }

  remove(name: string): void {
    rmSync(this.metaDir(name), { recursive: true, force: true });
    rmSync(this.tlsPath(name), { recursive: true, force: true });
  }
}

/** store.ValidateContextName. */
export function validateName(name: string): void {
  if (name === '') throw new StatusError(1, 'context name cannot be empty');
  if (name === DEFAULT_CONTEXT) throw new StatusError(1, `"${name}" is a reserved context name`);
  if (!NAME_RE.test(name))
    throw new StatusError(
      1,
      `context name "${name}" is invalid, names are validated against regexp "${NAME_RE.source}"`,
    );
}

export interface GlobalChoice {
  context?: string;
  hosts: string[];
  env: NodeJS.ProcessEnv;
  /** config.json's currentContext. */
  current?: string;
}

/** resolveContextName: --context, then -H or DOCKER_HOST (the default context), DOCKER_CONTEXT, the config's. */
export function resolveContextName(g: GlobalChoice): string {
  if (g.context && g.hosts.length > 0)
    throw new StatusError(1, 'conflicting options: cannot specify both --host and --context');
  if (g.context) return g.context;
  if (g.hosts.length > 0 || g.env.DOCKER_HOST) return DEFAULT_CONTEXT;
  if (g.env.DOCKER_CONTEXT) return g.env.DOCKER_CONTEXT;
  return g.current || DEFAULT_CONTEXT;
}

/** The default context's endpoint: -H, else DOCKER_HOST, else berthd's socket. */
export function defaultHost(hosts: string[], env: NodeJS.ProcessEnv): string {
  return hosts[hosts.length - 1] || env.DOCKER_HOST || `unix://${DEFAULT_SOCKET}`;
}

/** The in-memory default context, as `context inspect default` shows it. */
export function defaultContext(hosts: string[], env: NodeJS.ProcessEnv): ContextMeta {
  return {
    Name: DEFAULT_CONTEXT,
    Metadata: {},
    Endpoints: { docker: { Host: defaultHost(hosts, env), SkipTLSVerify: false } },
  };
}
