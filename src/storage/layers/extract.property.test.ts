// Property tests: any tar (random names, types, PAX and GNU long names, `..`, absolute paths,
// symlinks and hard links pointing out, missing parents, corrupted headers) extracts, or is
// refused, without touching anything outside the target directory and without a crash-class error.
import assert from 'node:assert/strict';
import { mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import fc from 'fast-check';
import { EngineError } from '../../errdefs.js';
import { onlyRejects, params } from '../../util/prop-check.js';
import { testDir } from '../../util/test-dirs.js';
import { extractTar, NeedsParent, type ExtractOptions } from './extract.js';
import { damagedTar, genEntries, packDamaged, packEntries, snapshot } from './tar-arbitraries.js';

/** Errors a hostile archive may legitimately end in: ours, the system's (EEXIST, ENOTDIR…) and
 *  tar-stream's "Invalid tar header" (a plain Error). TypeError/RangeError fail the property. */
const ALLOWED = [EngineError, NeedsParent, Error];

async function sandbox(): Promise<{ base: string; target: string; outside: string }> {
  const base = await testDir('berth-prop-tar-');
  const outside = join(base, 'outside');
  const target = join(base, 't', 'root');
  await mkdir(outside, { recursive: true });
  await mkdir(target, { recursive: true });
  await writeFile(join(outside, 'secret'), 'do not touch');
  await symlink('../../outside', join(base, 't', 'escape')); // a sibling of the target that points out
  return { base, target, outside };
}

async function checkConfined(tar: Buffer, o: ExtractOptions, s: { base: string; target: string }): Promise<void> {
  const before = await snapshot(s.base, s.target);
  await onlyRejects(() => extractTar(s.target, Readable.from([tar]), o), ...ALLOWED);
  assert.deepEqual(await snapshot(s.base, s.target), before, 'nothing outside the target changed');
}

test('generated hostile tars extract inside the target or are refused (cp, layers, standalone layers)', async () => {
  const s = await sandbox();
  const modes: ExtractOptions[] = [
    { whiteouts: false },
    { whiteouts: true },
    { whiteouts: 'overlay' },
    { whiteouts: false, noOverwriteDirNonDir: { show: (p) => p } },
  ];
  await fc.assert(
    fc.asyncProperty(genEntries(s.outside), fc.constantFrom(...modes), async (entries, o) => {
      await rm(s.target, { recursive: true, force: true });
      await mkdir(s.target);
      await checkConfined(await packEntries(entries), o, s);
    }),
    params(300),
  );
});

test('corrupted tar bytes are refused or extracted, never a crash-class error', async () => {
  const s = await sandbox();
  await fc.assert(
    fc.asyncProperty(damagedTar(s.outside), async (d) => {
      await rm(s.target, { recursive: true, force: true });
      await mkdir(s.target);
      await checkConfined(await packDamaged(d), { whiteouts: true }, s);
    }),
    params(300),
  );
});

test('corrupted or truncated gzip layers are refused, never an unhandled stream error', async () => {
  const s = await sandbox();
  const mutation = fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 4 });
  await fc.assert(
    fc.asyncProperty(
      genEntries(s.outside),
      mutation,
      fc.option(fc.nat(), { nil: undefined }),
      async (entries, flips, cut) => {
        const gz = gzipSync(await packEntries(entries));
        for (const [at, v] of flips) gz[2 + (at % (gz.length - 2))] = v; // keep the magic: it must go through gunzip
        await rm(s.target, { recursive: true, force: true });
        await mkdir(s.target);
        await checkConfined(cut === undefined ? gz : gz.subarray(0, 2 + (cut % gz.length)), { whiteouts: true }, s);
      },
    ),
    params(200),
  );
});

test('regression examples: escapes through names, PAX paths, links and symlinked parents stay inside', async () => {
  const s = await sandbox();
  const cases = [
    [
      { name: 'link', type: 'symlink' as const, linkname: s.outside },
      { name: 'link/secret', type: 'file' as const, body: 'pwned' },
    ],
    [{ name: 'a', type: 'file' as const, pax: { path: 'a/../../../outside/secret' } }],
    [
      { name: 'l2', type: 'symlink' as const, linkname: '../../outside' },
      { name: 'h', type: 'link' as const, linkname: 'l2/secret' },
      { name: 'h', type: 'file' as const, body: 'pwned' },
    ],
    [{ name: 'x'.repeat(120) + '/../../outside/secret', type: 'gnu-long' as const, body: 'pwned' }],
  ];
  for (const entries of cases) {
    await rm(s.target, { recursive: true, force: true });
    await mkdir(s.target);
    await checkConfined(await packEntries(entries), { whiteouts: false }, s);
  }
});
