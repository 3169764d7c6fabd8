// Property tests for the build context's own tar reader (receiveContext: indexes the tar as it
// streams, then materialize() writes it out): hostile archives (PAX records, GNU long names, the
// CLI's `.dockerfile.<hex>`, entries whose parents have no entry, `..`, links out, corrupted bytes)
// are indexed and written inside the context directory or refused, never a crash-class error.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import fc from 'fast-check';
import { EngineError } from '../../errdefs.js';
import {
  damagedTar,
  genEntries,
  packDamaged,
  packEntries,
  snapshot,
  type GenEntry,
} from '../../storage/layers/tar-arbitraries.js';
import { onlyRejects, params } from '../../util/prop-check.js';
import { testDir } from '../../util/test-dirs.js';
import { readdirSync } from 'node:fs';
import { applyDockerignore, contextPath, receiveContext } from './context.js';

async function sandbox(): Promise<{ base: string; target: string; outside: string }> {
  const base = await testDir('berth-prop-ctx-');
  const outside = join(base, 'outside');
  await mkdir(outside, { recursive: true });
  await writeFile(join(outside, 'secret'), 'do not touch');
  await mkdir(join(base, 't'));
  await symlink('../outside', join(base, 't', 'escape'));
  return { base, target: join(base, 't', 'ctx'), outside };
}

/** Receive, apply .dockerignore, write out; only our errors, tar-format errors and the system's
 *  (ENOTDIR for a file used as a directory…) may end it. */
async function receiveAll(tar: Buffer, s: { base: string; target: string }, name = 'Dockerfile'): Promise<void> {
  await rm(s.target, { recursive: true, force: true });
  await mkdir(s.target); // made before the snapshot: creating it changes its parent's mtime
  const before = await snapshot(s.base, s.target);
  await onlyRejects(
    async () => {
      const ctx = await receiveContext(Readable.from([tar]), s.target, name);
      await applyDockerignore(ctx);
      for (const rel of ctx.files.keys()) assert.ok(!rel.startsWith('/') && !rel.split('/').includes('..'), rel);
      await ctx.materialize();
    },
    EngineError,
    Error,
  );
  assert.deepEqual(await snapshot(s.base, s.target), before, 'nothing outside the context directory changed');
}

test('generated hostile build contexts are indexed and written inside the context, or refused', async () => {
  const s = await sandbox();
  await fc.assert(
    fc.asyncProperty(genEntries(s.outside), async (entries) => receiveAll(await packEntries(entries), s)),
    params(300),
  );
});

test('corrupted or truncated context bytes are refused or read, never a crash-class error', async () => {
  const s = await sandbox();
  await fc.assert(
    fc.asyncProperty(damagedTar(s.outside), async (d) => receiveAll(await packDamaged(d), s)),
    params(300),
  );
});

test('well-formed contexts index every file with its content, missing parents and the CLI Dockerfile included', async () => {
  const s = await sandbox();
  const files = fc.uniqueArray(
    fc.tuple(fc.stringMatching(/^[a-z]{1,8}(\/[a-z]{1,8}){0,2}$/), fc.string({ maxLength: 30 })),
    { minLength: 1, maxLength: 8, selector: ([n]) => n },
  );
  await fc.assert(
    fc.asyncProperty(files, fc.stringMatching(/^[0-9a-f]{16}$/), async (list, hex) => {
      // a path that is a file cannot also be a directory of another entry
      fc.pre(!list.some(([a]) => list.some(([b]) => b.startsWith(a + '/'))));
      const df = `.dockerfile.${hex}`;
      const entries: GenEntry[] = [
        ...list.map(([name, body]) => ({ name, type: 'file' as const, body })),
        { name: df, type: 'file', body: 'FROM scratch\n' },
      ];
      await rm(s.target, { recursive: true, force: true });
      const ctx = await receiveContext(Readable.from([await packEntries(entries)]), s.target, df);
      try {
        for (const [name, body] of list) {
          assert.equal(ctx.files.get(name)?.sum, createHash('sha256').update(body).digest('hex'));
          assert.equal((await ctx.read(name)).toString(), body);
        }
        assert.equal((await ctx.read(df)).toString(), 'FROM scratch\n');
        await ctx.materialize();
      } finally {
        await rm(s.target, { recursive: true, force: true });
      }
    }),
    params(200),
  );
});

test('regression: a fractional PAX size aborted the process (native assertion in fs.read); a bad PAX mtime was a TypeError', async () => {
  const s = await sandbox();
  const bad: Record<string, string>[] = [
    { size: '12.5' },
    { size: '-1' },
    { size: 'abc' },
    { mtime: 'abc' },
    { mtime: '1e400' },
  ];
  for (const pax of bad) {
    const tar = await packEntries([{ name: 'f', type: 'file', body: 'x'.repeat(20), pax }]);
    await rm(s.target, { recursive: true, force: true });
    await assert.rejects(
      (async () => {
        const ctx = await receiveContext(Readable.from([tar]), s.target, 'Dockerfile');
        await ctx.materialize();
      })(),
      (e: unknown) =>
        e instanceof EngineError && e.kind === 'invalid' && e.message === 'archive/tar: invalid tar header',
      JSON.stringify(pax),
    );
  }
  const ok = await receiveContext(
    Readable.from([await packEntries([{ name: 'f', type: 'file', body: 'abc', pax: { mtime: '1.5' } }])]),
    join(s.base, 'ok'),
    'Dockerfile',
  );
  assert.equal(ok.files.get('f')?.mtime, 1.5, 'fractional PAX mtimes are valid');
});

test('a bare Dockerfile body under any dockerfile name is indexed inside the context or refused', async () => {
  const s = await sandbox();
  const name = fc.oneof(
    fc.constantFrom(
      'Dockerfile',
      '.dockerfile.0af3',
      '/',
      '.',
      '..',
      '../x',
      '/abs/Dockerfile',
      'a/../../b',
      '',
      'a//b/',
      'x'.repeat(300),
    ),
    fc.string({ maxLength: 12 }),
  );
  await fc.assert(
    fc.asyncProperty(name, async (df) => {
      await rm(s.target, { recursive: true, force: true });
      await mkdir(s.target);
      const ctx = await onlyRejects(
        () => receiveContext(Readable.from([Buffer.from('FROM scratch\n')]), s.target, df),
        EngineError,
      );
      if (!ctx) return;
      try {
        for (const rel of ctx.files.keys())
          assert.ok(rel !== '' && !rel.split('/').includes('..') && !rel.startsWith('/'), JSON.stringify(rel));
        assert.equal(contextPath(df || 'Dockerfile'), [...ctx.files.keys()][0]);
      } finally {
        await rm(s.target, { recursive: true, force: true });
      }
    }),
    params(300),
  );
});

test('regression: a bare Dockerfile named "/" is refused (it was a file in place of the context directory)', async () => {
  const s = await sandbox();
  await assert.rejects(receiveContext(Readable.from([Buffer.from('FROM scratch\n')]), s.target, '/'), {
    message: 'Cannot locate specified Dockerfile: /',
  });
});

test('a refused context (truncated tar, bad PAX, "/" name) closes its spool file', async () => {
  const s = await sandbox();
  const fds = () => readdirSync('/proc/self/fd').length;
  const before = fds();
  const tar = await packEntries([{ name: 'f', type: 'file', body: 'x'.repeat(3000) }]);
  const bad = [
    () => receiveContext(Readable.from([tar.subarray(0, 1500)]), s.target, 'Dockerfile'),
    async () =>
      receiveContext(
        Readable.from([await packEntries([{ name: 'f', type: 'file', body: 'x', pax: { size: 'abc' } }])]),
        s.target,
        'Dockerfile',
      ),
    () => receiveContext(Readable.from([Buffer.from('FROM scratch\n')]), s.target, '/'),
  ];
  for (const b of bad) await assert.rejects(b(), EngineError);
  assert.equal(fds(), before);
});
