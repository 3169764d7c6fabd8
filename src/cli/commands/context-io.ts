// `context export` / `context import`: the docker CLI's context archive (meta.json and a tls/ dir
// in a tar, byte for byte as store.Export writes it), so either CLI reads the other's files.
import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';
import type { CliContext, CliGlobals, Command } from '../command.js';
import { StatusError } from '../command.js';
import { type ContextMeta, ContextStore, DEFAULT_CONTEXT, defaultContext, validateName } from '../context-store.js';

/** A ustar header as Go's archive/tar writes it for these entries (uid/gid 0, mtime 0, no names). */
function header(name: string, mode: number, size: number, type: '0' | '5'): Buffer {
  const h = Buffer.alloc(512);
  const oct = (v: number, width: number) => `${v.toString(8).padStart(width - 1, '0')}\0`;
  h.write(name, 0);
  h.write(oct(mode, 8), 100);
  h.write(oct(0, 8), 108);
  h.write(oct(0, 8), 116);
  h.write(oct(size, 12), 124);
  h.write(oct(0, 12), 136);
  h.write(type, 156);
  h.write('ustar\0', 257);
  h.write('00', 263);
  h.write(oct(0, 8), 329);
  h.write(oct(0, 8), 337);
  h.fill(' ', 148, 156);
  let sum = 0;
  for (const b of h) sum += b;
  h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
  return h;
}

/** store.Export's stream: meta.json, then the (empty: berth keeps no TLS material) tls directory. */
export function exportArchive(m: ContextMeta): Buffer {
  const meta = Buffer.from(JSON.stringify(m));
  const pad = Buffer.alloc((512 - (meta.length % 512)) % 512);
  return Buffer.concat([header('meta.json', 0o644, meta.length, '0'), meta, pad, header('tls', 0o700, 0, '5')]);
}

/** meta.json out of a context tar, or docker's complaint. */
export function metaFromArchive(tar: Buffer): ContextMeta {
  for (let off = 0; off + 512 <= tar.length; ) {
    const h = tar.subarray(off, off + 512);
    if (h.every((b) => b === 0)) break;
    const name = h.toString('utf8', 0, 100).replace(/\0.*$/s, '');
    const size = Number.parseInt(h.toString('utf8', 124, 136).replace(/\0.*$/s, '').trim() || '0', 8);
    if (name === 'meta.json') {
      try {
        return JSON.parse(tar.toString('utf8', off + 512, off + 512 + size)) as ContextMeta;
      } catch (e) {
        throw new StatusError(1, `invalid context: ${(e as Error).message}`);
      }
    }
    off += 512 + Math.ceil(size / 512) * 512;
  }
  throw new StatusError(1, 'invalid context: no metadata found');
}

/** main's globals; a caller without them (a test) gets the environment's. */
export function globalsOf(ctx: CliContext): CliGlobals {
  const configDir = process.env.DOCKER_CONFIG ?? `${process.env.HOME ?? ''}/.docker`;
  return ctx.globals ?? { hosts: [], env: process.env, configDir };
}

/** A context by name: `default` is made from the globals, every other one read from the store. */
export function lookup(store: ContextStore, g: CliGlobals, name: string): ContextMeta {
  return name === DEFAULT_CONTEXT ? defaultContext(g.hosts, g.env) : store.get(name);
}

/** The globals and the context store they name. */
export function storeOf(ctx: CliContext): { g: CliGlobals; store: ContextStore } {
  const g = globalsOf(ctx);
  return { g, store: new ContextStore(g.configDir) };
}

export const contextExport: Command = {
  usage: 'context export [OPTIONS] CONTEXT [FILE|-]',
  desc: 'Export a context to a tar archive FILE or a tar stream on STDOUT.',
  args: { min: 1, max: 2 },
  async run(ctx, p) {
    const { g, store } = storeOf(ctx);
    const name = p.args[0];
    const m = lookup(store, g, name);
    const tar = exportArchive(m);
    const dest = p.args[1] ?? `${name}.dockercontext`;
    if (dest === '-') {
      ctx.io.stdout.write(tar);
      return 0;
    }
    let fd: number;
    try {
      fd = openSync(dest, 'wx', 0o600);
    } catch (e) {
      const why = (e as NodeJS.ErrnoException).code === 'EEXIST' ? 'file exists' : (e as Error).message;
      throw new StatusError(1, `open ${dest}: ${why}`);
    }
    try {
      writeSync(fd, tar);
    } finally {
      closeSync(fd);
    }
    ctx.io.stderr.write(`Written file ${JSON.stringify(dest)}\n`);
    return 0;
  },
};

export const contextImport: Command = {
  usage: 'context import CONTEXT FILE|-',
  desc: 'Import a context from a tar or zip file',
  args: { min: 2, max: 2 },
  async run(ctx, p) {
    const { store } = storeOf(ctx);
    const [name, file] = p.args;
    validateName(name);
    if (store.exists(name)) throw new StatusError(1, `context "${name}" already exists`);
    const data = file === '-' ? await readAll(ctx.io.stdin) : readFileSync(file);
    store.put({ ...metaFromArchive(data), Name: name });
    ctx.io.stdout.write(`${name}\n`);
    ctx.io.stderr.write(`Successfully imported context "${name}"\n`);
    return 0;
  },
};

async function readAll(s: NodeJS.ReadableStream): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of s) parts.push(Buffer.isBuffer(c) ? c : Buffer.from(c));
  return Buffer.concat(parts);
}
