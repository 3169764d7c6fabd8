import { test } from 'node:test';
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import net from 'node:net';
import { once } from 'node:events';
import { formatSyslog, SyslogSender } from './syslog.js';
import { syslogOptions } from './options.js';
import { testFile } from '../../util/test-dirs.js';

const date = new Date(2026, 0, 5, 7, 8, 9, 123);

test("formats like Docker's srslog formatters", () => {
  assert.equal(formatSyslog('unix', 30, 'mylog', 'hello', { date, pid: 42 }), '<30>Jan  5 07:08:09 mylog[42]: hello\n');
  assert.equal(
    formatSyslog('rfc3164', 27, 't', 'x', { date, pid: 42, hostname: 'h' }),
    '<27>Jan  5 07:08:09 h t[42]: x\n',
  );
  assert.match(
    formatSyslog('rfc5424', 22, 't', 'x', { date, pid: 42, hostname: 'h' }),
    /^<22>1 2026-01-05T07:08:09(Z|[+-]\d\d:\d\d) h t 42 t - x\n$/,
  );
  assert.match(
    formatSyslog('rfc5424micro', 22, 't', 'x', { date, pid: 42, hostname: 'h' }),
    /^<22>1 2026-01-05T07:08:09\.123000/,
  );
  const framed = formatSyslog('rfc5424', 22, 't', 'x', { date, pid: 42, hostname: 'h', lengthFramed: true });
  const sp = framed.indexOf(' ');
  assert.equal(Number(framed.slice(0, sp)), Buffer.byteLength(framed.slice(sp + 1)));
});

test('sends over UDP: stdout is info, stderr is err, daemon facility', async () => {
  const s = dgram.createSocket('udp4');
  s.bind(0, '127.0.0.1');
  await once(s, 'listening');
  const port = (s.address() as { port: number }).port;
  const got: string[] = [];
  s.on('message', (m) => got.push(m.toString()));
  const snd = new SyslogSender(
    syslogOptions({ Type: 'syslog', Config: { 'syslog-address': `udp://127.0.0.1:${port}` } }, 'berth'),
    'tg',
  );
  snd.send('stdout', Buffer.from('out\n'));
  snd.send('stderr', 'err\n');
  for (let i = 0; i < 50 && got.length < 2; i++) await new Promise((r) => setTimeout(r, 20));
  await snd.close();
  s.close();
  assert.match(got[0]!, /^<30>.* tg\[\d+\]: out\n$/);
  assert.match(got[1]!, /^<27>.* tg\[\d+\]: err\n$/);
});

test('TCP: queues while connecting, facility option; a dead endpoint does not block', async () => {
  let data = '';
  const srv = net.createServer((c) => c.on('data', (d) => (data += d.toString())));
  srv.listen(0, '127.0.0.1');
  await once(srv, 'listening');
  const port = (srv.address() as net.AddressInfo).port;
  const snd = new SyslogSender(
    syslogOptions(
      { Type: 'syslog', Config: { 'syslog-address': `tcp://127.0.0.1:${port}`, 'syslog-facility': 'mail' } },
      'berth',
    ),
    'm',
  );
  for (let i = 0; i < 3; i++) snd.send('stdout', `l${i}\n`);
  for (let i = 0; i < 50 && !data.includes('l2'); i++) await new Promise((r) => setTimeout(r, 20));
  await snd.close();
  srv.close();
  assert.deepEqual(
    data
      .split('\n')
      .filter(Boolean)
      .map((l) => l.replace(/^<(\d+)>.*: (\S+)$/, '$1 $2')),
    ['22 l0', '22 l1', '22 l2'],
  );

  // nothing listens on this port: sends return at once and nothing throws
  const dead = new SyslogSender(
    syslogOptions({ Type: 'syslog', Config: { 'syslog-address': `tcp://127.0.0.1:${port}` } }, 'berth'),
    'd',
  );
  const t0 = Date.now();
  for (let i = 0; i < 1000; i++) dead.send('stdout', 'x'.repeat(100));
  assert.ok(Date.now() - t0 < 500);
  await dead.close(200);
});

test('unix datagram sockets: unixgram:// addresses, and unix:// falling back when the socket is a datagram one', async () => {
  const { createRequire } = await import('node:module');
  const { DgramSocket } = createRequire(import.meta.url)('node-unix-socket') as typeof import('node-unix-socket');
  const path = await testFile('berth-syslog-', 'log');
  const srv = new DgramSocket();
  srv.bind(path);
  const got: string[] = [];
  srv.on('data', (b: Buffer) => got.push(b.toString()));
  for (const scheme of ['unixgram', 'unix']) {
    const snd = new SyslogSender(
      syslogOptions(
        { Type: 'syslog', Config: { 'syslog-address': `${scheme}://${path}`, 'syslog-facility': 'local0' } },
        'berth',
      ),
      'tg',
    );
    snd.send('stdout', Buffer.from(`via ${scheme}\n`));
    snd.send('stderr', Buffer.from(`again ${scheme}\n`));
    for (let i = 0; i < 100 && !got.some((g) => g.endsWith(`again ${scheme}\n`)); i++)
      await new Promise((r) => setTimeout(r, 10));
    await snd.close();
  }
  srv.close();
  assert.equal(got.length, 4);
  assert.match(got[0]!, /^<134>\w{3} [ \d]\d \d\d:\d\d:\d\d tg\[\d+\]: via unixgram\n$/);
  assert.match(got[1]!, /^<131>.* again unixgram\n$/);
  assert.match(got[2]!, /via unix\n$/);
  assert.match(got[3]!, /again unix\n$/);
});
