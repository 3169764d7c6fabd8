import { it } from 'node:test';
import assert from 'node:assert/strict';
import { applyChanges, splitWords } from './changes.js';
import { emptyContainerConfig } from './types.js';

it('splitWords handles quotes and escapes', () => {
  assert.deepEqual(splitWords(`a "b c" 'd e' f\\ g h="i j"`), ['a', 'b c', 'd e', 'f g', 'h=i j']);
});

it('applies CMD/ENTRYPOINT in JSON and shell form', () => {
  const c = applyChanges(emptyContainerConfig(), ['CMD ["sh", "-c", "echo hi"]', 'ENTRYPOINT /bin/run --x']);
  assert.deepEqual(c.Cmd, ['sh', '-c', 'echo hi']);
  assert.deepEqual(c.Entrypoint, ['/bin/sh', '-c', '/bin/run --x']);
  assert.deepEqual(applyChanges(c, ['cmd echo']).Cmd, ['/bin/sh', '-c', 'echo']);
});

it('applies ENV, LABEL (both forms), EXPOSE, USER, VOLUME, WORKDIR, STOPSIGNAL, ONBUILD, HEALTHCHECK', () => {
  const c = applyChanges(emptyContainerConfig(), [
    'ENV A=1 B="two words"',
    'ENV C legacy value',
    'ENV A=3',
    'LABEL version=1.0 "com.x"=y',
    'EXPOSE 80 53/udp 8000-8001',
    'USER nobody',
    'VOLUME ["/data"]',
    'VOLUME /a /b',
    'WORKDIR /app',
    'WORKDIR sub',
    'STOPSIGNAL SIGINT',
    'ONBUILD RUN echo hi',
    'HEALTHCHECK --interval=5s --retries=2 CMD true',
  ]);
  assert.deepEqual(c.Env, ['A=3', 'B=two words', 'C=legacy value']);
  assert.deepEqual(c.Labels, { version: '1.0', 'com.x': 'y' });
  assert.deepEqual(Object.keys(c.ExposedPorts ?? {}), ['80/tcp', '53/udp', '8000/tcp', '8001/tcp']);
  assert.equal(c.User, 'nobody');
  assert.deepEqual(Object.keys(c.Volumes ?? {}), ['/data', '/a', '/b']);
  assert.equal(c.WorkingDir, '/app/sub');
  assert.equal(c.StopSignal, 'SIGINT');
  assert.deepEqual(c.OnBuild, ['RUN echo hi']);
  assert.deepEqual(c.Healthcheck, { Interval: 5e9, Retries: 2, Test: ['CMD-SHELL', 'true'] });
});

it("rejects unknown instructions with Docker's text and leaves the input untouched", () => {
  const base = emptyContainerConfig();
  assert.throws(() => applyChanges(base, ['RUN echo']), { message: 'run is not a valid change command' });
  assert.throws(() => applyChanges(base, ['ENV A=1 B']), /can't find = in "B"/);
  assert.equal(base.Env, null);
});
