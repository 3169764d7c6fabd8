import assert from 'node:assert/strict';
import { test } from 'node:test';
import { allowedHosts, authenticated, checkOrigin, cookieOf, isLoopback, loginCookie } from './auth.js';

const T = 'a'.repeat(64);
const hosts = allowedHosts('127.0.0.1', 9080);

test('the token is accepted from a Bearer header or the login cookie, nothing else', () => {
  assert.equal(authenticated({ authorization: `Bearer ${T}` }, T), true);
  assert.equal(authenticated({ cookie: `x=1; berth_web=${T}` }, T), true);
  assert.equal(authenticated({ authorization: `Bearer ${'b'.repeat(64)}` }, T), false);
  assert.equal(authenticated({ cookie: `berth_web=${T.slice(1)}` }, T), false);
  assert.equal(authenticated({}, T), false);
});

test('the login cookie is HttpOnly and SameSite=Strict', () => {
  const c = loginCookie(T);
  assert.match(c, /HttpOnly/);
  assert.match(c, /SameSite=Strict/);
  assert.equal(cookieOf(c.split(';')[0], 'berth_web'), T);
});

test('Host must name the server: a DNS-rebound name is refused', () => {
  assert.deepEqual(checkOrigin({ host: '127.0.0.1:9080' }, false, hosts), { ok: true });
  assert.deepEqual(checkOrigin({ host: 'localhost:9080' }, false, hosts), { ok: true });
  const v = checkOrigin({ host: 'evil.example:9080' }, false, hosts);
  assert.equal(v.ok, false);
  assert.equal(!v.ok && v.status, 421);
});

test('websocket upgrades need an Origin that is this server', () => {
  assert.equal(checkOrigin({ host: '127.0.0.1:9080' }, true, hosts).ok, false);
  assert.equal(checkOrigin({ host: '127.0.0.1:9080', origin: 'http://evil.example' }, true, hosts).ok, false);
  assert.equal(checkOrigin({ host: '127.0.0.1:9080', origin: 'http://localhost:9080' }, true, hosts).ok, false);
  assert.equal(checkOrigin({ host: '127.0.0.1:9080', origin: 'http://127.0.0.1:9080' }, true, hosts).ok, true);
});

test('a cross-site request is refused; one without Origin (curl) is left to the token', () => {
  const cross = checkOrigin({ host: '127.0.0.1:9080', origin: 'https://evil.example' }, false, hosts);
  assert.equal(!cross.ok && cross.status, 403);
  assert.equal(checkOrigin({ host: '127.0.0.1:9080' }, false, hosts).ok, true);
});

test('loopback names and a non-loopback listen address', () => {
  assert.equal(isLoopback('127.0.0.1'), true);
  assert.equal(isLoopback('::1'), true);
  assert.equal(isLoopback('10.0.0.1'), false);
  assert.deepEqual([...allowedHosts('10.0.0.1', 80)], ['10.0.0.1:80']);
  assert.ok(allowedHosts('::1', 80).has('[::1]:80'));
});
