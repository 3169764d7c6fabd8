// berth build: the docker CLI's legacy builder client. The context directory is sent as a tar
// minus what .dockerignore excludes (build-context.ts); a -f outside the context travels inside it under a hidden name.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import type { Command } from '../command.js';
import { StatusError } from '../command.js';
import { flagTable } from '../flags/table.js';
import { get, type Parsed } from '../flags/parser.js';
import { jsonLines } from '../../client/client.js';
import { humanSize } from '../format/units.js';
import { keyValueMap } from '../opts/key-value.js';
import { contextEntries } from './build-context.js';

export const build: Command = {
  usage: 'image build [OPTIONS] PATH | URL | -',
  desc: 'Build an image from a Dockerfile',
  flags: flagTable(`
  tag,t              list            Name and optionally a tag in the "name:tag" format
  file,f             string          Name of the Dockerfile (Default is "PATH/Dockerfile")
  build-arg          list            Set build-time variables
  label              list            Set metadata for an image
  target             string          Set the target build stage to build.
  no-cache           bool            Do not use cache when building the image
  rm                 bool=true       Remove intermediate containers after a successful build
  force-rm           bool            Always remove intermediate containers
  pull               bool            Always attempt to pull a newer version of the image
  quiet,q            bool            Suppress the build output and print image ID on success
  network            string          Set the networking mode for the RUN instructions during build
  add-host           list            Add a custom host-to-IP mapping (host:ip)
  iidfile            string          Write the image ID to the file
  `),
  args: { min: 1, max: 1 },
  async run(ctx, p) {
    const src = p.args[0];
    const { body, dockerfile, extra, sent } = buildContext(ctx.io.stdin as Readable, src, get.str(p, 'file'));
    const { buildArgs, labels } = argsAndLabels(p);
    const quiet = get.bool(p, 'quiet');
    let id = '';
    try {
      const res = await ctx.client().stream('POST', '/build', {
        query: {
          t: get.list(p, 'tag'),
          dockerfile: dockerfile || undefined,
          buildargs: JSON.stringify(buildArgs),
          labels: JSON.stringify(labels),
          target: get.str(p, 'target') || undefined,
          nocache: get.bool(p, 'no-cache') || undefined,
          rm: get.bool(p, 'rm') ? '1' : '0',
          forcerm: get.bool(p, 'force-rm') || undefined,
          pull: get.bool(p, 'pull') || undefined,
          q: quiet || undefined,
          networkmode: get.str(p, 'network') || undefined,
          extrahosts: get.list(p, 'add-host').length ? get.list(p, 'add-host') : undefined,
        },
        body,
        contentType: 'application/x-tar',
      });
      // the daemon answers once it has the whole context
      if (!quiet && src !== '-') ctx.io.stdout.write(`Sending build context to Docker daemon  ${humanSize(sent())}\n`);
      for await (const m of jsonLines(res)) {
        if (m.errorDetail || m.error) {
          ctx.io.stderr.write(`${m.errorDetail?.message ?? m.error}\n`);
          throw new StatusError((m.errorDetail as { code?: number } | undefined)?.code || 1);
        }
        const aux = (m as { aux?: { ID?: string } }).aux;
        if (aux?.ID) id = aux.ID;
        if (m.stream !== undefined) ctx.io.stdout.write(m.stream);
      }
    } finally {
      if (extra) await import('node:fs/promises').then((f) => f.rm(resolve(src, extra!), { force: true }));
    }
    const iid = get.str(p, 'iidfile');
    if (iid && id) writeFileSync(iid, id);
    return 0;
  },
};

/**
 * The context to send: stdin for `-`, else a tar of the directory. A Dockerfile outside it is
 * copied in under a hidden name (`extra`, removed after the build), as the docker CLI does.
 */
function buildContext(
  stdin: Readable,
  src: string,
  file: string,
): { body: Readable; dockerfile: string; extra: string | null; sent: () => number } {
  if (src === '-') return { body: stdin, dockerfile: file, extra: null, sent: () => 0 };
  if (!existsSync(src) || !statSync(src).isDirectory())
    throw new StatusError(1, `unable to prepare context: path "${src}" not found`);
  const dir = resolve(src);
  let dockerfile = file;
  let extra: string | null = null;
  if (dockerfile) {
    const abs = resolve(dockerfile);
    const rel = relative(dir, abs);
    if (rel.startsWith('..')) {
      extra = `.dockerfile.${randomBytes(10).toString('hex')}`;
      writeFileSync(resolve(dir, extra), readFileSync(abs));
      dockerfile = extra;
    } else dockerfile = rel;
  }
  let sent = 0;
  const entries = contextEntries(dir, dockerfile);
  const tar = entries
    ? spawn('tar', ['-c', '-C', dir, '--no-recursion', '--null', '-T', '-'], { stdio: ['pipe', 'pipe', 'inherit'] })
    : spawn('tar', ['-c', '-C', dir, '.'], { stdio: ['ignore', 'pipe', 'inherit'] });
  if (entries) tar.stdin!.end(entries.map((e) => `${e}\0`).join(''));
  const body = tar.stdout.pipe(
    new Transform({
      transform(c: Buffer, _e, cb) {
        sent += c.length;
        cb(null, c);
      },
    }),
  );
  return { body, dockerfile, extra, sent: () => sent };
}

/** --build-arg (a bare NAME takes the client's environment value, if set) and --label. */
function argsAndLabels(p: Parsed): { buildArgs: Record<string, string>; labels: Record<string, string> } {
  const buildArgs: Record<string, string> = {};
  for (const a of get.list(p, 'build-arg')) {
    const i = a.indexOf('=');
    if (i < 0) {
      if (process.env[a] !== undefined) buildArgs[a] = process.env[a]!;
    } else buildArgs[a.slice(0, i)] = a.slice(i + 1);
  }
  return { buildArgs, labels: keyValueMap(get.list(p, 'label')) };
}
