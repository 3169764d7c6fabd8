// GET /images/search as moby's registry/search.go answers it: filters and limit validated first,
// then the index's v1 search endpoint asked (Docker Hub's index.docker.io, or a private registry
// named in the term, pinged over HTTPS then plain HTTP when insecure). With no network this is
// moby's error for an unreachable index; a v2-only registry (ours, Debian's) answers 404 there,
// which Docker reports as "Unexpected status code 404".
import type { IncomingHttpHeaders } from 'node:http';
import { internal, invalid } from '../../errdefs.js';
import { isInsecureHost, readBody, send } from '../../images/distribution/registry.js';
import { parseFilters } from '../filters.js';
import type { Route } from '../router.js';

/** One result as the index sends it and Docker returns it (registry.SearchResult). */
export interface SearchResult {
  star_count: number;
  is_official: boolean;
  name: string;
  is_automated: boolean;
  description: string;
}

export interface SearchResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export interface SearchDeps {
  /** daemon --insecure-registry entries (hosts and CIDRs); loopback is always insecure. */
  insecureRegistries: string[];
  /** GET over the network; rejects with Go's url.Error text (`Get "…": dial tcp …`). Injected by tests. */
  get?: (url: string, headers: Record<string, string>, insecure: boolean) => Promise<SearchResponse>;
}

const INDEX_SERVER = 'https://index.docker.io/v1/';
const DEFAULT_LIMIT = 25;

async function httpGet(url: string, headers: Record<string, string>, insecure: boolean): Promise<SearchResponse> {
  const res = await send('GET', url, headers, undefined, insecure).catch((e: unknown) => {
    throw goUrlError(url, e);
  });
  const body = await readBody(res, 8 << 20);
  return { status: res.statusCode ?? 0, headers: res.headers, body };
}

/** Node's TLS failure against a plain-HTTP server in Go's words (what moby prints for it). */
function goUrlError(url: string, e: unknown): Error {
  const code = (e instanceof Error ? (e.cause as NodeJS.ErrnoException | undefined)?.code : undefined) ?? '';
  if (code === 'EPROTO' || code === 'ERR_SSL_WRONG_VERSION_NUMBER')
    return internal(`Get "${url}": http: server gave HTTP response to HTTPS client`, e);
  return e instanceof Error ? e : internal(String(e));
}

/** Go's strconv.Atoi error text, or the number. */
function atoi(s: string): number | string {
  if (!/^[+-]?\d+$/.test(s)) return `strconv.Atoi: parsing ${JSON.stringify(s)}: invalid syntax`;
  const n = Number(s);
  if (!Number.isSafeInteger(n)) return `strconv.Atoi: parsing ${JSON.stringify(s)}: value out of range`;
  return n;
}

/** filters.Args.GetBoolOrDefault: exactly one of 1/true or 0/false, else `invalid filter 'k=[v…]'`. */
function boolFilter(f: Map<string, string[]>, key: string): boolean | undefined {
  const v = f.get(key);
  if (v === undefined) return undefined;
  const t = v.includes('1') || v.includes('true');
  const no = v.includes('0') || v.includes('false');
  if (v.length === 0) throw invalid(`invalid filter '${key}'`);
  if (t === no) throw invalid(`invalid filter '${key}=[${v.join(' ')}]'`);
  return t;
}

interface SearchQuery {
  term: string;
  limit: number;
  official?: boolean;
  minStars?: number;
}

/** The query's checks in moby's order: limit syntax, filter keys and values; a negative limit passes here. */
function parseQuery(q: URLSearchParams): SearchQuery | null {
  let limit = 0;
  const rawLimit = q.get('limit');
  if (rawLimit) {
    const n = atoi(rawLimit);
    if (typeof n === 'string') throw invalid(`invalid limit specified: ${n}`);
    limit = n;
  }
  const f = parseFilters(q.get('filters'), ['is-automated', 'is-official', 'stars']);
  if (boolFilter(f, 'is-automated')) return null; // deprecated: filtering for true yields nothing
  const official = boolFilter(f, 'is-official');
  let minStars: number | undefined;
  for (const s of f.get('stars') ?? []) {
    const n = atoi(s);
    if (typeof n === 'string') throw invalid(`invalid filter 'stars=${s}': ${n}`);
    minStars = Math.max(minStars ?? 0, n);
  }
  if (f.has('stars')) minStars ??= 0;
  return { term: q.get('term') ?? '', limit, official, minStars };
}

/** moby's splitReposSearchTerm + normalizeIndexName: [index, remote name]. */
export function splitSearchTerm(term: string): [string, string] {
  const i = term.indexOf('/');
  const first = i < 0 ? '' : term.slice(0, i);
  if (i < 0 || (!first.includes('.') && !first.includes(':') && first !== 'localhost')) return ['docker.io', term];
  return [first === 'index.docker.io' ? 'docker.io' : first, term.slice(i + 1)];
}

type Get = NonNullable<SearchDeps['get']>;

/** newV1Endpoint: an HTTPS _ping, then plain HTTP for an insecure index; Docker's 400s when both fail. */
async function v1Endpoint(host: string, insecure: boolean, get: Get): Promise<string> {
  const ping = (base: string) => get(`${base}_ping`, {}, insecure);
  const https = `https://${host}/v1/`;
  const first = await ping(https).then(
    () => null,
    (e: unknown) => e,
  );
  if (first === null) return https;
  const why = (e: unknown) => (e instanceof Error ? e.message : String(e));
  if (!insecure)
    throw invalid(
      `invalid registry endpoint ${https}: ${why(first)}. If this private registry supports only HTTP or HTTPS with an unknown CA certificate, please add \`--insecure-registry ${host}\` to the daemon's arguments. In the case of HTTPS, if you have access to the registry's CA certificate, no need for the flag; simply place the CA certificate at /etc/docker/certs.d/${host}/ca.crt`,
    );
  const http = `http://${host}/v1/`;
  await ping(http).catch((e: unknown) => {
    throw invalid(`invalid registry endpoint "${http}". HTTPS attempt: ${why(first)}. HTTP attempt: ${why(e)}`);
  });
  return http;
}

/** searchUnfiltered + searchRepositories: the index's raw results. */
async function searchIndex(sq: SearchQuery, d: SearchDeps, get: Get): Promise<SearchResult[]> {
  if (sq.term.includes('://'))
    throw invalid(`invalid repository name: repository name (${sq.term}) should not have a scheme`);
  const [index, name] = splitSearchTerm(sq.term);
  const official = index === 'docker.io';
  const insecure = !official && isInsecureHost(index, d.insecureRegistries);
  const base = official ? INDEX_SERVER : await v1Endpoint(index, insecure, get);
  const remote = official ? name.replace(/^library\//, '') : name;
  const limit = sq.limit === 0 ? DEFAULT_LIMIT : sq.limit;
  if (limit < 1 || limit > 100) throw invalid(`limit ${limit} is outside the range of [1, 100]`);
  const url = `${base}search?q=${encodeURIComponent(remote).replace(/%20/g, '+')}&n=${limit}`;
  const res = await get(url, { 'X-Docker-Token': 'true' }, insecure);
  if (res.status !== 200) throw internal(`Unexpected status code ${res.status}`);
  try {
    const parsed = JSON.parse(res.body.toString('utf8')) as { results?: unknown };
    return Array.isArray(parsed.results) ? (parsed.results as SearchResult[]) : [];
  } catch (e) {
    throw internal(`error decoding registry search results: ${(e as Error).message}`, e);
  }
}

export async function searchImages(q: URLSearchParams, d: SearchDeps): Promise<SearchResult[]> {
  const sq = parseQuery(q);
  if (!sq) return [];
  const found = await searchIndex(sq, d, d.get ?? httpGet);
  const out: SearchResult[] = [];
  for (const r of found) {
    if (typeof r !== 'object' || r === null) continue;
    if (sq.official !== undefined && !!r.is_official !== sq.official) continue;
    if (sq.minStars !== undefined && (Number(r.star_count) || 0) < sq.minStars) continue;
    out.push({ ...r, is_automated: false }); // deprecated field, untrustworthy upstream: moby forces false
  }
  return out;
}

export function searchRoutes(d: SearchDeps): Route[] {
  return [
    {
      method: 'GET',
      path: '/images/search',
      handler: async (ctx) => {
        ctx.reply.json(200, await searchImages(ctx.query, d));
      },
    },
  ];
}
