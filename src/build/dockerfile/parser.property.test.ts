// Property tests: any Dockerfile text parses or is refused with an `invalid` DockerfileError (never
// a TypeError: the build request would 500); any word expands or is an `invalid` EngineError; and
// a generated valid Dockerfile parses to the instructions it was made from.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { forAll, invalidOnly, grammarish, near, params } from '../../util/prop-check.js';
import { expandWord, expandWords } from './expand.js';
import { chmodMode, exposedPorts, parseDuration, parseStages, splitWords } from './instructions.js';
import { parseDockerfile } from './parser.js';

const KEYWORDS = [
  'FROM',
  'RUN',
  'CMD',
  'ENTRYPOINT',
  'ENV',
  'LABEL',
  'ARG',
  'COPY',
  'ADD',
  'WORKDIR',
  'USER',
  'EXPOSE',
  'VOLUME',
  'HEALTHCHECK',
  'SHELL',
  'ONBUILD',
  'STOPSIGNAL',
  'MAINTAINER',
  'from',
  'AS',
  'CMD',
  'NONE',
  '# escape=`',
  '# escape=\\',
  '# syntax=x',
];
const TOKENS = [
  ...KEYWORDS,
  ' ',
  ' ',
  '\t',
  '\n',
  '\n',
  '\r\n',
  '\\',
  '`',
  '\\\n',
  '`\n',
  '"',
  "'",
  '[',
  ']',
  '["a","b"]',
  ',',
  '=',
  '--',
  '--from=',
  '--mount=type=cache,target=/x',
  '--interval=',
  '1s',
  '.5ms',
  '-1h',
  '<<EOF',
  '<<-"X"',
  'EOF',
  'X',
  '\tX',
  '$',
  '${',
  '}',
  ':-',
  ':+',
  ':?',
  '#',
  'a',
  'b',
  '/x',
  '\uFEFF',
  'é',
];
const dockerfileish = grammarish(TOKENS, 40, 'FROMRUN \n\\`"\'[]=-$<{}#', 80);

test('any Dockerfile text parses or is an invalid DockerfileError', () => {
  forAll(
    dockerfileish,
    (text) => {
      invalidOnly(() => parseDockerfile(text));
      const p = invalidOnly(() => parseStages(text));
      if (p) assert.ok(p.stages.length > 0 && p.total >= p.stages.length);
    },
    1000,
  );
});

const ENV_KEYS = ['A', 'B', 'constructor', '__proto__', 'toString', 'HOME'];
test('any word expands to strings or is an invalid EngineError, with Map or object environments', () => {
  const word = fc.oneof(
    near('$AB{}:-+?\\`"\' \t', 30),
    fc
      .array(
        fc.constantFrom(
          '$',
          '${',
          '}',
          'A',
          'constructor',
          'toString',
          ':-',
          ':+',
          ':?',
          '-',
          '"',
          "'",
          '\\',
          '`',
          ' ',
          'x',
        ),
        { maxLength: 20 },
      )
      .map((a) => a.join('')),
  );
  const env = fc.dictionary(fc.constantFrom(...ENV_KEYS), fc.string({ maxLength: 5 }), { noNullPrototype: true });
  fc.assert(
    fc.property(word, env, fc.constantFrom('\\', '`'), (w, e, esc) => {
      for (const env of [e, new Map(Object.entries(e))]) {
        const one = invalidOnly(() => expandWord(w, env, esc));
        if (one !== undefined) assert.equal(typeof one, 'string');
        const many = invalidOnly(() => expandWords(w, env, esc));
        if (many !== undefined) for (const x of many) assert.equal(typeof x, 'string');
        for (const x of splitWords(w, esc)) assert.equal(typeof x, 'string');
      }
    }),
    params(1000),
  );
});

test('regression: $constructor and ${toString} are unset variables, not Object.prototype members', () => {
  assert.equal(expandWord('[$constructor][${toString:-d}][${__proto__}]', {}), '[][d][]');
  assert.equal(expandWord('$A', { A: 'x' }), 'x');
});

test('regression: deeply nested ${A:-${A:-…}} is a bad substitution, not a stack overflow', () => {
  const nest = (n: number) => '${A:-'.repeat(n) + 'x' + '}'.repeat(n);
  assert.equal(expandWord(nest(100), {}), 'x');
  assert.throws(() => expandWord(nest(20_000), {}), { message: 'bad substitution: nested too deeply' });
  assert.throws(() => expandWords(`"${nest(20_000)}"`, {}), { message: 'bad substitution: nested too deeply' });
});

// A generated Dockerfile: simple values that need no quoting, rendered in Docker's syntax.
const word = fc.stringMatching(/^[a-z][a-z0-9_./-]{0,10}$/);
const key = fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,8}$/);
const dur = fc.tuple(fc.integer({ min: 1, max: 999 }), fc.constantFrom('ms', 's', 'm', 'h'));
type Gen =
  | { kind: 'run' | 'workdir' | 'user'; value: string }
  | { kind: 'cmd'; json: string[] }
  | { kind: 'env' | 'label'; pairs: [string, string][] }
  | { kind: 'copy'; srcs: string[]; dest: string }
  | { kind: 'expose'; ports: number[] }
  | { kind: 'healthcheck'; interval: [number, string]; cmd: string };
const instr: fc.Arbitrary<Gen> = fc.oneof(
  fc.record({
    kind: fc.constant('run' as const),
    value: fc.array(word, { minLength: 1, maxLength: 4 }).map((w) => w.join(' ')),
  }),
  fc.record({ kind: fc.constantFrom('workdir' as const, 'user' as const), value: word }),
  fc.record({
    kind: fc.constant('cmd' as const),
    json: fc.array(fc.string({ maxLength: 6 }), { minLength: 1, maxLength: 3 }),
  }),
  fc.record({
    kind: fc.constantFrom('env' as const, 'label' as const),
    pairs: fc.uniqueArray(fc.tuple(key, word), { minLength: 1, maxLength: 3, selector: (p) => p[0] }),
  }),
  fc.record({
    kind: fc.constant('copy' as const),
    srcs: fc.array(word, { minLength: 1, maxLength: 3 }),
    dest: word.map((w) => `/${w}`),
  }),
  fc.record({
    kind: fc.constant('expose' as const),
    ports: fc.array(fc.integer({ min: 1, max: 65535 }), { minLength: 1, maxLength: 3 }),
  }),
  fc.record({ kind: fc.constant('healthcheck' as const), interval: dur, cmd: word }),
);

function render(g: Gen, cont: boolean): string {
  const br = cont ? ' \\\n  ' : ' ';
  switch (g.kind) {
    case 'run':
      return `RUN${br}${g.value}`;
    case 'workdir':
    case 'user':
      return `${g.kind.toUpperCase()} ${g.value}`;
    case 'cmd':
      return `CMD ${JSON.stringify(g.json)}`;
    case 'env':
    case 'label':
      return `${g.kind.toUpperCase()}${br}${g.pairs.map(([k, v]) => `${k}=${v}`).join(' ')}`;
    case 'copy':
      return `COPY ${g.srcs.join(' ')}${br}${g.dest}`;
    case 'expose':
      return `EXPOSE ${g.ports.join(' ')}`;
    case 'healthcheck':
      return `HEALTHCHECK --interval=${g.interval.join('')} CMD ${g.cmd}`;
  }
}

const UNIT_NS: Record<string, number> = { ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 };

test('a generated valid Dockerfile parses to the instructions it was made from', () => {
  const stage = fc.record({
    base: word,
    name: fc.option(fc.stringMatching(/^[a-z][a-z0-9]{0,6}$/), { nil: undefined }),
    body: fc.array(fc.tuple(instr, fc.boolean(), fc.boolean()), { maxLength: 6 }),
  });
  forAll(fc.array(stage, { minLength: 1, maxLength: 3 }), (stages) => {
    const named = new Set<string>();
    const lines: string[] = [];
    for (const s of stages) {
      const name = s.name && !named.has(s.name) ? s.name : undefined;
      if (name) named.add(name);
      s.name = name;
      lines.push(`FROM ${s.base}${name ? ` AS ${name}` : ''}`);
      for (const [g, cont, comment] of s.body) {
        if (comment) lines.push('# a comment', '');
        lines.push(render(g, cont));
      }
    }
    const p = parseStages(lines.join('\n') + '\n');
    assert.equal(p.stages.length, stages.length);
    stages.forEach((s, i) => {
      const got = p.stages[i];
      assert.equal(got.base, s.base);
      assert.equal(got.name, s.name);
      assert.equal(got.instructions.length, s.body.length);
      s.body.forEach(([g], j) => {
        const ins = got.instructions[j];
        assert.equal(ins.kind, g.kind);
        if (g.kind === 'run' && ins.kind === 'run') assert.equal(ins.shell, g.value);
        if ((g.kind === 'workdir' || g.kind === 'user') && (ins.kind === 'workdir' || ins.kind === 'user'))
          assert.equal(ins.value, g.value);
        if (g.kind === 'cmd' && ins.kind === 'cmd') assert.deepEqual(ins.json, g.json);
        if ((g.kind === 'env' || g.kind === 'label') && (ins.kind === 'env' || ins.kind === 'label'))
          assert.deepEqual(
            ins.pairs,
            g.pairs.map(([k, v]) => ({ key: k, value: v })),
          );
        if (g.kind === 'copy' && ins.kind === 'copy') assert.deepEqual([ins.srcs, ins.dest], [g.srcs, g.dest]);
        if (g.kind === 'expose' && ins.kind === 'expose')
          assert.deepEqual(splitWords(ins.words, '\\'), g.ports.map(String));
        if (g.kind === 'healthcheck' && ins.kind === 'healthcheck') {
          assert.equal(ins.interval, g.interval[0] * UNIT_NS[g.interval[1]]);
          assert.deepEqual(ins.test, ['CMD-SHELL', g.cmd]);
        }
      });
    });
  });
});

test('regression: a file of a lone line continuation is refused, not a TypeError', () => {
  for (const text of ['\\', '\\\n\\\n', '# escape=`\n`']) {
    assert.throws(() => parseStages(text), { message: 'the Dockerfile (Dockerfile) cannot be empty' });
  }
  assert.equal(parseStages('FROM a\n\\').stages[0].instructions.length, 0);
});

test('regression: HEALTHCHECK reads durations as Go does', () => {
  assert.equal(parseDuration('.5s'), 5e8);
  assert.equal(parseDuration('+1s'), 1e9);
  const hc = parseStages('FROM a\nHEALTHCHECK --interval=1.5s --timeout=.5m CMD true\n').stages[0].instructions[0];
  assert.ok(hc.kind === 'healthcheck');
  assert.deepEqual([hc.interval, hc.timeout], [1.5e9, 30e9]);
  assert.throws(() => parseStages('FROM a\nHEALTHCHECK --interval=1d CMD true\n'), {
    message: 'dockerfile parse error line 2: time: unknown unit "d" in duration "1d"',
  });
  assert.throws(() => parseStages('FROM a\nHEALTHCHECK --interval=-1s CMD true\n'), {
    message: 'dockerfile parse error line 2: Interval "interval" cannot be less than 1ms',
  });
});

test('regression: HEALTHCHECK --retries is strconv.ParseInt(v, 10, 32) with its texts, as BuildKit reads it', () => {
  const retries = (v: string) => {
    const i = parseStages(`FROM a\nHEALTHCHECK --retries=${v} CMD true\n`).stages[0].instructions[0];
    return i.kind === 'healthcheck' ? i.retries : undefined;
  };
  assert.equal(retries('3'), 3);
  assert.equal(retries('+3'), 3);
  assert.throws(() => retries('0x10'), {
    message: 'dockerfile parse error line 2: strconv.ParseInt: parsing "0x10": invalid syntax',
  });
  assert.throws(() => retries('1e3'), { message: /invalid syntax/ });
  assert.throws(() => retries('99999999999'), {
    message: 'dockerfile parse error line 2: strconv.ParseInt: parsing "99999999999": value out of range',
  });
  assert.throws(() => retries('-1'), { message: 'dockerfile parse error line 2: --retries cannot be negative (-1)' });
});

test('EXPOSE words give 16-bit port keys or an invalid EngineError', () => {
  forAll(
    fc.array(near('0123456789-/tcpudpsctp', 14), { maxLength: 4 }),
    (words) => {
      const ports = invalidOnly(() => exposedPorts(words));
      if (ports) for (const p of ports) assert.match(p, /^\d{1,5}\/(tcp|udp|sctp)$/);
    },
    1000,
  );
});

test('regression: EXPOSE 1-4294967295 is refused (it made four billion keys: out of memory)', () => {
  assert.throws(() => exposedPorts(['1-4294967295']), { message: 'Invalid containerPort: 1-4294967295' });
  assert.throws(() => exposedPorts(['9-1/udp']), { message: 'Invalid containerPort: 9-1/udp' });
  assert.deepEqual(exposedPorts(['80', '1-2/UDP']), ['1/udp', '2/udp', '80/tcp']);
});

test('COPY --chmod values are octal modes up to 7777 or an invalid EngineError', () => {
  forAll(
    near('01234567789x+-', 8),
    (s) => {
      const m = invalidOnly(() => chmodMode(s));
      if (m !== undefined)
        assert.ok(Number.isInteger(m) && m >= 0 && m <= 0o7777 && m.toString(8) === s.replace(/^0+(?=\d)/, ''));
    },
    1000,
  );
});

test('regression: --chmod=0789 and 7x were read as 7', () => {
  assert.throws(() => chmodMode('0789'), { message: 'invalid chmod parameter: 0789' });
  assert.throws(() => chmodMode('7x', '$M'), { message: 'invalid chmod parameter: $M' });
  assert.equal(chmodMode('0755'), 0o755);
  assert.equal(chmodMode('4755'), 0o4755);
});
