import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ExecRecord } from '../../engine/exec.js';
import { execInspectJson } from './container-exec.js';

test("exec inspect: moby's keys and values from the exec record", () => {
  const e: ExecRecord = {
    id: 'e1',
    containerId: 'c1',
    config: { Cmd: ['sh', '-c', 'echo hi'], Tty: true, AttachStdout: true, User: 'nobody', DetachKeys: 'ctrl-x' },
    running: false,
    exitCode: 3,
    pid: 42,
    proc: null,
    started: true,
  };
  assert.deepEqual(execInspectJson(e), {
    ID: 'e1',
    Running: false,
    ExitCode: 3,
    ProcessConfig: { tty: true, entrypoint: 'sh', arguments: ['-c', 'echo hi'], privileged: false, user: 'nobody' },
    OpenStdin: false,
    OpenStderr: false,
    OpenStdout: true,
    CanRemove: false,
    ContainerID: 'c1',
    DetachKeys: 'ctrl-x',
    Pid: 42,
  });
});
