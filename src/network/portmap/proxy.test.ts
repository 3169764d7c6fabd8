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

/** A TCP echo server on 127.0.0.1 and its port. */
async function tcpEcho(): Promise<{ echo: net.Server; target: number }> {
  const echo = net.createServer((c) => c.pipe(c)).listen(0, '127.0.0.1');
  await new Promise((r) => echo.once('listening', r));
  return { echo, target: (echo.address() as net.AddressInfo).port };
}

/** A UDP server on 127.0.0.1 that answers each datagram with `re:` and the datagram. */
async function udpEcho(): Promise<dgram.Socket> {
  const echo = dgram.createSocket('udp4');
  echo.on('message', (m, r) => echo.send(Buffer.concat([Buffer.from('re:'), m]), r.port, r.address));
  await new Promise<void>((r) => echo.bind(0, '127.0.0.1', () => r()));
  return echo;
}

/** Sends `msg` over TCP to host:port and resolves the first bytes that come back. */
function tcpAsk(port: number, host: string, msg: string): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    const c = net.connect(port, host, () => c.write(msg));
    c.on('data', (d) => {
      resolve(d.toString());
      c.destroy();
    });
    c.on('error', reject);
  });
}

/** Sends one datagram to host:port and resolves the answer. */
async function udpAsk(port: number, host: string, msg: string): Promise<string> {
  const client = dgram.createSocket(net.isIPv6(host) ? 'udp6' : 'udp4');
  const reply = new Promise<string>((resolve) => client.once('message', (m) => resolve(m.toString())));
  client.send(msg, port, host);
  try {
    return await reply;
  } finally {
    client.close();
  }
}

test("tcp: bytes go to the target and back; a second proxy on the port gets Docker's text", async () => {
  const { echo, target } = await tcpEcho();
  const port = await freePort();
  const p = await startTcpProxy('127.0.0.1', port, '127.0.0.1', target);
  assert.equal(await tcpAsk(port, '127.0.0.1', 'hello'), 'hello');
  await assert.rejects(startTcpProxy('127.0.0.1', port, '127.0.0.1', target), {
    message: `Bind for 127.0.0.1:${port} failed: port is already allocated`,
  });
  p.close();
  echo.close();
});

test('udp: a datagram reaches the target and its answer comes back to the sender', async () => {
  const echo = await udpEcho();
  const port = await freePort();
  const p = await startUdpProxy('127.0.0.1', port, '127.0.0.1', echo.address().port);
  assert.equal(await udpAsk(port, '127.0.0.1', 'ping'), 're:ping');
  p.close();
  echo.close();
});

test('IPv6: [::] and 0.0.0.0 hold one port side by side; [::1] reaches an IPv4 target over tcp and udp', async (t) => {
  if (!(await ipv6Listenable())) return t.skip('the host cannot listen on IPv6 ([::1])');
  const { echo, target } = await tcpEcho();
  const port = await freePort();
  const p4 = await startTcpProxy('0.0.0.0', port, '127.0.0.1', target);
  const p6 = await startTcpProxy('::', port, '127.0.0.1', target); // IPv6-only, so no EADDRINUSE
  assert.equal(await tcpAsk(port, '::1', 'six'), 'six');
  await assert.rejects(startTcpProxy('::', port, '127.0.0.1', target), {
    message: `Bind for :::${port} failed: port is already allocated`,
  });
  p4.close();
  p6.close();
  echo.close();

  const uecho = await udpEcho();
  const u4 = await startUdpProxy('0.0.0.0', port, '127.0.0.1', uecho.address().port);
  const u6 = await startUdpProxy('::', port, '127.0.0.1', uecho.address().port);
  assert.equal(await udpAsk(port, '::1', 'ping6'), 're:ping6');
  u4.close();
  u6.close();
  uecho.close();
});
