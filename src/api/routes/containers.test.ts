// The container action routes (start … unpause, rename) through a real ApiServer over a fake
// service: each reaches its service method with the id and its query, and answers 204.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { ContainerService } from '../../engine/service.js';
import { msg, notFound } from '../../errdefs.js';
import { type TestServer, testServer } from '../test-server.js';
import type { ContainerRouteDeps } from './container-route-deps.js';
import { containerRoutes } from './containers.js';

const calls: unknown[][] = [];
const known = (id: string) => {
  if (id !== 'c1') throw notFound(msg.noSuchContainer(id));
};
const record =
  (name: string) =>
  async (...args: unknown[]) => {
    known(String(args[0]));
    calls.push([name, ...args]);
  };
const containers = {
  start: record('start'),
  stop: record('stop'),
  restart: record('restart'),
  kill: record('kill'),
  pause: record('pause'),
  unpause: record('unpause'),
  rename: record('rename'),
} as unknown as ContainerService;

const deps = { containers } as unknown as ContainerRouteDeps;

let s: TestServer;
before(async () => {
  s = await testServer(containerRoutes(deps));
});
after(() => s.close());

test('each action reaches its service method with the id and its query, and answers 204', async () => {
  const cases: Array<[string, unknown[]]> = [
    ['start', ['start', 'c1']],
    ['stop?t=3&signal=SIGINT', ['stop', 'c1', { timeout: 3, signal: 'SIGINT' }]],
    ['stop', ['stop', 'c1', { timeout: undefined, signal: undefined }]],
    ['restart?t=0', ['restart', 'c1', 0, undefined]],
    ['restart?signal=SIGINT', ['restart', 'c1', undefined, 'SIGINT']],
    ['kill?signal=HUP', ['kill', 'c1', 'HUP']],
    ['kill', ['kill', 'c1', undefined]],
    ['pause', ['pause', 'c1']],
    ['unpause', ['unpause', 'c1']],
    ['rename?name=db', ['rename', 'c1', 'db']],
    ['rename', ['rename', 'c1', '']],
  ];
  for (const [path, call] of cases) {
    calls.length = 0;
    const r = await s.call('POST', `/containers/c1/${path}`);
    assert.equal(r.status, 204, path);
    assert.equal(r.body.length, 0, path);
    assert.deepEqual(calls, [call], path);
  }
});

test("an action on an unknown container is the service's 404, with Docker's text", async () => {
  for (const verb of ['start', 'stop', 'restart', 'kill', 'pause', 'unpause', 'rename']) {
    const r = await s.call('POST', `/containers/nope/${verb}`);
    assert.equal(r.status, 404, verb);
    assert.deepEqual(r.json, { message: 'No such container: nope' }, verb);
  }
});
