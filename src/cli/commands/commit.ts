// A container's filesystem as an image or a stream: `commit`, `diff`, `export`.
import type { Command } from '../command.js';
import { StatusError } from '../command.js';
import { flagTable } from '../flags/table.js';
import { writeArchive } from './archive-out.js';
import { flag } from './common.js';
import { get } from '../flags/parser.js';
import { repoError, splitRef } from '../format/images.js';
import { renderRows } from '../format/render.js';

const enc = encodeURIComponent;

export const commit: Command = {
  usage: 'container commit [OPTIONS] CONTAINER [REPOSITORY[:TAG]]',
  desc: "Create a new image from a container's changes",
  flags: flagTable(`
  author,a           string          Author (e.g., "John Hannibal Smith <hannibal@a-team.com>")
  change,c           list            Apply Dockerfile instruction to the created image
  message,m          string          Commit message
  pause,p            bool=true       Pause container during commit
  `),
  stopAtArg: true,
  args: { min: 1, max: 2 },
  async run(ctx, p) {
    const [container, ref] = p.args;
    let repo: string | undefined;
    let tag: string | undefined;
    if (ref) {
      const r = splitRef(ref);
      if (r.digest) throw new StatusError(1, 'refusing to create a tag with a digest reference');
      const bad = repoError(r.repo);
      if (bad) throw new StatusError(1, bad);
      repo = r.repo;
      tag = r.tag;
    }
    const res = await ctx.client().request<{ Id: string }>('POST', '/commit', {
      query: {
        container,
        repo,
        tag,
        comment: get.str(p, 'message') || undefined,
        author: get.str(p, 'author') || undefined,
        changes: get.list(p, 'change'),
        pause: get.bool(p, 'pause'),
      },
    });
    ctx.io.stdout.write(`${res.Id}\n`);
    return 0;
  },
};

const kinds = ['C', 'A', 'D'];

export const diff: Command = {
  usage: 'container diff CONTAINER',
  desc: "Inspect changes to files or directories on a container's filesystem",
  args: { min: 1, max: 1 },
  async run(ctx, p) {
    if (!p.args[0]) throw new StatusError(1, 'Container name cannot be empty');
    const changes =
      (await ctx
        .client()
        .request<Array<{ Kind: number; Path: string }> | null>('GET', `/containers/${enc(p.args[0])}/changes`)) ?? [];
    const rows = changes.map((c) => ({ Type: kinds[c.Kind] ?? '?', Path: c.Path }));
    ctx.io.stdout.write(renderRows(rows, '{{.Type}} {{.Path}}', '', {}));
    return 0;
  },
};

export const exportCmd: Command = {
  usage: 'container export [OPTIONS] CONTAINER',
  desc: "Export a container's filesystem as a tar archive",
  flags: [flag.output],
  args: { min: 1, max: 1 },
  run: (ctx, p) =>
    writeArchive(
      ctx,
      get.str(p, 'output'),
      () => ctx.client().stream('GET', `/containers/${enc(p.args[0])}/export`),
      'failed to export container',
    ),
};
