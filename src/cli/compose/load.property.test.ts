// Property tests: any compose file (random YAML trees over compose's keys with values of every
// type, and raw YAML noise), any .env text and any interpolation string load to a project, and
// convert to create requests, or fail with the loader's own errors, never a TypeError.
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import { stringify } from 'yaml';
import { forAll, near, onlyThrows, params, stringsOr } from '../../util/prop-check.js';
import { testDir } from '../../util/test-dirs.js';
import { OptError } from '../opts/run-opts.js';
import { containerPlan } from './convert.js';
import { parseDotEnv } from './dotenv.js';
import { interpolate, InterpolationError } from './interpolate.js';
import { ComposeError, loadProject, SERVICE_KEYS, SERVICE_TYPES, type YamlType } from './load.js';
import { shlexSplit } from './shlex.js';

/** The loader's documented failures: ComposeError, InterpolationError, the CLI's OptError and
 *  the unit parsers' plain Error with a `where:` prefix. TypeError and friends fail the property. */
const ALLOWED = [ComposeError, InterpolationError, OptError, Error];

const scalar = fc.oneof(
  stringsOr(
    [
      '8080:80',
      '127.0.0.1:80:80/udp',
      './data:/data:ro',
      '/abs',
      'vol:/x',
      '1m30s',
      '64m',
      'always',
      'on-failure:3',
      '${X:-d}',
      '$$',
      'a=b',
      'x',
    ],
    12,
  ),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
);
// Keys the nested mappings of a service have (ports, depends_on, ulimits, healthcheck): both the
// untyped values and the typed mappings below draw from them first.
const NESTED_KEYS = ['target', 'source', 'type', 'published', 'condition', 'soft', 'hard', 'test', 'interval'];
const value: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  v: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    scalar,
    fc.array(tie('v'), { maxLength: 3 }),
    fc.dictionary(
      fc.constantFrom(
        ...NESTED_KEYS,
        'file',
        'service',
        'external',
        'name',
        'aliases',
        'limits',
        'resources',
        'options',
        'driver',
        'x',
      ),
      tie('v'),
      { maxKeys: 3 },
    ),
  ),
})).v;
const SVC_KEYS = [...SERVICE_KEYS];
const service = fc
  .dictionary(fc.constantFrom(...SVC_KEYS, '__proto__', 'constructor'), value, { maxKeys: 5 })
  .map((s) => ({ image: 'busybox', ...s }));
// Type-correct services (values of a type the schema allows, contents still random) reach convert.
const item = fc.oneof(
  fc.constantFrom(
    '8080:80',
    '127.0.0.1:80:80/udp',
    '80',
    '1-3:1-3',
    './data:/data:ro',
    '/abs:/abs',
    'data:/d',
    'web',
    'db',
    'a=b',
    'x',
    '',
    'NET_ADMIN',
    'a:b:c:d',
    '${X}',
  ),
  scalar,
);
const sub = fc.constantFrom(
  ...NESTED_KEYS,
  'timeout',
  'retries',
  'disable',
  'aliases',
  'ipv4_address',
  'limits',
  'resources',
  'options',
  'driver',
  'context',
  'args',
  'memory',
  'cpus',
  'service',
);
const ofType = (t: YamlType): fc.Arbitrary<unknown> =>
  t === 'list'
    ? fc.array(item, { maxLength: 3 })
    : t === 'mapping'
      ? fc.dictionary(sub, fc.oneof(item, value), { maxKeys: 3 })
      : t === 'string'
        ? item.map(String)
        : fc.constant(null);
const typedService = fc
  .uniqueArray(fc.constantFrom(...SVC_KEYS), { maxLength: 6 })
  .chain((keys) =>
    fc.tuple(
      ...keys.map((k) =>
        (SERVICE_TYPES[k] ? fc.constantFrom(...SERVICE_TYPES[k]).chain(ofType) : item).map((v) => [k, v] as const),
      ),
    ),
  )
  .map((kv) => ({ image: 'busybox', ...Object.fromEntries(kv) }));
const doc = fc.record(
  {
    services: fc.dictionary(
      fc.constantFrom('web', 'db', 'x', '__proto__', 'toString'),
      fc.oneof({ weight: 1, arbitrary: service }, { weight: 6, arbitrary: typedService }),
      { minKeys: 1, maxKeys: 3 },
    ),
    networks: fc.dictionary(
      fc.constantFrom('default', 'front', 'web'),
      fc.oneof(fc.constant(null), ofType('mapping'), value),
      { maxKeys: 2 },
    ),
    volumes: fc.dictionary(
      fc.constantFrom('data', 'vol', 'web'),
      fc.oneof(fc.constant(null), ofType('mapping'), value),
      { maxKeys: 2 },
    ),
    name: fc.constantFrom('proj', 'P r o j', ''),
  },
  { requiredKeys: ['services'] },
);

let n = 0;
async function projectDir(): Promise<string> {
  return join(await testDir('berth-prop-compose-'), String(n++));
}

function loadAndPlan(dir: string, text: string, dotenv?: string): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'compose.yaml'), text);
  if (dotenv !== undefined) writeFileSync(join(dir, '.env'), dotenv);
  const p = onlyThrows(() => loadProject({ cwd: dir, env: { X: 'x', EMPTY: '' } }), ...ALLOWED);
  if (!p) return;
  for (const s of p.services) onlyThrows(() => containerPlan(p, s, 1), ...ALLOWED);
}

test("random compose trees load and convert, or fail with the loader's errors", async () => {
  const base = await projectDir();
  let i = 0;
  forAll(doc, (d) => loadAndPlan(join(base, String(i++)), stringify(d)), 400);
});

test("raw YAML noise (anchors, merges, tags, odd scalars) loads or fails with the loader's errors", async () => {
  const base = await projectDir();
  let i = 0;
  const tokens = [
    'services:',
    '\n  web:',
    '\n    image: x',
    '\n    ports:',
    '\n      - ',
    '&a ',
    '*a',
    '<<: *a',
    '!!binary ',
    '!!set ',
    '? ',
    '{',
    '}',
    '[',
    ']',
    ': ',
    '- ',
    '"',
    "'",
    '${X',
    '}',
    '~',
    '.inf',
    '0x1F',
    '\t',
    'x',
    '\n',
  ];
  fc.assert(
    fc.property(
      fc.array(fc.constantFrom(...tokens), { maxLength: 30 }),
      near('ab:-[]{}&*!\n '),
      fc.string({ maxLength: 40 }),
      (toks, noise, env) => {
        loadAndPlan(join(base, String(i++)), toks.join('') + noise, env);
      },
    ),
    params(400),
  );
});

test('interpolation, .env and shlex: any text gives strings or their own error', () => {
  const text = fc.oneof(
    near('${}:-+?X_a$ "\'\\#=\n', 40),
    fc
      .array(fc.constantFrom('$', '${', '}', 'X', 'EMPTY', 'constructor', ':-', '-', ':?', '+', 'd', '$$'), {
        maxLength: 20,
      })
      .map((a) => a.join('')),
  );
  forAll(
    text,
    (s) => {
      const env = { X: 'x', EMPTY: '' };
      const v = onlyThrows(() => interpolate(s, env), InterpolationError);
      if (v !== undefined) assert.equal(typeof v, 'string');
      for (const [k, x] of Object.entries(parseDotEnv(s, env))) assert.equal(typeof x, 'string', k);
      const w = onlyThrows(() => shlexSplit(s), Error);
      if (w) for (const x of w) assert.equal(typeof x, 'string');
    },
    1000,
  );
});

test('regression: $constructor, ${toString} and .env lookups see own variables only', () => {
  assert.equal(interpolate('[$constructor][${toString:-d}][${hasOwnProperty-e}]', {}), '[][d][e]');
  assert.deepEqual(parseDotEnv('constructor\ntoString\nA=1', {}), { A: '1' });
});

test('regression: deeply nested defaults are an interpolation error, not a stack overflow', () => {
  const nest = (k: number) => '${U:-'.repeat(k) + 'x' + '}'.repeat(k);
  assert.equal(interpolate(nest(50), {}), 'x');
  assert.throws(() => interpolate(nest(20_000), {}), InterpolationError);
});

test('regression: wrong value types are validation errors (env_file: 0 was a TypeError)', async () => {
  const dir = await projectDir();
  const cases: [string, string][] = [
    ['env_file: 0', 'services.web.env_file must be a string or list'],
    ['ports: "8080:80"', 'services.web.ports must be a list'],
    ['volumes: {a: b}', 'services.web.volumes must be a list'],
    ['healthcheck: {test: 5}', 'services.web.healthcheck.test must be a string or list'],
    ['ulimits: {nofile: [1]}', 'services.web.ulimits.nofile must be a number, string or mapping'],
    ['networks: {front: [1]}', 'services.web.networks.front must be a mapping'],
  ];
  cases.forEach(([yaml, msg], i) => {
    const d = join(dir, String(i));
    mkdirSync(d, { recursive: true });
    writeFileSync(join(d, 'compose.yaml'), `services:\n  web:\n    image: x\n    ${yaml}\n`);
    assert.throws(() => loadProject({ cwd: d, env: {} }), {
      name: 'ComposeError',
      message: `validating ${join(d, 'compose.yaml')}: ${msg}`,
    });
  });
});

test('regression: an env_file item that is a number is a missing file, not a TypeError', async () => {
  const d = join(await projectDir(), 'n');
  mkdirSync(d, { recursive: true });
  writeFileSync(join(d, 'compose.yaml'), 'services:\n  web:\n    image: x\n    env_file: [0]\n');
  assert.throws(() => loadProject({ cwd: d, env: {} }), {
    name: 'ComposeError',
    message: `${join(d, 'compose.yaml')}: services.web.env_file: Couldn't find env file: ${join(d, '0')}`,
  });
});

test('regression: a volume or network named like an Object.prototype member is undefined, not inherited', async () => {
  const d = join(await projectDir(), 'p');
  mkdirSync(d, { recursive: true });
  writeFileSync(join(d, 'compose.yaml'), 'services:\n  web:\n    image: x\n    volumes: ["constructor:/x"]\n');
  assert.throws(() => loadProject({ cwd: d, env: {} }), { message: /refers to undefined volume constructor/ });
  writeFileSync(join(d, 'compose.yaml'), 'services:\n  web:\n    image: x\n    networks: [toString]\n');
  assert.throws(() => loadProject({ cwd: d, env: {} }), { message: /refers to undefined network toString/ });
});
