// COPY and ADD: sources (context paths, another stage or image, URLs for ADD, heredocs) matched and
// summed for the cache key, then written into a fresh snapshot under Docker's destination rules.
import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { lchown, lstat, stat, writeFile } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { invalid } from '../../errdefs.js';
import { secureJoin } from '../../storage/fsutil/securejoin.js';
import { extractTar } from '../../storage/layers/extract.js';
import { expandWord } from '../dockerfile/expand.js';
import { chmodMode, type Instruction } from '../dockerfile/instructions.js';
import { sha256Hex, type State, type StepHost } from './build-state.js';
import { gzipHoldsTar } from './context.js';
import {
  archiveKind,
  copyDirContents,
  copyTree,
  hasWildcard,
  matchSources,
  mkdirAllIn,
  resolveOwner,
  sumSources,
  urlFileName,
  type Owner,
} from './copy.js';
import { fsWorker } from './fs-pool.js';
import { sourceRoot, type SourceRoot } from './source-root.js';

type CopyIns = Extract<Instruction, { kind: 'copy' | 'add' }>;
type Item =
  | { kind: 'path'; rel: string }
  | { kind: 'url'; url: string; file: string }
  | { kind: 'heredoc'; name: string; data: string };

interface Sources {
  items: Item[];
  sums: string[];
  /** Whether a path source is a directory (the cache key's "dir:" or "file:"). */
  single: 'file' | 'dir';
}

async function collectSources(h: StepHost, ins: CopyIns, src: SourceRoot, ex: (s: string) => string): Promise<Sources> {
  const name = ins.kind.toUpperCase();
  const isAdd = ins.kind === 'add';
  const out: Sources = { items: [], sums: [], single: 'file' };
  const heredocNames = new Set(ins.heredocs.map((x) => x.name));
  for (const raw of ins.srcs) {
    const hd = /^<<-?["']?([A-Za-z_][A-Za-z0-9_]*)["']?$/.exec(raw);
    if (hd && heredocNames.has(hd[1])) {
      const doc = ins.heredocs.find((x) => x.name === hd[1])!;
      const data = doc.expand ? ex(doc.content.replace(/"/g, '\\"').replace(/^/, '"').concat('"')) : doc.content;
      out.items.push({ kind: 'heredoc', name: doc.name, data });
      out.sums.push(sha256Hex(data));
      continue;
    }
    const s = ex(raw);
    if (isAdd && /^https?:\/\//i.test(s)) {
      const file = join(h.work, 'url-' + randomBytes(6).toString('hex'));
      await download(s, file, h.signal);
      out.items.push({ kind: 'url', url: s, file });
      out.sums.push(await sumSources(h.work, [file.slice(h.work.length + 1)]));
      continue;
    }
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(s) && !isAdd)
      throw invalid(`${name} failed: source can't be a URL for ${name}`);
    const rels = await matchSources(src.root, s, src.files);
    if (rels.length === 0) {
      if (hasWildcard(s)) throw invalid(`${name} failed: no source files were specified`);
      if (ins.from) throw invalid(`${name} failed: stat ${s}: file does not exist`);
      throw invalid(
        `${name} failed: file not found in build context or excluded by .dockerignore: stat ${s}: file does not exist`,
      );
    }
    for (const rel of rels) {
      out.items.push({ kind: 'path', rel });
      const isDir = src.files
        ? rel === '' || src.files.get(rel)?.type === 'dir'
        : (await lstat(rel ? join(src.root, rel) : src.root)).isDirectory();
      if (isDir) out.single = 'dir';
    }
    out.sums.push(await sumSources(src.root, rels, src.files));
  }
  return out;
}

export async function copyStep(h: StepHost, st: State, ins: CopyIns, env: Map<string, string>): Promise<void> {
  const name = ins.kind.toUpperCase();
  const ex = (s: string) => expandWord(s, env, h.p.escape);
  const dest0 = ex(ins.dest);
  const src = await sourceRoot(h, ins.from, env);
  const { items, sums, single } = await collectSources(h, ins, src, ex);
  if (items.length > 1 && !dest0.endsWith('/'))
    throw invalid(
      `When using ${name} with more than one source file, the destination must be a directory and end with a /`,
    );
  const workdir = st.file.config.WorkingDir || '/';
  const kind = items.length > 1 ? 'multi' : items[0].kind === 'path' ? single : 'file';
  const sum = sums.length === 1 ? sums[0] : sha256Hex(sums.join(','));
  const fromNote = ins.from ? `--from=${ins.from} ` : '';
  const cmd = [...st.shell, `#(nop) ${name} ${fromNote}${kind}:${sum} in ${dest0} `];
  if (await h.probe(st, cmd)) return;
  const job: CopyJob = {
    h,
    ins,
    src,
    items,
    dest: posix.normalize(dest0.startsWith('/') ? dest0 : posix.join(workdir, dest0)),
    destIsDirSyntax: dest0.endsWith('/') || dest0 === '.' || dest0.endsWith('/.'),
    mode: ins.chmod !== undefined ? chmodMode(ex(ins.chmod), ins.chmod) : undefined,
    chown: ins.chown ? ex(ins.chown) : undefined,
  };
  await h.fsStep(st, cmd, (root, noOpaque) => writeItems(job, root, noOpaque));
}

interface CopyJob {
  h: StepHost;
  ins: CopyIns;
  src: SourceRoot;
  items: Item[];
  dest: string;
  destIsDirSyntax: boolean;
  mode: number | undefined;
  chown: string | undefined;
}

/** Writes the sources into the step's root; says noOpaque() when no opaque directory can result. */
async function writeItems(j: CopyJob, root: string, noOpaque: () => void): Promise<void> {
  const { dest, items, mode } = j;
  const owner = await resolveOwner(root, j.chown);
  const destAbs = await secureJoin(root, dest);
  const destIsDir = async () =>
    j.destIsDirSyntax || items.length > 1 || !!(await stat(destAbs).catch(() => null))?.isDirectory();
  const into = async (base: string): Promise<string> => {
    if (await destIsDir()) {
      await mkdirAllIn(root, dest);
      return secureJoin(root, posix.join(dest, base));
    }
    await mkdirAllIn(root, posix.dirname(dest));
    return destAbs;
  };
  const w: ItemWriter = { j, root, destAbs, owner, into };
  // copies from the context only replace non-directories by directories: no opaque dir matters
  let mayOpaque = false;
  for (const it of items) {
    if (it.kind === 'heredoc') {
      const target = await into(it.name);
      await writeFile(target, it.data, { mode: mode ?? 0o644 });
      await lchown(target, owner.uid, owner.gid);
    } else if (it.kind === 'url')
      await copyTree(it.file, await into(urlFileName(it.url)), { owner, mode: mode ?? 0o600 });
    else if (j.src.files) mayOpaque = (await fromContext(w, it.rel)) || mayOpaque;
    else {
      mayOpaque = true;
      await fromTree(w, it.rel);
    }
  }
  if (!mayOpaque) noOpaque();
}

interface ItemWriter {
  j: CopyJob;
  root: string;
  destAbs: string;
  owner: Owner;
  into(base: string): Promise<string>;
}

/** A context path, written straight from the spooled tar; true when an archive was extracted (ADD). */
async function fromContext(w: ItemWriter, rel: string): Promise<boolean> {
  const { j, root, destAbs, owner } = w;
  const ctx = j.h.ctx;
  const o = { owner, mode: j.mode };
  const f = rel ? j.src.files!.get(rel) : undefined;
  if (!f || f.type === 'dir') {
    await mkdirAllIn(root, j.dest, owner.uid || owner.gid ? owner : undefined);
    await fsWorker.copyFromSpool(ctx.copyPlan(rel, destAbs, o));
  } else if (j.ins.kind === 'add' && f.type === 'file' && (await ctx.isTar(rel))) {
    await mkdirAllIn(root, j.dest);
    await extractTar(destAbs, ctx.stream(rel), { whiteouts: false });
    return true;
  } else await fsWorker.copyFromSpool(ctx.copyPlan(rel, await w.into(rel.split('/').pop()!), o));
  return false;
}

/** A path of another stage or an image (mounted). */
async function fromTree(w: ItemWriter, rel: string): Promise<void> {
  const { j, root, destAbs, owner } = w;
  const o = { owner, mode: j.mode };
  const abs = rel ? join(j.src.root, rel) : j.src.root;
  const s = await lstat(abs);
  if (s.isDirectory()) {
    await mkdirAllIn(root, j.dest, owner.uid || owner.gid ? owner : undefined);
    await copyDirContents(abs, destAbs, o);
  } else if (j.ins.kind === 'add' && !j.ins.from && s.isFile() && (await isTarArchive(abs))) {
    await mkdirAllIn(root, j.dest);
    await extractTar(destAbs, createReadStream(abs), { whiteouts: false });
  } else await copyTree(abs, await w.into(rel.split('/').pop()!), o);
}

async function isTarArchive(abs: string): Promise<boolean> {
  const k = await archiveKind(abs);
  if (k === 'tar') return true;
  if (k !== 'gzip') return false;
  // a gzip file is extracted only when it holds a tar
  return gzipHoldsTar(createReadStream(abs));
}

async function download(url: string, file: string, signal: AbortSignal): Promise<void> {
  let res: Response;
  try {
    res = await fetch(url, { signal, redirect: 'follow' });
  } catch (e) {
    throw invalid(`ADD failed: error downloading ${url}: ${(e as Error).message}`);
  }
  if (!res.ok || !res.body)
    throw invalid(`ADD failed: failed to GET ${url} with status ${res.status} ${res.statusText}`);
  await pipeline(Readable.fromWeb(res.body as import('node:stream/web').ReadableStream), createWriteStream(file));
}
