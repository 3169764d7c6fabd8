// The embedded DNS server: UDP and TCP on a bridge gateway's port 53 (containers reach it as 127.0.0.11).
// Names are answered by `resolve` (scoped to the asking container); everything else goes to the host's resolvers.
import dgram from 'node:dgram';
import net from 'node:net';
import { encodeResponse, parseQuery, RCODE_NXDOMAIN, RCODE_OK, RCODE_SERVFAIL, type Question } from './packet.js';

/** addrs: answers to give (possibly none: NODATA); null: not ours, forward upstream. `nx` = name known nowhere. */
export type Resolve = (clientIp: string, q: Question) => { addrs: Buffer[] } | null;

export interface DnsServerOptions {
  resolve: Resolve;
  upstreams: string[];
  timeoutMs?: number;
}

export class DnsServer {
  private readonly udp = new Map<string, dgram.Socket>();
  private readonly tcp = new Map<string, net.Server>();

  constructor(private readonly o: DnsServerOptions) {}

  /** Listen on ip:53 (UDP and TCP); idempotent. */
  async listen(ip: string, port = 53): Promise<void> {
    if (this.udp.has(ip)) return;
    const u = dgram.createSocket({ type: 'udp4' });
    await new Promise<void>((resolve, reject) => {
      u.once('error', reject);
      u.bind({ address: ip, port, exclusive: true }, () => {
        u.off('error', reject);
        resolve();
      });
    });
    u.on('error', () => {});
    u.on('message', (m, r) => {
      // A query that cannot be answered (or a socket closed meanwhile) is dropped, as a lost packet.
      this.answer(r.address, m)
        .then((out) => out && u.send(out, r.port, r.address))
        .catch(() => {});
    });
    const t = net.createServer((c) => this.serveTcp(c));
    await new Promise<void>((resolve, reject) => {
      t.once('error', reject);
      t.listen({ host: ip, port }, () => {
        t.off('error', reject);
        resolve();
      });
    }).catch((e) => {
      u.close();
      throw e;
    });
    this.udp.set(ip, u);
    this.tcp.set(ip, t);
  }

  close(ip: string): void {
    this.udp.get(ip)?.close();
    this.tcp.get(ip)?.close();
    this.udp.delete(ip);
    this.tcp.delete(ip);
  }

  closeAll(): void {
    for (const ip of [...this.udp.keys()]) this.close(ip);
  }

  private serveTcp(c: net.Socket): void {
    let buf = Buffer.alloc(0);
    c.on('error', () => c.destroy());
    c.setTimeout(10_000, () => c.destroy());
    c.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
        const msg = buf.subarray(2, 2 + buf.readUInt16BE(0));
        buf = buf.subarray(2 + msg.length);
        this.answer(c.remoteAddress?.replace(/^::ffff:/, '') ?? '', Buffer.from(msg))
          .then((out) => {
            if (!out || c.destroyed) return;
            const len = Buffer.alloc(2);
            len.writeUInt16BE(out.length);
            c.write(Buffer.concat([len, out]));
          })
          .catch(() => c.destroy());
      }
    });
  }

  async answer(clientIp: string, m: Buffer): Promise<Buffer | null> {
    const q = parseQuery(m);
    if (!q) return null;
    const r = this.o.resolve(clientIp, q);
    if (r) return encodeResponse(m, q, RCODE_OK, r.addrs);
    return (
      (await this.forward(m)) ?? encodeResponse(m, q, this.o.upstreams.length ? RCODE_SERVFAIL : RCODE_NXDOMAIN, [])
    );
  }

  private forward(m: Buffer): Promise<Buffer | null> {
    const ups = this.o.upstreams.filter((u) => net.isIPv4(u));
    if (!ups.length) return Promise.resolve(null);
    return new Promise((resolve) => {
      const s = dgram.createSocket('udp4');
      let done = false;
      const finish = (v: Buffer | null) => {
        if (done) return;
        done = true;
        clearTimeout(t);
        s.close();
        resolve(v);
      };
      const t = setTimeout(() => finish(null), this.o.timeoutMs ?? 2000);
      s.on('error', () => finish(null));
      s.on('message', (reply) => finish(reply));
      for (const u of ups) s.send(m, 53, u, (e) => e && ups.length === 1 && finish(null));
    });
  }
}
