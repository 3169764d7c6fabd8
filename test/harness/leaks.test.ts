import assert from 'node:assert/strict';
import { test } from 'node:test';
import { added, berthChains, diffLeaks, linkNames, mountsUnder, unescapeMountField, type Snapshot } from './leaks.js';

const mountinfo = [
  '22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw',
  '40 22 0:35 / /tmp/berth-it-ab/data/snapshots/1/fs rw - overlay overlay rw,lowerdir=x',
  '41 22 0:36 / /tmp/berth-it-ab/exec/with\\040space rw - tmpfs tmpfs rw',
  '42 22 0:37 / /tmp/berth-it-abc rw - tmpfs tmpfs rw',
  '43 22 0:38 / /tmp/berth-it-ab rw - tmpfs tmpfs rw',
].join('\n');

test('mountsUnder keeps the root itself and what lies below it, not look-alike prefixes', () => {
  assert.deepEqual(mountsUnder(mountinfo, ['/tmp/berth-it-ab']), [
    '/tmp/berth-it-ab/data/snapshots/1/fs',
    '/tmp/berth-it-ab/exec/with space',
    '/tmp/berth-it-ab',
  ]);
});

test('unescapeMountField decodes octal escapes', () => {
  assert.equal(unescapeMountField('a\\040b\\011c\\134d'), 'a b\tc\\d');
});

test('linkNames drops lo and @peer suffixes', () => {
  const out = [
    '1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN mode DEFAULT',
    '3: berth0: <BROADCAST,MULTICAST,UP> mtu 1500 qdisc noqueue state UP mode DEFAULT',
    '5: veth1a2b@if4: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue master berth0',
    '',
  ].join('\n');
  assert.deepEqual(linkNames(out), ['berth0', 'veth1a2b']);
});

test('berthChains picks BERTH* chain definitions only', () => {
  const out = ['-P INPUT ACCEPT', '-N BERTH', '-N BERTH-ISOLATION-STAGE-1', '-N DOCKER', '-A FORWARD -j BERTH'].join(
    '\n',
  );
  assert.deepEqual(berthChains('filter', out), ['filter/BERTH', 'filter/BERTH-ISOLATION-STAGE-1']);
});

test('added lists what appeared since the baseline', () => {
  assert.deepEqual(added(['a', 'b'], ['b', 'c', 'd']), ['c', 'd']);
});

test('diffLeaks: startup links and chains may stay, new ones, mounts and conmons are leaks', () => {
  const base: Snapshot = { mounts: [], links: ['berth0'], chains: ['filter/BERTH'], conmons: [] };
  const now: Snapshot = {
    mounts: ['/tmp/r/exec/netns/x'],
    links: ['berth0', 'br-123'],
    chains: ['filter/BERTH', 'nat/BERTH'],
    conmons: ['77 /usr/bin/conmon -c abc -b /tmp/r/data'],
  };
  assert.deepEqual(diffLeaks(base, now), [
    'mount left: /tmp/r/exec/netns/x',
    'network interface left: br-123',
    'iptables chain left: nat/BERTH',
    'conmon process left: 77 /usr/bin/conmon -c abc -b /tmp/r/data',
  ]);
  assert.deepEqual(diffLeaks(base, base), []);
});
