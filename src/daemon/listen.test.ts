import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import path, { join } from 'node:path';
import { test } from 'node:test';
import { groupId, listenAll, socketAnswers, socketPaths, unixSocketOf } from './listen.js';

const serve = (sock: string) =>
  new Promise<Server>((r) => {
    const s = createServer();
    s.listen(sock, () => r(s));
  });

test('unixSocketOf takes unix:// hosts only; socketPaths resolves them', () => {
  assert.equal(unixSocketOf('unix:///run/berth/berth.sock'), '/run/berth/berth.sock');
  assert.equal(unixSocketOf('tcp://0.0.0.0:2375'), null);
  assert.deepEqual(socketPaths(['unix:///run/a.sock', 'tcp://x:1', 'unix://rel.sock']), [
    '/run/a.sock',
    path.resolve('rel.sock'),
  ]);
});

test('groupId: numbers as is, names from the group file, null when unknown', () => {
  const dir = mkdtempSync(join(tmpdir(), 'berth-group-'));
  const f = join(dir, 'group');
  writeFileSync(f, 'root:x:0:\nberth:x:998:alice\n');
  assert.equal(groupId('123', f), 123);
  assert.equal(groupId('berth', f), 998);
  assert.equal(groupId('nobody-here', f), null);
  assert.equal(groupId('berth', join(dir, 'missing')), null);
  rmSync(dir, { recursive: true, force: true });
});

test('listenAll: a stale socket file is replaced, the socket is 0660; a live daemon is a conflict; tcp is refused', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'berth-listen-'));
  const sock = join(dir, 'sub', 'berth.sock');
  const servers: Server[] = [];
  const fake = { listen: async (p: string) => void servers.push(await serve(p)) };
  const logs: string[] = [];
  try {
    const { mkdirSync } = await import('node:fs');
    mkdirSync(join(dir, 'sub'));
    writeFileSync(sock, 'stale');
    assert.deepEqual(await listenAll(fake, [`unix://${sock}`], 'no-such-group-x', (_l, m) => logs.push(m)), [sock]);
    assert.equal(statSync(sock).mode & 0o777, 0o660);
    assert.deepEqual(logs, [`API listen on ${sock}`]);
    assert.equal(await socketAnswers(sock), true);
    await assert.rejects(
      listenAll(fake, [`unix://${sock}`], '0', () => {}),
      { message: `another daemon is already listening on ${sock}` },
    );
    await assert.rejects(
      listenAll(fake, ['tcp://127.0.0.1:2375'], '0', () => {}),
      { message: 'unsupported host tcp://127.0.0.1:2375: only unix:// sockets are served' },
    );
  } finally {
    for (const s of servers) s.close();
    rmSync(dir, { recursive: true, force: true });
  }
  assert.equal(existsSync(sock), false);
  assert.equal(await socketAnswers(sock), false);
});
