import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { ANONYMOUS_LABEL } from './driver.js';
import { LocalDriver } from './local.js';
import { VolumeService } from './service.js';

async function setup() {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'volsvc-'));
  const users = new Map<string, string[]>();
  const s = new VolumeService([new LocalDriver(root)], (n) => users.get(n) ?? []);
  await s.init();
  return { s, users, done: () => fs.rmSync(root, { recursive: true }) };
}

test('anonymous volumes get a 64-hex name and the anonymous label; unknown drivers are refused', async () => {
  const { s, done } = await setup();
  const v = await s.create({});
  assert.match(v.Name, /^[0-9a-f]{64}$/);
  assert.deepEqual(v.Labels, { [ANONYMOUS_LABEL]: '' });
  assert.equal(s.isAnonymous(v.Name), true);
  await assert.rejects(s.create({ Name: 'x1', Driver: 'nfsplugin' }), {
    message: 'error looking up volume plugin nfsplugin: plugin "nfsplugin" not found',
  });
  assert.throws(() => s.get('nosuch'), { message: 'get nosuch: no such volume' });
  done();
});

test('list filters: name, label, label!, dangling, driver', async () => {
  const { s, users, done } = await setup();
  await s.create({ Name: 'app-db', Labels: { tier: 'db', env: 'prod' } });
  await s.create({ Name: 'app-web', Labels: { tier: 'web' } });
  await s.create({ Name: 'other' });
  users.set('app-web', ['c1']);
  const names = (f: Record<string, string[]>) => s.list(new Map(Object.entries(f))).map((v) => v.Name);
  assert.deepEqual(names({ name: ['app'] }), ['app-db', 'app-web']);
  assert.deepEqual(names({ label: ['tier=db'] }), ['app-db']);
  assert.deepEqual(names({ label: ['tier'] }), ['app-db', 'app-web']);
  assert.deepEqual(names({ 'label!': ['tier'] }), ['other']);
  assert.deepEqual(names({ dangling: ['true'] }), ['app-db', 'other']);
  assert.deepEqual(names({ dangling: ['0'] }), ['app-web']);
  assert.deepEqual(names({ driver: ['local'], name: ['oth'] }), ['other']);
  assert.throws(() => names({ dangling: ['maybe'] }), { message: "invalid filter 'dangling=maybe'" });
  done();
});

test('remove refuses volumes in use (Docker text), force only skips missing ones', async () => {
  const { s, users, done } = await setup();
  await s.create({ Name: 'used' });
  users.set('used', ['aaa', 'bbb']);
  await assert.rejects(s.remove('used'), { message: 'remove used: volume is in use - [aaa, bbb]' });
  await assert.rejects(s.remove('used', { force: true }), /volume is in use/);
  await s.remove('missing', { force: true });
  await assert.rejects(s.remove('missing'), { message: 'get missing: no such volume' });
  users.delete('used');
  await s.remove('used');
  assert.equal(s.tryGet('used'), null);
  done();
});

test('prune: anonymous only by default, all=true for named ones, never in-use, label filters', async () => {
  const { s, users, done } = await setup();
  const anon = await s.create({});
  const anonUsed = await s.create({});
  await s.create({ Name: 'named1', Labels: { keep: 'no' } });
  await s.create({ Name: 'named2', Labels: { keep: 'yes' } });
  users.set(anonUsed.Name, ['c']);
  let r = await s.prune(new Map(), false);
  assert.deepEqual(r.VolumesDeleted, [anon.Name]);
  r = await s.prune(
    new Map([
      ['all', ['true']],
      ['label', ['keep=no']],
    ]),
    false,
  );
  assert.deepEqual(r.VolumesDeleted, ['named1']);
  r = await s.prune(new Map([['label!', ['keep=yes']]]), true);
  assert.deepEqual(r.VolumesDeleted, []);
  assert.deepEqual(
    s
      .list()
      .map((v) => v.Name)
      .sort(),
    [anonUsed.Name, 'named2'].sort(),
  );
  const usage = await s.usage();
  assert.equal(usage.find((v) => v.Name === anonUsed.Name)!.UsageData!.RefCount, 1);
  done();
});

test('system df and prune leave out volumes with mount options, as moby (LocalVolumesSize, Prune)', async () => {
  const { s, done } = await setup();
  await s.create({ Name: 'tmpfsvol', DriverOpts: { type: 'tmpfs', device: 'tmpfs' } });
  await s.create({ Name: 'plainvol' });
  assert.deepEqual(
    (await s.usage()).map((v) => v.Name),
    ['plainvol'],
  );
  const r = await s.prune(new Map([['all', ['true']]]), false);
  assert.deepEqual(r.VolumesDeleted, ['plainvol']);
  assert.deepEqual(
    s.list().map((v) => v.Name),
    ['tmpfsvol'],
  );
  done();
});
