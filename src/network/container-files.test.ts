import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { HOSTS_HEADER } from './etc.js';
import {
  initialEtcFiles,
  initialResolvConf,
  writeEtcFiles,
  writeInitialEtcFiles,
  type EtcHostConfig,
} from './container-files.js';

const hc = (o: Partial<EtcHostConfig> = {}): EtcHostConfig => ({
  NetworkMode: 'bridge',
  ExtraHosts: null,
  Dns: null,
  DnsSearch: null,
  DnsOptions: null,
  ...o,
});

test('create-time resolv.conf drops loopback resolvers and falls back to public ones', () => {
  assert.equal(
    initialResolvConf(hc(), 'nameserver 127.0.0.53\nsearch lan\n'),
    'search lan\nnameserver 8.8.8.8\nnameserver 8.8.4.4\n',
  );
  assert.equal(initialResolvConf(hc(), 'nameserver 10.0.0.1\nnameserver ::1'), 'nameserver 10.0.0.1\n');
  // host mode keeps the host's file as it is
  assert.equal(initialResolvConf(hc({ NetworkMode: 'host' }), 'nameserver 127.0.0.53'), 'nameserver 127.0.0.53\n');
});

test('create-time resolv.conf with --dns, --dns-search, --dns-option', () => {
  const h = hc({ Dns: ['1.1.1.1'], DnsSearch: ['a.example', 'b.example'], DnsOptions: ['ndots:2'] });
  assert.equal(
    initialResolvConf(h, 'nameserver 10.0.0.1\n'),
    'nameserver 1.1.1.1\nsearch a.example b.example\noptions ndots:2\n',
  );
  // search alone keeps the host's (reachable) nameservers
  assert.equal(
    initialResolvConf(hc({ DnsSearch: ['x'] }), 'nameserver 10.0.0.1\nnameserver 127.0.0.1\n'),
    'nameserver 10.0.0.1\nsearch x\n',
  );
});

test('create-time hosts: localhost block plus --add-host; host mode reads the host file', async () => {
  const etc = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-etc-'));
  fs.writeFileSync(path.join(etc, 'hosts'), '127.0.0.1 myhost\n');
  fs.writeFileSync(path.join(etc, 'resolv.conf'), 'nameserver 10.1.1.1\n');
  const f = await initialEtcFiles(hc({ ExtraHosts: ['db:10.0.0.5', 'bad'] }), etc);
  assert.equal(f.hosts, `${HOSTS_HEADER}10.0.0.5\tdb\n`);
  assert.equal(f.resolvConf, 'nameserver 10.1.1.1\n');
  assert.equal((await initialEtcFiles(hc({ NetworkMode: 'host' }), etc)).hosts, '127.0.0.1 myhost\n');
  fs.rmSync(etc, { recursive: true, force: true });
});

test('writeEtcFiles writes only the files given; writeInitialEtcFiles writes both', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'berth-cf-'));
  const c = { hostsPath: path.join(dir, 'hosts'), resolvConfPath: path.join(dir, 'resolv.conf') };
  await writeEtcFiles(c, { hosts: 'h\n' });
  assert.equal(fs.readFileSync(c.hostsPath, 'utf8'), 'h\n');
  assert.equal(fs.existsSync(c.resolvConfPath), false);
  await writeInitialEtcFiles({ ...c, hostConfig: hc({ ExtraHosts: ['x:1.2.3.4'] }) });
  assert.match(fs.readFileSync(c.hostsPath, 'utf8'), /1\.2\.3\.4\tx\n$/);
  assert.match(fs.readFileSync(c.resolvConfPath, 'utf8'), /^nameserver /m);
  fs.rmSync(dir, { recursive: true, force: true });
});
