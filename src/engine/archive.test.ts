import assert from 'node:assert/strict';
import { PassThrough, Readable } from 'node:stream';
import { test } from 'node:test';
import { invalid } from '../errdefs.js';
import type { PutOptions } from '../storage/layers/archive.js';
import { ContainerArchive, type ArchiveFs } from './archive.js';
import type { ContainerRecord, MountPoint } from './types.js';

const rec = (user = '', mounts: Partial<MountPoint>[] = []) =>
  ({ id: 'c1', name: 'web', config: { User: user }, mounts }) as unknown as ContainerRecord;
const stat = { name: 'etc', size: 0, mode: (2 ** 31) | 0o755, mtime: '2024-01-01T00:00:00Z', linkTarget: '' };

/** withFs that records how long the filesystem stays "mounted". */
function mountTracker() {
  const log: string[] = [];
  const withFs = async <T>(_r: ContainerRecord, fn: (root: string) => Promise<T>): Promise<T> => {
    log.push('mount');
    try {
      return await fn('/fake/root');
    } finally {
      log.push('unmount');
    }
  };
  return { log, withFs };
}

function fakeFs(over: Partial<ArchiveFs> = {}): ArchiveFs & { calls: unknown[][] } {
  const calls: unknown[][] = [];
  return {
    calls,
    stat: async (root, p, n) => (calls.push(['stat', root, p, n]), stat),
    pack: async () => new PassThrough(),
    extract: async (root, p, _tar, n, o) => void calls.push(['extract', root, p, n, o]),
    resolveUser: async (root, u) => (calls.push(['user', root, u]), { uid: 1000, gid: 100 }),
    ...over,
  };
}

const noCheck = () => {};

test('stat runs inside the container filesystem with the container name for messages', async () => {
  const m = mountTracker();
  const fs = fakeFs();
  const a = new ContainerArchive({ withFs: m.withFs, checkWritable: noCheck, fs });
  assert.deepEqual(await a.stat(rec(), '/etc'), stat);
  assert.deepEqual(fs.calls, [['stat', '/fake/root', '/etc', 'web']]);
  assert.deepEqual(m.log, ['mount', 'unmount']);
});

test('get keeps the filesystem mounted until the tar stream ends', async () => {
  const m = mountTracker();
  const tar = new PassThrough();
  const a = new ContainerArchive({ withFs: m.withFs, checkWritable: noCheck, fs: fakeFs({ pack: async () => tar }) });
  const r = await a.get(rec(), '/etc');
  assert.deepEqual(r.stat, stat);
  assert.deepEqual(m.log, ['mount'], 'still mounted while the client reads');
  r.stream.resume();
  tar.end();
  await new Promise((res) => setImmediate(res));
  await new Promise((res) => setImmediate(res));
  assert.deepEqual(m.log, ['mount', 'unmount']);
});

test('get releases the filesystem when the stream fails or is destroyed (client gone)', async () => {
  for (const end of ['error', 'destroy'] as const) {
    const m = mountTracker();
    const tar = new PassThrough();
    const a = new ContainerArchive({ withFs: m.withFs, checkWritable: noCheck, fs: fakeFs({ pack: async () => tar }) });
    const r = await a.get(rec(), '/x');
    r.stream.on('error', () => {});
    if (end === 'error') tar.destroy(new Error('EIO'));
    else tar.destroy();
    await new Promise((res) => setTimeout(res, 5));
    assert.deepEqual(m.log, ['mount', 'unmount'], end);
  }
});

test('get rejects with the stat error (e.g. no such path) and unmounts', async () => {
  const m = mountTracker();
  const a = new ContainerArchive({
    withFs: m.withFs,
    checkWritable: noCheck,
    fs: fakeFs({ stat: async () => Promise.reject(new Error('Could not find the file /nope in container web')) }),
  });
  await assert.rejects(a.get(rec(), '/nope'), /Could not find the file/);
  assert.deepEqual(m.log, ['mount', 'unmount']);
});

test('put refuses a read-only mount before touching the filesystem', async () => {
  const m = mountTracker();
  const fs = fakeFs();
  const a = new ContainerArchive({
    withFs: m.withFs,
    checkWritable: () => {
      throw invalid('mounted volume is marked read-only');
    },
    fs,
  });
  await assert.rejects(a.put(rec(), '/data', Readable.from([]), { noOverwriteDirNonDir: true, copyUIDGID: false }), {
    message: 'mounted volume is marked read-only',
  });
  assert.deepEqual(m.log, []);
  assert.deepEqual(fs.calls, []);
});

test('put extracts with the options; copyUIDGID with a User chowns to that user, else keeps the tar owners', async () => {
  const cases: Array<[string, boolean, PutOptions]> = [
    ['app', true, { noOverwriteDirNonDir: true, chown: { uid: 1000, gid: 100 } }],
    ['app', false, { noOverwriteDirNonDir: true }],
    ['', true, { noOverwriteDirNonDir: true }],
  ];
  for (const [user, copyUIDGID, want] of cases) {
    const fs = fakeFs();
    const a = new ContainerArchive({ withFs: mountTracker().withFs, checkWritable: noCheck, fs });
    await a.put(rec(user), '/tmp', Readable.from([]), { noOverwriteDirNonDir: true, copyUIDGID });
    const ex = fs.calls.find((c) => c[0] === 'extract')!;
    assert.deepEqual(ex.slice(1, 4), ['/fake/root', '/tmp', 'web']);
    assert.deepEqual(ex[4], want, `${user}/${copyUIDGID}`);
    assert.equal(
      fs.calls.some((c) => c[0] === 'user'),
      !!user && copyUIDGID,
    );
  }
});
