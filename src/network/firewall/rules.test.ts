import assert from 'node:assert/strict';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { JUMPS, JUMPS6, RAW_JUMP, renderFlush, renderRaw, renderRules, type FwState } from './rules.js';

// compiled to dist/src/network/firewall/; the golden files stay beside the sources
const golden = (name: string) =>
  fileURLToPath(new URL(`../../../../src/network/firewall/testdata/${name}`, import.meta.url));

const state: FwState = {
  networks: [
    { bridge: 'berth0', subnet: '172.17.0.0/16', internal: false },
    { bridge: 'br-0123456789ab', subnet: '172.18.0.0/16', internal: false },
    { bridge: 'br-internal0001', subnet: '172.19.0.0/16', internal: true },
  ],
  ports: [
    {
      bridge: 'berth0',
      proto: 'udp',
      hostIp: '0.0.0.0',
      hostPort: 5514,
      containerIp: '172.17.0.3',
      containerPort: 514,
    },
    { bridge: 'berth0', proto: 'tcp', hostIp: '0.0.0.0', hostPort: 8080, containerIp: '172.17.0.2', containerPort: 80 },
    {
      bridge: 'br-0123456789ab',
      proto: 'tcp',
      hostIp: '127.0.0.1',
      hostPort: 8081,
      containerIp: '172.18.0.2',
      containerPort: 8080,
    },
  ],
};

test('rules for bridges, published ports and an internal network match the golden file', () => {
  const want = fs.readFileSync(golden('rules.golden'), 'utf8');
  assert.equal(renderRules(state), want);
});

test('rule order does not depend on the order of the input (re-applying is a no-op)', () => {
  const shuffled: FwState = { networks: [...state.networks].reverse(), ports: [...state.ports].reverse() };
  assert.equal(renderRules(shuffled), renderRules(state));
});

test('an empty state still declares (and so flushes) every berth chain', () => {
  const text = renderRules({ networks: [], ports: [] });
  assert.match(text, /^:BERTH - \[0:0\]$/m);
  assert.match(text, /^-A BERTH-FORWARD -j BERTH-ISOLATION-1$/m);
  assert.doesNotMatch(text, /DNAT|MASQUERADE/);
  assert.equal(renderFlush(), fs.readFileSync(golden('flush.golden'), 'utf8'));
});

test('internal networks get no masquerade and drop traffic leaving the subnet', () => {
  const text = renderRules(state);
  assert.doesNotMatch(text, /-s 172\.19\.0\.0\/16 ! -o br-internal0001 -j MASQUERADE/);
  assert.match(text, /-A BERTH-ISOLATION-1 ! -d 172\.19\.0\.0\/16 -i br-internal0001 -j DROP/);
  assert.doesNotMatch(text, /-A BERTH-FORWARD -i br-internal0001 ! -o br-internal0001 -j ACCEPT/);
});

test('traffic from one bridge to another passes stage 1 into stage 2, which drops it at every bridge', () => {
  const text = renderRules(state);
  for (const b of ['berth0', 'br-0123456789ab'])
    assert.match(text, new RegExp(`^-A BERTH-ISOLATION-1 -i ${b} ! -o ${b} -j BERTH-ISOLATION-2$`, 'm'));
  for (const b of ['berth0', 'br-0123456789ab', 'br-internal0001'])
    assert.match(text, new RegExp(`^-A BERTH-ISOLATION-2 -o ${b} -j DROP$`, 'm'));
  // isolation is checked before any ACCEPT in BERTH-FORWARD
  const fwd = text.split('\n').filter((l) => l.startsWith('-A BERTH-FORWARD'));
  assert.equal(fwd[0], '-A BERTH-FORWARD -j BERTH-ISOLATION-1');
});

test('ip6tables rules mirror IPv4 for the networks with an IPv6 subnet only, without published ports', () => {
  const six: FwState = {
    networks: [
      { ...state.networks[0]! },
      { ...state.networks[1]!, subnet6: 'fd00:1::/64' },
      { ...state.networks[2]!, subnet6: 'fd00:2::/64' },
    ],
    ports: state.ports,
  };
  assert.equal(renderRules(six), renderRules(state), 'IPv4 rules are unchanged by IPv6 subnets');
  const text = renderRules(six, 6);
  assert.equal(text, fs.readFileSync(golden('rules6.golden'), 'utf8'));
  assert.doesNotMatch(text, /berth0|DNAT|172\./);
  assert.match(text, /^-A BERTH-POSTROUTING -s fd00:1::\/64 ! -o br-0123456789ab -j MASQUERADE$/m);
  assert.match(text, /^-A BERTH-ISOLATION-1 ! -d fd00:2::\/64 -i br-internal0001 -j DROP$/m);
  assert.match(renderRules({ networks: [], ports: [] }, 6), /^:BERTH-ISOLATION-2 - \[0:0\]$/m);
});

test("ip6tables' jumps are IPv4's with IPv6's loopback", () => {
  assert.deepEqual(
    JUMPS6.map((j) => j[2].join(' ')),
    JUMPS.map((j) => j[2].join(' ').replace('127.0.0.0/8', '::1/128')),
  );
  assert.ok(JUMPS6.some((j) => j[2].includes('::1/128')));
});

test('IPv6 host ports: ip6tables DNAT to a dual-stack container; none to an IPv4-only one, nothing in IPv4', () => {
  const six: FwState = {
    networks: [state.networks[0]!, { ...state.networks[1]!, subnet6: 'fd00:1::/64' }],
    ports: [
      ...state.ports,
      {
        bridge: 'br-0123456789ab',
        proto: 'tcp',
        hostIp: '::',
        hostPort: 8090,
        containerIp: 'fd00:1::2',
        containerPort: 80,
      },
      {
        bridge: 'br-0123456789ab',
        proto: 'udp',
        hostIp: '::1',
        hostPort: 5353,
        containerIp: 'fd00:1::2',
        containerPort: 53,
      },
      { bridge: 'berth0', proto: 'tcp', hostIp: '::', hostPort: 8080, containerIp: '172.17.0.2', containerPort: 80 },
    ],
  };
  assert.equal(renderRules(six), renderRules({ ...six, ports: state.ports }), 'IPv4 rules ignore IPv6 host ports');
  const text = renderRules(six, 6);
  const lines = text.split('\n').filter((l) => /DNAT|--dport/.test(l));
  assert.deepEqual(lines, [
    '-A BERTH ! -i br-0123456789ab -p tcp -m tcp --dport 8090 -j DNAT --to-destination [fd00:1::2]:80',
    '-A BERTH -d ::1/128 ! -i br-0123456789ab -p udp -m udp --dport 5353 -j DNAT --to-destination [fd00:1::2]:53',
    '-A BERTH-POSTROUTING -s fd00:1::2/128 -d fd00:1::2/128 -p tcp -m tcp --dport 80 -j MASQUERADE',
    '-A BERTH-POSTROUTING -s fd00:1::2/128 -d fd00:1::2/128 -p udp -m udp --dport 53 -j MASQUERADE',
    '-A BERTH-FORWARD -d fd00:1::2/128 ! -i br-0123456789ab -o br-0123456789ab -p tcp -m tcp --dport 80 -j ACCEPT',
    '-A BERTH-FORWARD -d fd00:1::2/128 ! -i br-0123456789ab -o br-0123456789ab -p udp -m udp --dport 53 -j ACCEPT',
  ]);
  assert.doesNotMatch(text, /172\.17\.0\.2|8080/);
});

test('raw table: packets from other hosts to a port published on 127.x are dropped (moby 28); nothing else', () => {
  const text = renderRaw({
    networks: state.networks,
    ports: [
      ...state.ports,
      {
        bridge: 'berth0',
        proto: 'tcp',
        hostIp: '127.0.0.1',
        hostPort: 8082,
        containerIp: '172.17.0.4',
        containerPort: 80,
      },
      { bridge: 'berth0', proto: 'tcp', hostIp: '::1', hostPort: 8083, containerIp: '172.17.0.4', containerPort: 80 },
    ],
  });
  assert.equal(
    text,
    [
      '*raw',
      ':BERTH-PREROUTING - [0:0]',
      '-A BERTH-PREROUTING -d 127.0.0.1/32 ! -i lo -p tcp -m tcp --dport 8081 -j DROP',
      '-A BERTH-PREROUTING -d 127.0.0.1/32 ! -i lo -p tcp -m tcp --dport 8082 -j DROP',
      'COMMIT',
      '',
    ].join('\n'),
  );
  assert.deepEqual(RAW_JUMP, ['raw', 'PREROUTING', ['-j', 'BERTH-PREROUTING']]);
});
