// Test helpers for the tar property tests (layers, `docker cp`, the build context): fast-check
// arbitraries for hostile archives, and a snapshot of a sandbox to prove nothing outside the
// extraction directory changed. Only tests import this file.
import { createHash } from 'node:crypto';
import { lstat, readdir, readFile, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import { pack, type Header } from 'tar-stream';

export interface GenEntry {
  name: string;
  type: 'file' | 'directory' | 'symlink' | 'link' | 'fifo' | 'gnu-long';
  linkname?: string;
  body?: string;
  mode?: number;
  mtime?: number;
  /** Extra PAX records (tar-stream writes a PAX header for them, and for long names). */
  pax?: Record<string, string>;
}

/** Names that stress confinement: `..`, absolute, empty, long (PAX and GNU 'L'), whiteouts,
 *  the CLI's `.dockerfile.<hex>`, paths whose parent directories have no entry. */
export function entryName(outside: string): fc.Arbitrary<string> {
  const comp = fc.constantFrom(
    'a',
    'b',
    'c',
    '..',
    '.',
    '',
    'x'.repeat(120),
    '.wh.a',
    '.wh..wh..opq',
    '.dockerfile.0af3',
    'Dockerfile',
    'link',
    'l2',
    'é',
  );
  return fc.oneof(
    { weight: 5, arbitrary: fc.array(comp, { minLength: 1, maxLength: 4 }).map((c) => c.join('/')) },
    { weight: 1, arbitrary: fc.array(comp, { minLength: 1, maxLength: 3 }).map((c) => '/' + c.join('/')) },
    {
      weight: 1,
      arbitrary: fc.constantFrom('../../outside/secret', `${outside}/secret`, '/', './', '../', 'a/../../b'),
    },
  );
}

/** Link targets: inside, relative escapes, and absolute paths into the sandbox's `outside` dir
 *  (never a real host path: a bug must not be able to touch the machine running the tests). */
export function linkTarget(outside: string): fc.Arbitrary<string> {
  return fc.constantFrom(
    'a',
    'a/b',
    'link',
    '../outside',
    '../../outside/secret',
    `${outside}`,
    `${outside}/secret`,
    '.',
    '',
    '/',
    '../',
    'x'.repeat(150),
  );
}

export function genEntries(outside: string): fc.Arbitrary<GenEntry[]> {
  const entry = fc.record(
    {
      name: entryName(outside),
      type: fc.constantFrom('file', 'file', 'file', 'directory', 'symlink', 'symlink', 'link', 'fifo', 'gnu-long'),
      linkname: linkTarget(outside),
      body: fc.string({ maxLength: 40 }),
      mode: fc.integer({ min: 0, max: 0o7777 }),
      mtime: fc.integer({ min: 0, max: 4_000_000_000 }),
      // one entry in five has extra PAX records (many are invalid, and end the archive early)
      pax: fc.oneof(
        { weight: 4, arbitrary: fc.constant(undefined) },
        {
          weight: 1,
          arbitrary: fc.dictionary(
            fc.constantFrom('mtime', 'size', 'path', 'linkpath', 'uid', 'comment'),
            fc.constantFrom('abc', '-1', '1e400', '', '0', '12.5', 'a/../../..', '9'.repeat(30)),
          ),
        },
      ),
    },
    { requiredKeys: ['name', 'type'] },
  );
  return fc.array(entry, { maxLength: 10 }) as fc.Arbitrary<GenEntry[]>;
}

/** A raw 512-byte ustar header with its checksum (mode 0644, uid/gid 0, mtime 0): GNU 'L'/'K' long-name
 *  records tar-stream does not write, and tests' hand-made entries. */
export function rawHeader(name: string, typeflag: string, size: number): Buffer {
  const h = Buffer.alloc(512);
  h.write(name.slice(0, 99), 0, 'utf8');
  h.write('0000644\0', 100, 'latin1');
  h.write('0000000\0', 108, 'latin1');
  h.write('0000000\0', 116, 'latin1');
  h.write(size.toString(8).padStart(11, '0') + '\0', 124, 'latin1');
  h.write('00000000000\0', 136, 'latin1');
  h.write(typeflag, 156, 'latin1');
  h.write('ustar\x0000', 257, 'latin1');
  return sealHeader(h);
}

/** (Re)writes a 512-byte header's checksum field, after a test changed other fields. */
export function sealHeader(h: Buffer): Buffer {
  h.write('        ', 148, 'latin1');
  let sum = 0;
  for (const b of h.subarray(0, 512)) sum += b;
  h.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 'latin1');
  return h;
}

function padded(b: Buffer): Buffer {
  return Buffer.concat([b, Buffer.alloc((512 - (b.length % 512)) % 512)]);
}

/** Pack generated entries with tar-stream; a 'gnu-long' entry is a GNU long-name record followed
 *  by a regular file whose own name field is a short placeholder. */
export async function packEntries(entries: GenEntry[]): Promise<Buffer> {
  const out: Buffer[] = [];
  for (const e of entries) {
    if (e.type === 'gnu-long') {
      const long = Buffer.from(e.name + '\0');
      const body = Buffer.from(e.body ?? '');
      out.push(
        rawHeader('././@LongLink', 'L', long.length),
        padded(long),
        rawHeader('placeholder', '0', body.length),
        padded(body),
      );
      continue;
    }
    out.push(await packOne(e));
  }
  out.push(Buffer.alloc(1024));
  return Buffer.concat(out);
}

/** A generated archive to damage: 1-8 bytes overwritten at random offsets, and cut in half or not. */
export interface DamagedTar {
  entries: GenEntry[];
  flips: [number, number][];
  cut: boolean;
}

export function damagedTar(outside: string): fc.Arbitrary<DamagedTar> {
  const flips = fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 });
  return fc.record({ entries: genEntries(outside), flips, cut: fc.boolean() });
}

/** The bytes of a DamagedTar: packed, flipped, maybe truncated. */
export async function packDamaged(d: DamagedTar): Promise<Buffer> {
  const tar = await packEntries(d.entries);
  for (const [at, v] of d.flips) tar[at % tar.length] = v;
  return d.cut ? tar.subarray(0, Math.floor(tar.length / 2)) : tar;
}

async function packOne(e: GenEntry): Promise<Buffer> {
  const p = pack();
  const chunks: Buffer[] = [];
  const done = (async () => {
    for await (const c of p as unknown as AsyncIterable<Buffer>) chunks.push(c);
  })();
  const data = Buffer.from(e.type === 'file' ? (e.body ?? '') : '');
  const h = {
    name: e.name || '.',
    type: e.type as Header['type'],
    size: data.length,
    mode: e.mode ?? 0o644,
    mtime: new Date((e.mtime ?? 0) * 1000),
  } as Header;
  if (e.type === 'symlink' || e.type === 'link') h.linkname = e.linkname ?? '';
  if (e.pax) h.pax = e.pax;
  await new Promise<void>((res, rej) => p.entry(h, data, (err) => (err ? rej(err) : res())));
  p.finalize();
  await done;
  // drop the two zero end blocks: the entries are concatenated into one archive
  const all = Buffer.concat(chunks);
  return all.subarray(0, all.length - 1024);
}

/** Every path under `root` (not following symlinks) with what identifies its state. */
export async function snapshot(root: string, skip: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const walk = async (dir: string): Promise<void> => {
    for (const n of await readdir(dir)) {
      const p = join(dir, n);
      if (p === skip) continue;
      const st = await lstat(p);
      let what = `${st.mode.toString(8)} ${st.nlink} ${st.uid}:${st.gid} ${st.mtimeMs}`;
      if (st.isFile())
        what +=
          ' ' +
          createHash('sha256')
            .update(await readFile(p))
            .digest('hex');
      else if (st.isSymbolicLink()) what += ' -> ' + (await readlink(p));
      out.set(p, what);
      if (st.isDirectory()) await walk(p);
    }
  };
  await walk(root);
  return out;
}
