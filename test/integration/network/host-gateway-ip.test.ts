// daemon.json `host-gateway-ip` (and dockerd's --host-gateway-ip flag): `--add-host name:host-gateway`
// maps to that address instead of the default bridge's gateway, on the default bridge and user networks.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { applyConfigFile, parseArgs } from '../../../src/daemon/flags.js';
import { daemonPerFile } from '../../harness/daemon.js';

const dir = mkdtempSync(join(tmpdir(), 'berth-hgip-'));
const config = join(dir, 'daemon.json');
writeFileSync(config, JSON.stringify({ 'host-gateway-ip': '192.0.2.77' }));
const berthd = daemonPerFile({ args: ['--config-file', config] });
after(() => rmSync(dir, { recursive: true, force: true }));

test('--host-gateway-ip takes an IP address, as dockerd', () => {
  assert.equal(parseArgs(['--host-gateway-ip', '192.0.2.1']).options.hostGatewayIp, '192.0.2.1');
  assert.equal(parseArgs(['--host-gateway-ip=2001:db8::1']).options.hostGatewayIp, '2001:db8::1');
  assert.throws(() => parseArgs(['--host-gateway-ip', 'gw']), {
    message: 'invalid argument "gw" for "--host-gateway-ip" flag: invalid string being converted to IP address: gw',
  });
  const p = parseArgs(['--config-file', config]);
  applyConfigFile(p, true);
  assert.equal(p.options.hostGatewayIp, '192.0.2.77');
  const bad = join(dir, 'bad.json');
  writeFileSync(bad, JSON.stringify({ 'host-gateway-ip': 'gw' }));
  const q = parseArgs(['--config-file', bad]);
  assert.throws(() => applyConfigFile(q, true), /cannot unmarshal string into Go struct field Config.host-gateway-ip/);
});

test('host-gateway maps to the daemon.json host-gateway-ip', { skip: berthd.skip ?? false }, async () => {
  const d = berthd.d;
  const line = async (net: string) => {
    const r = await d.docker(
      ['run', '--rm', '--network', net, '--add-host', 'hg.example:host-gateway', 'busybox'].concat([
        'grep',
        'hg.example',
        '/etc/hosts',
      ]),
    );
    assert.equal(r.code, 0, r.stderr);
    return r.stdout;
  };
  assert.equal(await line('bridge'), '192.0.2.77\thg.example\n');
  assert.equal((await d.docker(['network', 'create', 'hgipnet'])).code, 0);
  assert.equal(await line('hgipnet'), '192.0.2.77\thg.example\n');
  assert.equal((await d.docker(['network', 'rm', 'hgipnet'])).code, 0);
});
