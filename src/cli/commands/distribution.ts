// `pull`, `push`, `save` and `load`: docker's commands over the image transfer endpoints, with
// docker's progress display (bars on a terminal, see progress.ts) and its registry credentials
// (the `auths` of $DOCKER_CONFIG/config.json, sent as X-Registry-Auth).
import { createReadStream, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import type { CliContext, Command } from '../command.js';
import { StatusError } from '../command.js';
import { flagTable } from '../flags/table.js';
import { writeArchive } from './archive-out.js';
import { flag } from './common.js';
import { get, type Parsed } from '../flags/parser.js';
import { splitRef, withTag } from '../format/images.js';
import { displayJSONMessages } from '../progress.js';
import { type HelperConfig, helperFor, helperGet } from '../credentials.js';

/** The registry host of a reference, as docker keys credentials ("docker.io" for Hub names). */
export function registryHost(ref: string): string {
  const i = ref.indexOf('/');
  const first = i < 0 ? '' : ref.slice(0, i);
  return first && (first.includes('.') || first.includes(':') || first === 'localhost') ? first : 'docker.io';
}

/** X-Registry-Auth for `host` from docker's config file: base64url JSON, `{}` when none. */
export function registryAuth(
  host: string,
  configDir = process.env.DOCKER_CONFIG ?? join(homedir(), '.docker'),
): string {
  let cfg: HelperConfig & { auths?: Record<string, { auth?: string; identitytoken?: string }> } = {};
  try {
    cfg = JSON.parse(readFileSync(join(configDir, 'config.json'), 'utf8')) as typeof cfg;
  } catch {
    /* no config: anonymous */
  }
  const server = host === 'docker.io' ? 'https://index.docker.io/v1/' : host;
  const helper = helperFor(cfg, server);
  if (helper) return fromHelper(helper, server);
  const keys =
    host === 'docker.io' ? [server, 'docker.io', 'index.docker.io'] : [host, `https://${host}`, `http://${host}`];
  const hit = keys.map((k) => cfg.auths?.[k]).find(Boolean);
  const auth: Record<string, string> = {};
  if (hit?.auth) {
    const plain = Buffer.from(hit.auth, 'base64').toString('utf8');
    const c = plain.indexOf(':');
    Object.assign(auth, { username: plain.slice(0, c), password: plain.slice(c + 1), serveraddress: server });
  }
  if (hit?.identitytoken) auth.identitytoken = hit.identitytoken;
  return Buffer.from(JSON.stringify(auth)).toString('base64url');
}

/** X-Registry-Auth from a credential helper (docker's native store); a helper that fails is docker's error. */
function fromHelper(helper: string, server: string): string {
  let c: ReturnType<typeof helperGet>;
  try {
    c = helperGet(helper, server);
  } catch (e) {
    throw new StatusError(1, (e as Error).message);
  }
  const auth = c
    ? {
        ...(c.username ? { username: c.username, password: c.password } : {}),
        ...(c.identitytoken ? { identitytoken: c.identitytoken } : {}),
        serveraddress: server,
      }
    : {};
  return Buffer.from(JSON.stringify(auth)).toString('base64url');
}

/** docker's reference.FamiliarString → full string for the final line of pull (`docker.io/library/x:tag`). */
function canonical(ref: string): string {
  const host = registryHost(ref);
  if (host !== 'docker.io') return ref;
  const path = ref.startsWith('docker.io/') ? ref.slice('docker.io/'.length) : ref;
  return `docker.io/${path.includes('/') ? path : `library/${path}`}`;
}

const quietSink = { write: () => true } as unknown as NodeJS.WritableStream;

type Ref = ReturnType<typeof splitRef>;

/**
 * pull's and push's NAME: with --all-tags it may not name one (`named`), else it gets `:latest`,
 * said on stdout as docker says it.
 */
function nameArg(ctx: CliContext, p: Parsed, named: (r: Ref) => boolean) {
  const all = get.bool(p, 'all-tags');
  let ref = p.args[0];
  if (all && named(splitRef(ref))) throw new StatusError(1, "tag can't be used with --all-tags/-a");
  if (!all && withTag(ref) !== ref) {
    ref = withTag(ref);
    ctx.io.stdout.write('Using default tag: latest\n');
  }
  return { all, ref, ...splitRef(ref), quiet: get.bool(p, 'quiet') };
}

/** A pull or push: the daemon's progress stream (with the registry's credentials), shown unless quiet. */
async function registryStream(
  ctx: CliContext,
  path: string,
  query: Record<string, string | undefined>,
  repo: string,
  quiet: boolean,
): Promise<void> {
  const res = await ctx.client().stream('POST', path, {
    query,
    headers: { 'X-Registry-Auth': registryAuth(registryHost(repo)) },
  });
  await displayJSONMessages(res, quiet ? quietSink : ctx.io.stdout);
}

export const pull: Command = {
  usage: 'image pull [OPTIONS] NAME[:TAG|@DIGEST]',
  desc: 'Download an image from a registry',
  flags: flagTable(`
  all-tags,a         bool            Download all tagged images in the repository
  platform           string          Set platform if server is multi-platform capable
  quiet,q            bool            Suppress verbose output
  disable-content-trust bool=true       Skip image verification
  `),
  args: { min: 1, max: 1 },
  async run(ctx, p) {
    const { all, ref, repo, tag, digest, quiet } = nameArg(ctx, p, (r) => !!(r.tag || r.digest));
    const query = { fromImage: repo, tag: tag ?? digest, platform: get.str(p, 'platform') || undefined };
    await registryStream(ctx, '/images/create', query, repo, quiet);
    if (!all) ctx.io.stdout.write(`${canonical(ref)}\n`);
    return 0;
  },
};

export const push: Command = {
  usage: 'image push [OPTIONS] NAME[:TAG]',
  desc: 'Upload an image to a registry',
  flags: flagTable(`
  all-tags,a         bool            Push all tags of an image to the repository
  quiet,q            bool            Suppress verbose output
  disable-content-trust bool=true       Skip image signing
  `),
  args: { min: 1, max: 1 },
  async run(ctx, p) {
    // a digest has no tag: it comes through nameArg unchanged
    const { ref, repo, tag, digest, quiet } = nameArg(ctx, p, (r) => !!r.tag);
    if (digest) throw new StatusError(1, 'cannot push a digest reference');
    await registryStream(ctx, `/images/${repo}/push`, { tag }, repo, quiet);
    if (quiet) ctx.io.stdout.write(`${ref}\n`);
    return 0;
  },
};

export const save: Command = {
  usage: 'image save [OPTIONS] IMAGE [IMAGE...]',
  desc: 'Save one or more images to a tar archive (streamed to STDOUT by default)',
  flags: [flag.output],
  args: { min: 1 },
  run: (ctx, p) =>
    writeArchive(ctx, get.str(p, 'output'), () =>
      ctx.client().stream('GET', '/images/get', { query: { names: p.args } }),
    ),
};

export const load: Command = {
  usage: 'image load [OPTIONS]',
  desc: 'Load an image from a tar archive or STDIN',
  flags: flagTable(`
    input,i  string  Read from tar archive file, instead of STDIN
    quiet,q  bool    Suppress the load output
  `),
  args: { max: 0 },
  async run(ctx, p) {
    const file = get.str(p, 'input');
    const stdin = ctx.io.stdin as Readable & { isTTY?: boolean };
    if (!file && stdin.isTTY) throw new StatusError(1, 'requested load from stdin, but stdin is empty');
    const body = file ? createReadStream(file, { highWaterMark: 1 << 20 }) : stdin;
    if (file) {
      await new Promise<void>((resolve, reject) => {
        body.once('error', reject);
        body.once('readable', () => resolve());
      }).catch((e: NodeJS.ErrnoException) => {
        throw new StatusError(1, `open ${file}: ${e.code === 'ENOENT' ? 'no such file or directory' : e.message}`);
      });
    }
    const quiet = get.bool(p, 'quiet') || !ctx.io.stdout.isTTY;
    const res = await ctx
      .client()
      .stream('POST', '/images/load', { query: { quiet: quiet ? '1' : '0' }, body, contentType: 'application/x-tar' });
    await displayJSONMessages(res, ctx.io.stdout);
    return 0;
  },
};
