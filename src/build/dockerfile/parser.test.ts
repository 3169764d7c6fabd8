import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseDockerfile } from './parser.js';
import { parseDuration, parseStages, splitWords } from './instructions.js';

test('directives, comments, continuations and flags', () => {
  const df = parseDockerfile(
    '# escape=`\n# syntax=docker/dockerfile:1\nFROM --platform=linux/amd64 busybox AS b\n# c\nRUN echo a `\n  # inner comment\n  b\nCOPY --from=b --chown=1:2 x /y\n',
  );
  assert.equal(df.escape, '`');
  assert.equal(df.directives.syntax, 'docker/dockerfile:1');
  assert.match(df.warnings[0], /syntax directive/);
  assert.equal(df.nodes.length, 3);
  assert.deepEqual(df.nodes[0].flags, ['--platform=linux/amd64']);
  assert.equal(df.nodes[1].original, 'RUN echo a   b');
  assert.equal(df.nodes[1].line, 5);
  assert.equal(df.nodes[1].endLine, 7);
  assert.deepEqual(df.nodes[2].flags, ['--from=b', '--chown=1:2']);
  assert.equal(df.nodes[2].rest, 'x /y');
});

test('a directive after an instruction is a comment', () => {
  const df = parseDockerfile('FROM a\n# escape=`\nRUN x \\\n y\n');
  assert.equal(df.escape, '\\');
  assert.equal(df.nodes[1].original, 'RUN x  y');
});

test('exec form and heredocs', () => {
  const df = parseDockerfile(
    'FROM a\nCMD ["a", "b"]\nRUN <<EOF\necho $HOME\nEOF\nCOPY <<-"X" /f\n\thello\n\tX\nENTRYPOINT [bad\n',
  );
  assert.deepEqual(df.nodes[1].json, ['a', 'b']);
  assert.deepEqual(df.nodes[2].heredocs, [{ name: 'EOF', content: 'echo $HOME\n', expand: true }]);
  assert.deepEqual(df.nodes[3].heredocs, [{ name: 'X', content: 'hello\n', expand: false }]);
  assert.equal(df.nodes[4].json, null);
  assert.equal(df.nodes[4].line, 9);
  assert.throws(() => parseDockerfile('FROM a\nRUN <<EOF\nnever ends\n'), /line 2: unterminated heredoc EOF/);
});

test('every instruction parses into a stage', () => {
  const p = parseStages(
    [
      'ARG BASE=busybox',
      'FROM $BASE AS one',
      'RUN --mount=type=cache,target=/c echo hi',
      'CMD echo hi',
      'ENTRYPOINT ["/e"]',
      'ENV A=1 B="two words"',
      'ENV LEGACY some value',
      'LABEL a=b',
      'ARG X Y=2',
      'MAINTAINER me',
      'WORKDIR /w',
      'USER nobody',
      'EXPOSE 80 53/udp',
      'VOLUME ["/v"]',
      'COPY --chmod=644 a b /d/',
      'ADD --chown=1 http://x/y /z',
      'HEALTHCHECK --interval=5s --retries=2 CMD curl -f http://x',
      'SHELL ["/bin/bash", "-c"]',
      'STOPSIGNAL SIGTERM',
      'ONBUILD RUN echo trigger',
      'FROM one',
      'HEALTHCHECK NONE',
    ].join('\n'),
  );
  assert.deepEqual(p.metaArgs, [{ name: 'BASE', value: 'busybox' }]);
  assert.equal(p.stages.length, 2);
  assert.equal(p.total, 22);
  const [s] = p.stages;
  assert.equal(s.name, 'one');
  assert.equal(s.base, '$BASE');
  const k = s.instructions.map((i) => i.kind);
  assert.deepEqual(k, [
    'run',
    'cmd',
    'entrypoint',
    'env',
    'env',
    'label',
    'arg',
    'maintainer',
    'workdir',
    'user',
    'expose',
    'volume',
    'copy',
    'add',
    'healthcheck',
    'shell',
    'stopsignal',
    'onbuild',
  ]);
  const run = s.instructions[0];
  assert.ok(run.kind === 'run' && run.mounts[0] === 'type=cache,target=/c');
  const env = s.instructions[3];
  assert.ok(env.kind === 'env');
  assert.deepEqual(env.pairs, [
    { key: 'A', value: '1' },
    { key: 'B', value: '"two words"' },
  ]);
  const legacy = s.instructions[4];
  assert.ok(legacy.kind === 'env' && legacy.pairs[0].key === 'LEGACY' && legacy.pairs[0].value === 'some value');
  const cp = s.instructions[12];
  assert.ok(cp.kind === 'copy' && cp.chmod === '644' && cp.dest === '/d/' && cp.srcs.length === 2);
  const hc = s.instructions[14];
  assert.ok(hc.kind === 'healthcheck' && hc.interval === 5e9 && hc.retries === 2);
  assert.deepEqual(hc.test, ['CMD-SHELL', 'curl -f http://x']);
  const last = p.stages[1].instructions[0];
  assert.ok(last.kind === 'healthcheck' && last.none);
});

test('errors carry Docker texts and line numbers', () => {
  assert.throws(
    () => parseStages('FROM busybox\nFOO bar\n'),
    (e: Error & { line?: number }) =>
      e.message === 'dockerfile parse error line 2: unknown instruction: FOO' && e.line === 2,
  );
  assert.throws(() => parseStages('FROM a b\n'), /line 1: FROM requires either one or three arguments/);
  assert.throws(() => parseStages('RUN x\n'), /no build stage in current context/);
  assert.throws(
    () => parseStages('FROM a\nCOPY x\n'),
    /line 2: COPY requires at least two arguments, but only one was provided/,
  );
  assert.throws(() => parseStages('FROM a\nCOPY --bogus x y\n'), /line 2: Unknown flag: bogus/);
  assert.throws(() => parseStages('FROM a\nENV X\n'), /ENV must have two arguments/);
  assert.throws(() => parseStages('FROM a\n\n\nLABEL\n'), /line 4: LABEL requires at least one argument/);
  assert.throws(() => parseStages('FROM a AS x\nFROM b AS x\n'), /duplicate name x/);
  assert.throws(() => parseStages('FROM a\nSHELL /bin/sh\n'), /SHELL requires the arguments to be in JSON form/);
  assert.throws(() => parseStages('FROM a\nONBUILD ONBUILD RUN x\n'), /Chaining ONBUILD/);
  assert.throws(() => parseStages('# only a comment\n'), /cannot be empty/);
});

test('splitWords keeps quotes; durations', () => {
  assert.deepEqual(splitWords(`a="b c" d\\ e 'f g'`, '\\'), ['a="b c"', 'd\\ e', "'f g'"]);
  assert.equal(parseDuration('1m30s'), 90e9);
  assert.equal(parseDuration('500ms'), 5e8);
  assert.throws(() => parseDuration('5x'));
});
