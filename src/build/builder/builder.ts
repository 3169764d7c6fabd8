// The classic (legacy /build) Dockerfile builder: one image per step, Docker's cache rules (parent
// image + the step's run config, whose Cmd carries the instruction and the checksums of copied
// files), multi-stage builds limited to the stages the target needs, ARG/ENV scoping. A build is a
// BuildRun (build-run.ts); its steps are in meta-steps.ts, run-step.ts, copy-step.ts and
// layer-steps.ts.
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { invalid } from '../../errdefs.js';
import { familiarString, parseReference, withDefaultTag, type Reference } from '../../images/reference/reference.js';
import { unmount } from '../../storage/snapshot/mount.js';
import { parseStages } from '../dockerfile/instructions.js';
import { BUILD_SNAP, short } from './build-state.js';
import { BuildRun } from './build-run.js';
import { CacheMounts } from './cache-mounts.js';
import { squashImage } from './squash.js';
import { applyDockerignore, contextPath, receiveContext, type BuildContext } from './context.js';
import type { BuilderDeps, BuildOptions } from './options.js';
import type { BuildOutput } from './ports.js';

export { cacheKey } from './build-state.js';
export { RunFailedError, type BuilderDeps, type BuildOptions } from './options.js';

export class Builder {
  /** The cache mounts of every build (`docker builder prune`, `system df`). */
  readonly cache: CacheMounts;
  private cleaning: Promise<void> | null = null;

  constructor(private readonly d: BuilderDeps) {
    this.cache = d.cacheMounts ?? new CacheMounts(join(d.tmpDir, '..', 'build-cache-mounts'));
  }

  /** Drop what a crashed build left: build snapshots and scratch directories (builds wait for it). */
  cleanup(): Promise<void> {
    this.cleaning ??= this.sweep();
    return this.cleaning;
  }

  private async sweep(): Promise<void> {
    const snaps = this.d.images.snapshots;
    for (const s of await snaps.list()) if (s.key.startsWith(BUILD_SNAP)) await snaps.remove(s.key).catch(() => {});
    for (const n of await readdir(this.d.tmpDir).catch(() => [] as string[])) {
      if (!n.startsWith(BUILD_SNAP)) continue;
      const p = join(this.d.tmpDir, n);
      await unmount(join(p, 'mnt')).catch(() => {});
      await rm(p, { recursive: true, force: true }).catch(() => {});
    }
  }

  /** Build from a context stream; returns the final image id. Errors are Docker's texts. */
  async build(body: Readable, o: BuildOptions, out: BuildOutput, signal: AbortSignal): Promise<string> {
    // a build started right after a restart must not have its own scratch swept away
    await this.cleaning?.catch(() => {});
    const refs: Reference[] = o.tags.map((t) => withDefaultTag(parseReference(t)));
    const work = join(this.d.tmpDir, BUILD_SNAP + randomBytes(8).toString('hex'));
    await mkdir(work, { recursive: true });
    try {
      const dfName = o.dockerfile || 'Dockerfile';
      const t0 = Date.now();
      const ctx = await receiveContext(body, join(work, 'ctx'), dfName);
      this.d.log?.(
        'debug',
        `build: context of ${ctx.files.size} entries (${ctx.size} bytes) received in ${Date.now() - t0} ms`,
      );
      const text = await readDockerfile(ctx, dfName);
      await applyDockerignore(ctx);
      const run = new BuildRun(this.d, this.cache, o, out, signal, ctx, parseStages(text, dfName), work);
      let id = await run.execute();
      this.d.log?.('debug', `build ${short(id)}: steps took ${run.timings.join(' ')} ms`);
      if (o.squash) {
        // moby announces the built image, then the squashed one that the tags name
        out.aux({ ID: id });
        id = await squashImage(run, id, run.fromImage);
      }
      for (const r of refs) {
        // a rebuild with nothing changed: the tag already names the image (moby's reference store
        // writes nothing then either), so no metadata writes (and fsyncs) on the cached path
        if ((await this.d.images.resolve(familiarString(r)).catch(() => null))?.id !== id)
          await this.d.images.setReference(r, id);
        await this.d.images.logEvent('tag', id, familiarString(r)); // moby's TagImage logs every tag
      }
      out.aux({ ID: id });
      if (o.quiet) out.stream(id + '\n');
      else {
        out.stream(`Successfully built ${short(id)}\n`);
        for (const r of refs) out.stream(`Successfully tagged ${familiarString(r)}\n`);
      }
      return id;
    } finally {
      // the scratch (the context's spool, tens of MB) goes after the answer: nothing is mounted
      // there any more, and a crash before it is gone leaves it to the next start's sweep
      void rm(work, { recursive: true, force: true }).catch(() => {});
    }
  }
}

async function readDockerfile(ctx: BuildContext, dfName: string): Promise<string> {
  try {
    return (await ctx.read(contextPath(dfName))).toString('utf8');
  } catch {
    throw invalid(`Cannot locate specified Dockerfile: ${dfName}`);
  }
}
