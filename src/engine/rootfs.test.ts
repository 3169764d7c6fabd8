import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { RootfsMounts } from './rootfs.js';

// A fake FsPort that records the order of mounts and unmounts and lets each take a while.
function rig() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rootfs-'));
  const events: string[] = [];
  const later = () => new Promise((r) => setTimeout(r, 20));
  const fsPort = {
    async mountAll() {
      events.push('mount>');
      await later();
      events.push('mount<');
    },
    async unmount() {
      events.push('unmount>');
      await later();
      events.push('unmount<');
    },
  };
  const images = { rootfsMounts: async () => [] };
  const m = new RootfsMounts(
    images,
    fsPort,
    (id) => path.join(dir, id, 'rootfs'),
    () => {},
  );
  return { m, events, done: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

test('two overlapping users of a stopped rootfs share one mount, unmounted after the last', async () => {
  const { m, events, done } = rig();
  const seen: string[] = [];
  const use = (tag: string) =>
    m.with('c1', async () => {
      seen.push(tag);
      await new Promise((r) => setTimeout(r, 30));
    });
  await Promise.all([use('a'), use('b')]);
  assert.deepEqual(seen.sort(), ['a', 'b']);
  assert.deepEqual(events, ['mount>', 'mount<', 'unmount>', 'unmount<']);
  done();
});

test('a mount asked for while the last unmount runs waits for it and mounts again', async () => {
  const { m, events, done } = rig();
  await m.mount('c1');
  const un = m.unmount('c1');
  const again = m.mount('c1');
  await Promise.all([un, again]);
  assert.deepEqual(events, ['mount>', 'mount<', 'unmount>', 'unmount<', 'mount>', 'mount<']);
  await m.unmount('c1');
  done();
});
