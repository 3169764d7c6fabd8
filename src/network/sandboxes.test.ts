// Sandboxes over the fake rig: the embedded DNS redirect follows the container's user-network endpoints.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { NetworkDriver } from './driver.js';
import { container, req, rig, run } from './fake-rig.js';
import { latch } from '../util/latch.js';

const id = (c: string) => c.repeat(64).slice(0, 64);

test('connect after disconnecting the last network: default route, and 127.0.0.11 goes to the new endpoint', async () => {
  const r = await rig();
  await r.svc.create(req({ name: 'app', pools: [{ Subnet: '10.5.0.0/24' }] }));
  const c = container(id('a'), 'a', { NetworkMode: 'app' }, r.dir);
  await run(r, c);
  assert.deepEqual(r.netns.redirects, ['eth0 10.5.0.1 10.5.0.2']);
  await r.svc.disconnect('app', 'a', false);
  await r.svc.connect('app', 'a', null);
  const br = r.svc.find('app').bridge;
  assert.equal(r.ops.at(-1), `join ${br} eth0 10.5.0.3 route`, 'its only network routes');
  assert.deepEqual(r.netns.redirects, ['eth0 10.5.0.1 10.5.0.2', 'eth0 10.5.0.1 10.5.0.3 (chains only)']);
  // a second network does not move it (the first endpoint is live) and does not route
  await r.svc.create(req({ name: 'two', pools: [{ Subnet: '10.6.0.0/24' }] }));
  await r.svc.connect('two', 'a', null);
  assert.equal(r.ops.at(-1), `join ${r.svc.find('two').bridge} eth1 10.6.0.2`);
  assert.equal(r.netns.redirects.length, 2);
  // disconnecting the network it goes through moves it to the one left
  await r.svc.disconnect('app', 'a', false);
  assert.equal(r.netns.redirects.at(-1), 'eth1 10.6.0.1 10.6.0.2 (chains only)');
  await r.svc.teardown(c);
  assert.equal(r.netns.redirects.length, 3, 'teardown redirects nothing');
});

test('a start plumbs its veth after the network lock: another start reserves and plumbs meanwhile', {
  timeout: 20_000,
}, async () => {
  const r = await rig();
  const driver = (r.svc as unknown as { drivers: Map<string, NetworkDriver> }).drivers.get('bridge')!;
  const join = driver.join.bind(driver);
  const { promise: aEntered, open: enteredA } = latch();
  const { promise: aReleased, open: releaseA } = latch();
  driver.join = async (n, e, ns, o) => {
    if (e.containerId === id('a')) {
      enteredA();
      await aReleased; // held until the other start reaches its own plumbing (a lock held here deadlocks)
    } else releaseA();
    return join(n, e, ns, o);
  };
  const a = run(r, container(id('a'), 'a', {}, r.dir));
  await aEntered;
  const b = await run(r, container(id('b'), 'b', {}, r.dir));
  await a;
  const br = r.svc.find('bridge').bridge;
  assert.deepEqual(r.ops.filter((o) => o.startsWith('join')).sort(), [
    `join ${br} eth0 172.17.0.2 route`,
    `join ${br} eth0 172.17.0.3 route`,
  ]);
  assert.equal(r.svc.find('bridge').endpoints[b.id]?.ip, '172.17.0.3');
});

test('a teardown removes its veths after the network lock: another teardown goes on meanwhile', {
  timeout: 20_000,
}, async () => {
  const r = await rig();
  const a = await run(r, container(id('a'), 'a', {}, r.dir));
  const b = await run(r, container(id('b'), 'b', {}, r.dir));
  const driver = (r.svc as unknown as { drivers: Map<string, NetworkDriver> }).drivers.get('bridge')!;
  const leave = driver.leave.bind(driver);
  const { promise: aEntered, open: enteredA } = latch();
  const { promise: aReleased, open: releaseA } = latch();
  driver.leave = async (n, e) => {
    if (e.containerId === a.id) {
      enteredA();
      await aReleased; // held until the other teardown reaches its own veth (a lock held here deadlocks)
    } else releaseA();
    return leave(n, e);
  };
  const downA = r.svc.teardown(a);
  await aEntered;
  await r.svc.teardown(b);
  await downA;
  assert.deepEqual(r.ops.filter((o) => o.startsWith('leave')).sort(), [
    'leave eth0 172.17.0.2',
    'leave eth0 172.17.0.3',
  ]);
  assert.deepEqual(r.svc.find('bridge').endpoints, {});
  assert.equal(r.netns.exists(a.id) || r.netns.exists(b.id), false);
});
