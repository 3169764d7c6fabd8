// /plugins as a Docker engine with no managed plugins answers it (moby api/server/router/plugin and
// plugin/backend_linux.go): an empty list, `plugin "x" not found` for every name, the routers'
// own checks (query, JSON body, references) first. A pull first resolves the reference as moby's
// containerd resolver does, so offline or unknown plugins fail with Docker's texts; a plugin that
// does exist cannot be run here (berth has no plugin runtime) and is refused with 501.
import { internal, invalid, isKind, notFound, notImplemented } from '../../errdefs.js';
import { isInsecureHost, send } from '../../images/distribution/registry.js';
import {
  familiarString,
  fullName,
  parseReference,
  referenceString,
  withDefaultTag,
  type Reference,
} from '../../images/reference/reference.js';
import { parseFilters } from '../filters.js';
import type { Ctx, Route } from '../router.js';

export interface PluginDeps {
  insecureRegistries: string[];
  /** HEAD a manifest URL: the status, or a rejection with Go's url.Error text. Injected by tests. */
  head?: (url: string, accept: string) => Promise<number>;
}

const MANIFEST_TYPES = [
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.oci.image.index.v1+json',
].join(', ');

/** moby store.errNotFound, with the name as the client gave it. */
export const pluginNotFound = (name: string) => notFound(`plugin ${JSON.stringify(name)} not found`);

async function httpHead(url: string, accept: string): Promise<number> {
  const res = await send('HEAD', url, { Accept: accept });
  res.resume();
  return res.statusCode ?? 0;
}

/** Go's strconv.Atoi (enable's timeout): moby returns the error as is; a 400 here, never a 500. */
function atoi(s: string): number {
  if (!/^[+-]?\d+$/.test(s)) throw invalid(`strconv.Atoi: parsing ${JSON.stringify(s)}: invalid syntax`);
  return Number(s);
}

/** httputils.ReadJSON into a Go type: absent body is fine, a wrong shape is moby's "invalid JSON". */
async function readJson(ctx: Ctx, goType: string, ok: (v: unknown) => boolean): Promise<unknown> {
  const v = await ctx.json();
  if (v === undefined || v === null || ok(v)) return v;
  const kind = Array.isArray(v) ? 'array' : typeof v === 'object' ? 'object' : typeof v;
  throw invalid(`invalid JSON: json: cannot unmarshal ${kind} into Go value of type ${goType}`);
}

const isPrivileges = (v: unknown) =>
  Array.isArray(v) && v.every((p) => p === null || (typeof p === 'object' && !Array.isArray(p)));
const isStrings = (v: unknown) => Array.isArray(v) && v.every((x) => typeof x === 'string');

/** parseRemoteRef: the reference with `latest` when it names neither tag nor digest. */
function remoteRef(remote: string | null): Reference {
  return withDefaultTag(parseReference(remote ?? ''));
}

/** getName: the local name a pull installs under (moby refuses a digest in it). */
function localName(ref: Reference, name: string | null): string {
  // a digest reference installs under its tag, or latest
  if (!name) return familiarString(withDefaultTag({ ...ref, digest: undefined }));
  const local = parseReference(name);
  if (local.digest) throw invalid('cannot use digest in plugin tag');
  return familiarString(withDefaultTag(local));
}

/** containerd's Resolve of the reference: Docker's errors when the registry is offline or lacks it. */
async function resolve(ref: Reference, d: PluginDeps): Promise<void> {
  const host = ref.domain === 'docker.io' ? 'registry-1.docker.io' : ref.domain;
  const scheme = ref.domain !== 'docker.io' && isInsecureHost(ref.domain, d.insecureRegistries) ? 'http' : 'https';
  const url = `${scheme}://${host}/v2/${ref.path}/manifests/${ref.digest ?? ref.tag}`;
  const status = await (d.head ?? httpHead)(url, MANIFEST_TYPES).catch((e: unknown) => {
    const why = e instanceof Error ? e.message : String(e);
    throw internal(`error resolving plugin reference: failed to do request: ${why}`, e);
  });
  const shown = referenceString(ref.digest ? { ...ref, tag: undefined } : ref); // parseRemoteRef drops the tag
  if (status === 404) throw notFound(`error resolving plugin reference: ${shown}: not found`);
}

async function pull(ctx: Ctx, d: PluginDeps): Promise<void> {
  await readJson(ctx, 'types.PluginPrivileges', isPrivileges);
  const ref = remoteRef(ctx.query.get('remote'));
  const name = localName(ref, ctx.query.get('name'));
  await resolve(ref, d);
  throw notImplemented(`berth does not support managed plugins: cannot install ${name} from ${fullName(ref)}`);
}

/** The routes whose only answer, after the router's own checks, is "not found". */
function unknownPluginRoutes(): Route[] {
  const missing = (ctx: Ctx) => {
    throw pluginNotFound(ctx.params.name ?? '');
  };
  return [
    { method: 'GET', path: '/plugins/{name*}/json', handler: missing },
    { method: 'DELETE', path: '/plugins/{name*}', handler: missing },
    {
      method: 'POST',
      path: '/plugins/{name*}/enable',
      handler: (ctx) => {
        atoi(ctx.query.get('timeout') ?? '');
        missing(ctx);
      },
    },
    { method: 'POST', path: '/plugins/{name*}/disable', handler: missing },
    { method: 'POST', path: '/plugins/{name*}/push', handler: missing },
    {
      method: 'POST',
      path: '/plugins/{name*}/set',
      handler: async (ctx) => {
        await readJson(ctx, '[]string', isStrings);
        missing(ctx);
      },
    },
    {
      method: 'POST',
      path: '/plugins/{name*}/upgrade',
      handler: async (ctx) => {
        await readJson(ctx, 'types.PluginPrivileges', isPrivileges);
        localName(remoteRef(ctx.query.get('remote')), ctx.params.name ?? '');
        missing(ctx);
      },
    },
  ];
}

export function pluginRoutes(d: PluginDeps): Route[] {
  return [
    {
      method: 'GET',
      path: '/plugins',
      handler: (ctx) => {
        const f = parseFilters(ctx.query.get('filters'), ['enabled', 'capability']);
        const en = f.get('enabled');
        if (en) {
          const t = en.includes('1') || en.includes('true');
          if (en.length === 0) throw invalid(`invalid filter 'enabled'`);
          if (t === (en.includes('0') || en.includes('false')))
            throw invalid(`invalid filter 'enabled=[${en.join(' ')}]'`);
        }
        ctx.reply.json(200, []);
      },
    },
    {
      // moby answers [] when the fetch fails, so the CLI goes on to the pull and reports its error there
      method: 'GET',
      path: '/plugins/privileges',
      handler: (ctx) => {
        remoteRef(ctx.query.get('remote'));
        ctx.reply.json(200, []);
      },
    },
    { method: 'POST', path: '/plugins/pull', handler: (ctx) => pull(ctx, d) },
    {
      method: 'POST',
      path: '/plugins/create',
      handler: (ctx) => {
        const repo = ctx.query.get('name') ?? '';
        let ref: Reference;
        try {
          ref = parseReference(repo);
        } catch (e) {
          if (!isKind(e, 'invalid')) throw e;
          throw invalid(`failed to parse reference ${repo}: ${e.message}`, e);
        }
        if (ref.digest) throw invalid('canonical references are not permitted');
        throw notImplemented(
          `berth does not support managed plugins: cannot create ${familiarString(withDefaultTag(ref))}`,
        );
      },
    },
    ...unknownPluginRoutes(),
  ];
}
