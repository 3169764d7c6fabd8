// `berth search`: GET /images/search with docker's flags; the rows of formatter_search.go.
import { filtersArg } from '../../client/client.js';
import type { Command } from '../command.js';
import { get } from '../flags/parser.js';
import { ellipsis } from '../format/ellipsis.js';
import { renderRows, type Row } from '../format/render.js';
import { flag } from './common.js';
import { registryAuth } from './distribution.js';

export interface SearchResult {
  name: string;
  description?: string;
  star_count?: number;
  is_official?: boolean;
}

const searchHeaders = { Name: 'NAME', Description: 'DESCRIPTION', StarCount: 'STARS', IsOfficial: 'OFFICIAL' };
const searchTable = 'table {{.Name}}\t{{.Description}}\t{{.StarCount}}\t{{.IsOfficial}}';

/** searchContext: `[OK]`/"" in templates, "true"/"false" once marshalled (its MarshalJSON sets json). */
export function searchRow(r: SearchResult, trunc: boolean, json = false): Row {
  const desc = (r.description ?? '').replace(/[\n\r]/g, ' ');
  const official = (j: boolean) => (r.is_official ? (j ? 'true' : '[OK]') : j ? 'false' : '');
  // keys in Go's marshalled (sorted) order
  const row: Row = {
    Description: trunc ? ellipsis(desc, 45) : desc,
    IsOfficial: official(json),
    Name: r.name,
    StarCount: String(r.star_count ?? 0),
  };
  if (!json) Object.defineProperty(row, 'toJSON', { value: () => searchRow(r, trunc, true), enumerable: false });
  return row;
}

/** registry.splitReposSearchTerm: the index named in the term, whose login is sent along. */
function searchIndex(term: string): string {
  const i = term.indexOf('/');
  const first = i < 0 ? '' : term.slice(0, i);
  if (!first || (!first.includes('.') && !first.includes(':') && first !== 'localhost')) return 'docker.io';
  return first === 'index.docker.io' ? 'docker.io' : first;
}

export const search: Command = {
  usage: 'search [OPTIONS] TERM',
  desc: 'Search Docker Hub for images',
  flags: [
    { ...flag.filterF, help: 'Filter output based on conditions provided' },
    { name: 'format', type: 'string', help: 'Pretty-print search using a Go template' },
    { name: 'limit', type: 'int', help: 'Max number of search results' },
    { name: 'no-trunc', type: 'bool', help: "Don't truncate output" },
  ],
  args: { min: 1, max: 1 },
  async run(ctx, p) {
    const filters = get.list(p, 'filter');
    if (filters.some((f) => f.startsWith('is-automated')))
      ctx.io.stderr.write(
        'WARNING: the "is-automated" filter is deprecated, and searching for "is-automated=true" will not yield any results in future.\n',
      );
    const term = p.args[0];
    const limit = get.int(p, 'limit');
    const found = await ctx.client().request<SearchResult[] | null>('GET', '/images/search', {
      query: { term, limit: limit > 0 ? limit : undefined, filters: filtersArg(filters) },
      headers: { 'X-Registry-Auth': registryAuth(searchIndex(term)) },
    });
    const f = get.str(p, 'format');
    const trunc = !get.bool(p, 'no-trunc');
    const rows = (found ?? []).map((r) => searchRow(r, trunc, f === 'json'));
    ctx.io.stdout.write(renderRows(rows, f, searchTable, searchHeaders));
    return 0;
  },
};
