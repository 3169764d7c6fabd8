// `compose up` and `compose down`.
import { get } from '../flags/parser.js';
import { type ComposeCommand, type ComposeContext, timeoutFlag, timeoutOf } from './context.js';
import { ComposeError } from './load.js';
import { logName, streamLogs } from './logs.js';
import * as ops from './ops.js';
import type { Project } from './types.js';
import { flagTable } from '../flags/table.js';

function scaleMap(list: string[]): Record<string, number> {
  const m: Record<string, number> = {};
  for (const s of list) {
    const i = s.indexOf('=');
    const n = Number(s.slice(i + 1));
    if (i < 0 || !Number.isInteger(n) || n < 0) throw new ComposeError(`invalid scale specifier: ${s}`);
    m[s.slice(0, i)] = n;
  }
  return m;
}

/** Foreground `up`: print every container's logs until they all exit; Ctrl-C stops the project. */
async function attachForeground(
  x: ComposeContext,
  proj: Project,
  ids: string[],
  timeout: { t?: number },
): Promise<number> {
  const cs = (await ops.projectContainers(x.c, proj.name)).filter((c) => ids.includes(c.Id));
  const ac = new AbortController();
  let stopping = false;
  const onInt = () => {
    if (stopping) process.exit(130);
    stopping = true;
    x.cli.io.stderr.write('Gracefully stopping... (press Ctrl+C again to force)\n');
    void Promise.all(cs.map((c) => x.c.containerStop(c.Id, timeout).catch(() => {}))).then(() => ac.abort());
  };
  process.on('SIGINT', onInt);
  const color = (x.cli.io.stdout as { isTTY?: boolean }).isTTY === true;
  const logs = streamLogs(x.c, cs, x.cli.io.stdout, { follow: true, color, tail: 'all', signal: ac.signal });
  let code = 0;
  await Promise.all(
    cs.map(async (c) => {
      const r = await x.c.containerWait(c.Id, 'not-running').catch(() => ({ StatusCode: 0 }));
      x.cli.io.stdout.write(`${logName(c)} exited with code ${r.StatusCode}\n`);
      code ||= r.StatusCode;
    }),
  );
  await Promise.race([logs.catch(() => {}), new Promise((r) => setTimeout(r, 500))]);
  ac.abort();
  process.off('SIGINT', onInt);
  return stopping ? 130 : code;
}

async function waitRunning(x: ComposeContext, ids: string[], timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (const id of ids) {
    for (;;) {
      const i = await x.c.containerInspect(id);
      const h = (i.State as { Health?: { Status?: string } }).Health?.Status;
      if (!i.State.Running)
        throw new ComposeError(`container ${i.Name.replace(/^\//, '')} exited (${i.State.ExitCode})`);
      if (h === 'unhealthy') throw new ComposeError(`container ${i.Name.replace(/^\//, '')} is unhealthy`);
      if (h === undefined || h === 'healthy') break;
      if (Date.now() > deadline) throw new ComposeError(`timeout waiting for ${i.Name.replace(/^\//, '')}`);
      await new Promise((r) => setTimeout(r, 300));
    }
  }
}

export const up: ComposeCommand = {
  usage: 'up [OPTIONS] [SERVICE...]',
  desc: 'Create and start containers',
  flags: [
    ...flagTable(`
      detach,d        bool    Detached mode: Run containers in the background
      build           bool    Build images before starting containers
      no-build        bool    Don't build an image, even if it's missing
      scale           list    Scale SERVICE to NUM instances
      force-recreate  bool
      no-recreate     bool
      no-deps         bool
      no-start        bool
      remove-orphans  bool
      wait            bool    Wait for services to be running|healthy. Implies detached mode.
      pull            string  Pull image before running ("always"|"missing"|"never")
      quiet-pull      bool
    `),
    timeoutFlag,
  ],
  async run(x, p) {
    const proj = x.load(p.args);
    const ids = await ops.up(x.c, proj, x.out, {
      services: p.args,
      scale: scaleMap(get.list(p, 'scale')),
      build: get.bool(p, 'build'),
      noBuild: get.bool(p, 'no-build'),
      forceRecreate: get.bool(p, 'force-recreate'),
      noRecreate: get.bool(p, 'no-recreate'),
      noDeps: get.bool(p, 'no-deps'),
      noStart: get.bool(p, 'no-start'),
      removeOrphans: get.bool(p, 'remove-orphans'),
      pull: get.str(p, 'pull') || undefined,
    });
    if (get.bool(p, 'wait')) await waitRunning(x, ids);
    if (get.bool(p, 'detach') || get.bool(p, 'wait') || get.bool(p, 'no-start')) return 0;
    return attachForeground(x, proj, ids, timeoutOf(p));
  },
};

export const down: ComposeCommand = {
  usage: 'down [OPTIONS]',
  desc: 'Stop and remove containers, networks',
  flags: [
    ...flagTable(`
      volumes,v       bool    Remove named volumes declared in the "volumes" section and anonymous volumes
      rmi             string  Remove images used by services. "local" remove only images that don't have a custom tag ("local"|"all")
      remove-orphans  bool
    `),
    timeoutFlag,
  ],
  async run(x, p) {
    const rmi = get.str(p, 'rmi');
    if (rmi && rmi !== 'local' && rmi !== 'all') throw new ComposeError(`invalid value for --rmi: ${rmi}`);
    const timeout = get.int(p, 'timeout');
    await ops.down(x.c, x.load(), x.out, {
      volumes: get.bool(p, 'volumes'),
      rmi: rmi as 'local' | 'all' | '',
      removeOrphans: get.bool(p, 'remove-orphans'),
      timeout: timeout >= 0 ? timeout : undefined,
    });
    return 0;
  },
};
