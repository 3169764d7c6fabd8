import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildHosts, buildResolvConf, HOSTS_HEADER, linkEnv } from './etc.js';

test('hosts: localhost block, --add-host, links (alias id name) and the container itself', () => {
  const h = buildHosts({
    extraHosts: ['db.local:10.0.0.5'],
    links: [{ ip: '172.17.0.3', alias: 'mysql', id: '0123456789abcdef', name: 'wordpressdb' }],
    self: { ip: '172.17.0.4', hostname: 'c0ffee' },
  });
  assert.equal(
    h,
    `${HOSTS_HEADER}10.0.0.5\tdb.local\n172.17.0.3\tmysql 0123456789ab wordpressdb\n172.17.0.4\tc0ffee\n`,
  );
});

test('hosts: host-gateway is the default bridge gateway (the compose idiom host.docker.internal:host-gateway)', () => {
  const extraHosts = ['host.docker.internal:host-gateway', 'ip6:fd00::1'];
  assert.equal(
    buildHosts({ extraHosts, links: [], hostGateway: '172.17.0.1' }),
    `${HOSTS_HEADER}172.17.0.1\thost.docker.internal\nfd00::1\tip6\n`,
  );
  // no gateway known (no default bridge): the entry is left out rather than written literally
  assert.equal(buildHosts({ extraHosts, links: [] }), `${HOSTS_HEADER}fd00::1\tip6\n`);
});

test('resolv.conf: host resolvers without loopback on the default bridge, 127.0.0.11 on user networks', () => {
  const host = 'nameserver 127.0.0.53\nnameserver 10.0.0.2\nsearch example.com\n';
  assert.equal(
    buildResolvConf({ host, embedded: false, dns: [], search: [], options: [] }),
    'nameserver 10.0.0.2\nsearch example.com\n',
  );
  assert.equal(
    buildResolvConf({ host, embedded: true, dns: [], search: [], options: [] }),
    'nameserver 127.0.0.11\nsearch example.com\noptions ndots:0\n',
  );
  assert.equal(
    buildResolvConf({
      host: 'nameserver 127.0.0.1\n',
      embedded: false,
      dns: ['1.1.1.1'],
      search: ['a.b'],
      options: ['rotate'],
    }),
    'nameserver 1.1.1.1\nsearch a.b\noptions rotate\n',
  );
});

test('legacy link variables like Docker', () => {
  const env = linkEnv({
    alias: 'my-sql',
    name: '/web/my-sql',
    ip: '172.17.0.2',
    ports: [{ port: 3306, proto: 'tcp' }],
    env: ['PATH=/bin', 'MYSQL_ROOT_PASSWORD=pw'],
  });
  assert.deepEqual(env, [
    'MY_SQL_PORT=tcp://172.17.0.2:3306',
    'MY_SQL_PORT_3306_TCP=tcp://172.17.0.2:3306',
    'MY_SQL_PORT_3306_TCP_ADDR=172.17.0.2',
    'MY_SQL_PORT_3306_TCP_PORT=3306',
    'MY_SQL_PORT_3306_TCP_PROTO=tcp',
    'MY_SQL_NAME=/web/my-sql',
    'MY_SQL_ENV_MYSQL_ROOT_PASSWORD=pw',
  ]);
});
