// Property tests for `run`/`create` option parsing: any -p, --mount, --restart, --ulimit, -e/-l
// (and their files), --log-opt, -m/--cpus value builds a create request or fails with OptError (or
// the size parser's Error), never a TypeError; generated port specs round-trip into bindings.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import { near, onlyThrows, params } from '../../util/prop-check.js';
import { testDir } from '../../util/test-dirs.js';
import { FlagError, parseFlags } from '../flags/parser.js';
import { ramInBytes } from '../format/units.js';
import {
  buildCreate,
  createFlags,
  OptError,
  parseEnv,
  parseLabels,
  parseMount,
  parsePublish,
  parseRestart,
  parseUlimit,
  runOnlyFlags,
} from './run-opts.js';

const ALLOWED = [OptError, FlagError, Error];

test('any single option value is parsed or refused with OptError', () => {
  fc.assert(
    fc.property(near('0123456789:/-.[]tcpudpsctp,=abc ', 30), (s) => {
      onlyThrows(() => parsePublish([s]), OptError);
      onlyThrows(() => parseMount(s), OptError, Error);
      onlyThrows(() => parseRestart(s), OptError);
      const u = onlyThrows(() => parseUlimit(s), OptError);
      if (u) assert.ok(Number.isInteger(u.Soft) && Number.isInteger(u.Hard));
      const r = onlyThrows(() => ramInBytes(s), Error);
      if (r !== undefined) assert.ok(r >= 0);
      for (const v of onlyThrows(() => parseEnv([s], [], { HOME: '/root' }), OptError) ?? [])
        assert.equal(typeof v, 'string');
      for (const v of Object.values(parseLabels([s], []))) assert.equal(typeof v, 'string');
    }),
    params(1000),
  );
});

test('whole command lines of random flags build a create request or fail with the CLI errors', async () => {
  const dir = await testDir('berth-prop-runopts-');
  let n = 0;
  const FLAGS = [
    '-p',
    '--mount',
    '--restart',
    '--ulimit',
    '-e',
    '-l',
    '--log-opt',
    '--log-driver',
    '-m',
    '--memory-swap',
    '--cpus',
    '--tmpfs',
    '--sysctl',
    '-v',
    '--expose',
    '--health-cmd',
    '--health-interval',
    '--shm-size',
    '--env-file',
    '--label-file',
    '--pids-limit',
    '--stop-timeout',
  ];
  const val = fc.oneof(
    fc.constantFrom(
      '8080:80',
      '1-3:1-3/udp',
      'nofile=1:2',
      'always',
      'on-failure:3',
      'A=1',
      'max-size=1m',
      '64m',
      '-1',
      '0.5',
      '/run:size=1m',
      'net.core.x=1',
      'x',
      '',
      '1s',
      '.5s',
      '=',
      '::',
      '80/tcp',
      'type=tmpfs,dst=/t,tmpfs-size=1m',
    ),
    near('0123456789:=-/.,amsk', 12),
  );
  const argv = fc.array(fc.tuple(fc.constantFrom(...FLAGS), val), { maxLength: 8 });
  await fc.assert(
    fc.asyncProperty(argv, fc.string({ maxLength: 60 }), async (pairs, fileText) => {
      const f = join(dir, `env-${n++}`);
      writeFileSync(f, fileText);
      const args = pairs.flatMap(([k, v]) => [k, k === '--env-file' || k === '--label-file' ? f : v]);
      onlyThrows(
        () => {
          const p = parseFlags([...createFlags, ...runOnlyFlags], [...args, 'busybox', 'true'], {
            interspersed: false,
          });
          const { body } = buildCreate(p, p.args, true, { HOME: '/root' });
          JSON.stringify(body); // what the client sends
        },
        ...ALLOWED,
      );
    }),
    params(500),
  );
});

test('generated -p specs round-trip into exposed ports and bindings', () => {
  const port = fc.integer({ min: 1, max: 65535 });
  const spec = fc.record(
    {
      ip: fc.constantFrom('', '127.0.0.1', '0.0.0.0', '[::1]'),
      host: fc.option(port, { nil: undefined }),
      ctr: port,
      proto: fc.constantFrom('', 'tcp', 'udp', 'sctp'),
    },
    { requiredKeys: ['ip', 'ctr', 'proto'] },
  );
  fc.assert(
    fc.property(spec, ({ ip, host, ctr, proto }) => {
      fc.pre(ip === '' || host !== undefined || !ip.startsWith('['));
      const s =
        (ip ? `${ip}:` : '') + (host !== undefined ? `${host}:` : ip ? ':' : '') + ctr + (proto ? `/${proto}` : '');
      const { exposed, bindings } = parsePublish([s]);
      const key = `${ctr}/${proto || 'tcp'}`;
      assert.deepEqual(Object.keys(exposed), [key]);
      assert.deepEqual(bindings[key], [
        { HostIp: ip.replace(/^\[|\]$/g, ''), HostPort: host === undefined ? '' : String(host) },
      ]);
    }),
    params(),
  );
});

test("regression: --ulimit junk was NaN in the request; now Docker's ParseUlimit texts", () => {
  assert.deepEqual(parseUlimit('nofile=1024:2048'), { Name: 'nofile', Soft: 1024, Hard: 2048 });
  assert.deepEqual(parseUlimit('nproc=-1'), { Name: 'nproc', Soft: -1, Hard: -1 });
  const bad = (u: string, m: string) =>
    assert.throws(() => parseUlimit(u), {
      name: 'OptError',
      message: `invalid argument "${u}" for "--ulimit" flag: ${m}`,
    });
  bad('nofile', 'invalid ulimit argument: nofile');
  bad('bogus=1', 'invalid ulimit type: bogus');
  bad('nofile=x', 'strconv.ParseInt: parsing "x": invalid syntax');
  bad('nofile=1:2:3', 'too many limit value arguments - 1:2:3, can only have up to two, `soft[:hard]`');
  bad('nofile=10:5', 'ulimit soft limit must be less than or equal to hard limit: 10 > 5');
});

test("--ulimit takes every go-units name, RLIMIT_AS's 'as' included (the CLI refused it)", () => {
  assert.deepEqual(parseUlimit('as=1048576'), { Name: 'as', Soft: 1048576, Hard: 1048576 });
});
