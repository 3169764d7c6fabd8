// `docker logs --details`: the json-file attributes from --log-opt labels=/env=/env-regex= before each
// line, as moby's logstream writes them (sorted, query-escaped, then a space; a lone space without
// attributes), after the timestamp when both are asked for.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { daemonPerFile } from '../../harness/daemon.js';

const berthd = daemonPerFile();

test('logs --details shows the labels and env attributes of json-file', { skip: berthd.skip ?? false }, async () => {
  const d = berthd.d;
  const ok = async (args: string[]) => {
    const r = await d.docker(args);
    assert.equal(r.code, 0, `docker ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  };
  await ok([
    'run',
    '--name',
    'ld1',
    '--log-driver',
    'json-file',
    '--log-opt',
    'labels=app,tier',
    '--log-opt',
    'env=FOO',
    '--log-opt',
    'env-regex=^ZZ',
    '--label',
    'app=web',
    '--label',
    'tier=front end',
    '-e',
    'FOO=bar',
    '-e',
    'ZZTOP=1',
    'busybox',
    'sh',
    '-c',
    'echo one; echo two',
  ]);
  assert.equal(
    await ok(['logs', '--details', 'ld1']),
    'FOO=bar,ZZTOP=1,app=web,tier=front+end one\nFOO=bar,ZZTOP=1,app=web,tier=front+end two\n',
  );
  assert.equal(await ok(['logs', 'ld1']), 'one\ntwo\n');
  const ts = await ok(['logs', '--details', '--timestamps', 'ld1']);
  assert.match(ts, /^\d{4}-\d\d-\d\dT[\d:.]+Z FOO=bar,ZZTOP=1,app=web,tier=front\+end one\n/);
  await ok(['run', '--name', 'ld2', '--log-driver', 'json-file', 'busybox', 'echo', 'plain']);
  assert.equal(await ok(['logs', '--details', 'ld2']), ' plain\n');
  await ok(['rm', 'ld1', 'ld2']);
});
