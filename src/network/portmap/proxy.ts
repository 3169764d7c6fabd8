// The userland proxy (docker-proxy's job, in-process): host address:port → container address:port,
// for loopback clients that iptables DNAT does not see, and as the holder of the host port. An IPv6 listener is
// IPv6-only (docker-proxy sets IPV6_V6ONLY), so [::] and 0.0.0.0 are two bindings; it may forward to an IPv4
// container (moby keeps [::] working for containers without IPv6 that way).
import dgram from 'node:dgram';
import net from 'node:net';
import { conflict } from '../../errdefs.js';
import { isIp6 } from './bindings.js';

export interface PortProxy {
  close(): void;
}

function inUse(ip: string, port: number, e: NodeJS.ErrnoException) {
  return e.code === 'EADDRINUSE' || e.code === 'EACCES'
    ? conflict(`Bind for ${ip}:${port} failed: port is already allocated`)
    : conflict(`listen ${e.code ?? ''} ${ip}:${port}: ${e.message}`);
}

export function startTcpProxy(hostIp: string, hostPort: number, toIp: string, toPort: number): Promise<PortProxy> {
  const conns = new Set<net.Socket>();
  const server = net.createServer((c) => {
    conns.add(c);
    const up = net.connect({ host: toIp, port: toPort });
    conns.add(up);
    c.pipe(up);
    up.pipe(c);
    const done = () => {
      c.destroy();
      up.destroy();
      conns.delete(c);
      conns.delete(up);
    };
    c.on('error', done);
    up.on('error', done);
    c.on('close', done);
    up.on('close', done);
  });
  return new Promise((resolve, reject) => {
    server.once('error', (e) => reject(inUse(hostIp, hostPort, e)));
    server.listen({ host: hostIp, port: hostPort, exclusive: true, ipv6Only: isIp6(hostIp) }, () =>
      resolve({
        close() {
          server.close();
          for (const c of conns) c.destroy();
        },
      }),
    );
  });
}

export function startUdpProxy(hostIp: string, hostPort: number, toIp: string, toPort: number): Promise<PortProxy> {
  const sock = dgram.createSocket(isIp6(hostIp) ? { type: 'udp6', ipv6Only: true } : { type: 'udp4' });
  const peers = new Map<string, { s: dgram.Socket; t: NodeJS.Timeout }>();
  const idle = 90_000;
  sock.on('message', (m, r) => {
    const k = `${r.address}:${r.port}`;
    let p = peers.get(k);
    if (!p) {
      const s = dgram.createSocket(isIp6(toIp) ? 'udp6' : 'udp4');
      s.on('message', (reply) => sock.send(reply, r.port, r.address));
      s.on('error', () => {});
      p = { s, t: setTimeout(() => {}, 0) };
      peers.set(k, p);
    }
    clearTimeout(p.t);
    const cur = p;
    p.t = setTimeout(() => {
      cur.s.close();
      peers.delete(k);
    }, idle);
    p.t.unref();
    p.s.send(m, toPort, toIp);
  });
  return new Promise((resolve, reject) => {
    sock.once('error', (e) => reject(inUse(hostIp, hostPort, e)));
    sock.bind({ address: hostIp, port: hostPort, exclusive: true }, () => {
      sock.on('error', () => {});
      resolve({
        close() {
          sock.close();
          for (const p of peers.values()) {
            clearTimeout(p.t);
            p.s.close();
          }
        },
      });
    });
  });
}
