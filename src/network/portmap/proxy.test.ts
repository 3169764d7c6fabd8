import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import net from 'node:net';
import { test } from 'node:test';
import { ipv6Listenable } from './allocator.js';
import { startTcpProxy, startUdpProxy } from './proxy.js';

/** A port the kernel just handed out (free again once closed). */
function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

test("tcp: bytes go to the target and back; a second proxy on the port gets Docker's text", async () => {
  const echo = net.createServer((c) => c.pipe(c)).listen(0, '127.0.0.1');
  await new Promise((r) => echo.once('listening', r));
  const target = (echo.address() as net.AddressInfo).port;
  const port = await freePort();
  const p = await startTcpProxy('127.0.0.1', port, '127.0.0.1', target);
  const reply = await new Promise<string>((resolve, reject) => {
    const c = net.connect(port, '127.0.0.1', () => c.write('hello'));
    c.on('data', (d) => {
      resolve(d.toString());
      c.destroy();
    });
    c.on('error', reject);
  });
  assert.equal(reply, 'hello');
  await assert.rejects(startTcpProxy('127.0.0.1', port, '127.0.0.1', target), {
    message: `Bind for 127.0.0.1:${port} failed: port is already allocated`,
  });
  p.close();
  echo.close();
});

test('udp: a datagram reaches the target and its answer comes back to the sender', async () => {
  const echo = dgram.createSocket('udp4');
  echo.on('message', (m, r) => echo.send(Buffer.concat([Buffer.from('re:'), m]), r.port, r.address));
  await new Promise<void>((r) => echo.bind(0, '127.0.0.1', () => r()));
  const port = await freePort();
  const p = await startUdpProxy('127.0.0.1', port, '127.0.0.1', echo.address().port);
  const client = dgram.createSocket('udp4');
  const reply = new Promise<string>((resolve) => client.once('message', (m) => resolve(m.toString())));
  client.send('ping', port, '127.0.0.1');
  assert.equal(await reply, 're:ping');
  client.close();
  p.close();
  echo.close();
});

test('IPv6: [::] and 0.0.0.0 hold one port side by side; [::1] reaches an IPv4 target over tcp and udp', async (t) => {
  if (!(await ipv6Listenable())) return t.skip('the host cannot listen on IPv6 ([::1])');
  const echo = net.createServer((c) => c.pipe(c)).listen(0, '127.0.0.1');
  await new Promise((r) => echo.once('listening', r));
  const target = (echo.address() as net.AddressInfo).port;
  const port = await freePort();
  const p4 = await startTcpProxy('0.0.0.0', port, '127.0.0.1', target);
  const p6 = await startTcpProxy('::', port, '127.0.0.1', target); // IPv6-only, so no EADDRINUSE
  const reply = await new Promise<string>((resolve, reject) => {
    const c = net.connect(port, '::1', () => c.write('six'));
    c.on('data', (d) => (resolve(d.toString()), c.destroy()));
    c.on('error', reject);
  });
  assert.equal(reply, 'six');
  await assert.rejects(startTcpProxy('::', port, '127.0.0.1', target), {
    message: `Bind for :::${port} failed: port is already allocated`,
  });
  p4.close();
  p6.close();
  echo.close();

  const uecho = dgram.createSocket('udp4');
  uecho.on('message', (m, r) => uecho.send(Buffer.concat([Buffer.from('re:'), m]), r.port, r.address));
  await new Promise<void>((r) => uecho.bind(0, '127.0.0.1', () => r()));
  const u4 = await startUdpProxy('0.0.0.0', port, '127.0.0.1', uecho.address().port);
  const u6 = await startUdpProxy('::', port, '127.0.0.1', uecho.address().port);
  const client = dgram.createSocket('udp6');
  const got = new Promise<string>((resolve) => client.once('message', (m) => resolve(m.toString())));
  client.send('ping6', port, '::1');
  assert.equal(await got, 're:ping6');
  client.close();
  u4.close();
  u6.close();
  uecho.close();
});
