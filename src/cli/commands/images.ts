// Image commands: images/ls, inspect, rm/rmi, prune, history, tag, import.
import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { filtersArg } from '../../client/client.js';
import type { Command } from '../command.js';
import { StatusError } from '../command.js';
import { flagTable } from '../flags/table.js';
import { get } from '../flags/parser.js';
import {
  historyDefaultFormat,
  historyHeaders,
  historyRow,
  imageHeaders,
  imageRows,
  imagesDefaultFormat,
  repoError,
  splitRef,
} from '../format/images.js';
import { renderRows } from '../format/render.js';
import { eachRef, inspectCommand, pruneCommand } from './common.js';
import { displayJSONMessages } from '../progress.js';

export const images: Command = {
  usage: 'image ls [OPTIONS] [REPOSITORY[:TAG]]',
  desc: 'List images',
  flags: flagTable(`
  all,a              bool            Show all images (default hides intermediate images)
  quiet,q            bool            Only show image IDs
  no-trunc           bool            Don't truncate output
  digests            bool            Show digests
  filter,f           list            Filter output based on conditions provided
  format             string          Format output using a custom template
  `),
  args: { max: 1 },
  async run(ctx, p) {
    const filters = [...get.list(p, 'filter')];
    if (p.args[0]) filters.push(`reference=${p.args[0]}`);
    const list = await ctx.client().imageList({ all: get.bool(p, 'all') || undefined, filters: filtersArg(filters) });
    const rows = imageRows(list, { trunc: !get.bool(p, 'no-trunc'), digests: get.bool(p, 'digests') });
    const f = get.bool(p, 'quiet') ? '{{.ID}}' : get.str(p, 'format');
    let out = renderRows(rows, f, imagesDefaultFormat(get.bool(p, 'digests')), imageHeaders);
    if (get.bool(p, 'quiet')) out = [...new Set(out.split('\n').filter(Boolean))].map((l) => l + '\n').join('');
    ctx.io.stdout.write(out);
    return 0;
  },
};

export const imageInspect = inspectCommand(
  'image inspect [OPTIONS] IMAGE [IMAGE...]',
  'Display detailed information on one or more images',
  (ctx, r) => ctx.client().imageInspect(r),
);

export const rmi: Command = {
  usage: 'image rm [OPTIONS] IMAGE [IMAGE...]',
  desc: 'Remove one or more images',
  flags: flagTable(`
    force,f   bool  Force removal of the image
    no-prune  bool  Do not delete untagged parents
  `),
  args: { min: 1 },
  run: (ctx, p) =>
    eachRef(ctx, p.args, async (r) => {
      const items = await ctx
        .client()
        .imageRemove(r, { force: get.bool(p, 'force') || undefined, noprune: get.bool(p, 'no-prune') || undefined });
      for (const d of items ?? [])
        ctx.io.stdout.write(d.Deleted ? `Deleted: ${d.Deleted}\n` : `Untagged: ${d.Untagged}\n`);
      return undefined;
    }),
};

export const imagePrune = pruneCommand({
  name: 'image prune',
  desc: 'Remove unused images',
  warning: 'WARNING! This will remove all dangling images.',
  all: {
    help: 'Remove all unused images, not just dangling ones',
    warning: 'WARNING! This will remove all images without at least one container associated to them.',
  },
  async prune(ctx, filters, p) {
    const r = await ctx.client().imagePrune(filtersArg([...filters, `dangling=${!get.bool(p, 'all')}`]));
    const items = (r.ImagesDeleted ?? []).map((d) => (d.Deleted ? `deleted: ${d.Deleted}` : `untagged: ${d.Untagged}`));
    return { title: 'Deleted Images', items, space: r.SpaceReclaimed ?? 0 };
  },
});

export const history: Command = {
  usage: 'image history [OPTIONS] IMAGE',
  desc: 'Show the history of an image',
  flags: flagTable(`
    human,H   bool=true  Print sizes and dates in human readable format
    no-trunc  bool       Don't truncate output
    quiet,q   bool       Only show image IDs
    format    string
  `),
  args: { min: 1, max: 1 },
  async run(ctx, p) {
    const h = await ctx.client().imageHistory(p.args[0]);
    const o = { trunc: !get.bool(p, 'no-trunc'), human: get.bool(p, 'human') };
    const f = get.bool(p, 'quiet') ? '{{.ID}}' : get.str(p, 'format');
    ctx.io.stdout.write(
      renderRows(
        h.map((x) => historyRow(x, o)),
        f,
        historyDefaultFormat,
        historyHeaders,
      ),
    );
    return 0;
  },
};

export const tag: Command = {
  usage: 'image tag SOURCE_IMAGE[:TAG] TARGET_IMAGE[:TAG]',
  desc: 'Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE',
  args: { min: 2, max: 2 },
  async run(ctx, p) {
    const t = splitRef(p.args[1]);
    if (t.digest) throw new StatusError(1, 'refusing to create a tag with a digest reference');
    const bad = repoError(t.repo);
    if (bad) throw new StatusError(1, `Error parsing reference: "${p.args[1]}" is not a valid repository/tag: ${bad}`);
    await ctx.client().imageTag(p.args[0], t.repo, t.tag ?? 'latest');
    return 0;
  },
};

export const importCmd: Command = {
  usage: 'image import [OPTIONS] file|URL|- [REPOSITORY[:TAG]]',
  desc: 'Import the contents from a tarball to create a filesystem image',
  flags: flagTable(`
    change,c   list    Apply Dockerfile instruction to the created image
    message,m  string  Set commit message for imported image
    platform   string
  `),
  args: { min: 1, max: 2 },
  async run(ctx, p) {
    const [src, ref] = p.args;
    let body: Readable | undefined;
    let fromSrc = '-';
    if (src === '-') body = ctx.io.stdin as Readable;
    else if (/^https?:\/\//.test(src)) fromSrc = src;
    else body = createReadStream(src);
    const q: Record<string, string | string[] | undefined> = {
      fromSrc,
      message: get.str(p, 'message') || undefined,
      changes: get.list(p, 'change').length ? get.list(p, 'change') : undefined,
      platform: get.str(p, 'platform') || undefined,
    };
    if (ref) {
      const r = splitRef(ref);
      q.repo = r.repo;
      q.tag = r.tag;
    }
    if (body) {
      await new Promise<void>((resolve, reject) => {
        const s = body as Readable;
        s.once('error', reject);
        s.once('readable', () => resolve());
        s.once('end', () => resolve());
      }).catch((e: NodeJS.ErrnoException) => {
        throw new StatusError(1, `open ${src}: ${e.code === 'ENOENT' ? 'no such file or directory' : e.message}`);
      });
    }
    const res = await ctx.client().imageCreate(q, body);
    await displayJSONMessages(res, ctx.io.stdout);
    return 0;
  },
};
