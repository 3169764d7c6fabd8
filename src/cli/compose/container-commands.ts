// `compose start|stop|restart|kill|rm`: the same action on each of the services' containers.
import type { ContainerSummary } from '../../client/types.js';
import type { Parsed } from '../flags/parser.js';
import { get } from '../flags/parser.js';
import { type ComposeCommand, type ComposeContext, forEachContainer, timeoutFlag, timeoutOf } from './context.js';
import * as ops from './ops.js';
import { flagTable } from '../flags/table.js';

/** A command that runs `fn` on each container between two progress events (stop: in reverse order). */
function lifecycle(
  name: string,
  desc: string,
  fn: (x: ComposeContext, c: ContainerSummary, p: Parsed) => Promise<void>,
  doing: string,
  done: string,
  reverse = false,
): ComposeCommand {
  return {
    usage: `${name} [OPTIONS] [SERVICE...]`,
    desc,
    flags: name === 'start' ? [] : [timeoutFlag],
    async run(x, p) {
      const list: ContainerSummary[] = [];
      await forEachContainer(x, p, async (c) => void list.push(c));
      if (reverse) list.reverse();
      for (const c of list) {
        x.out.event('Container', ops.nameOf(c), doing);
        await fn(x, c, p);
        x.out.event('Container', ops.nameOf(c), done);
      }
      return 0;
    },
  };
}

export const restart = lifecycle(
  'restart',
  'Restart service containers',
  (x, c, p) => x.c.containerRestart(c.Id, timeoutOf(p)),
  'Restarting',
  'Started',
);
export const stop = lifecycle(
  'stop',
  'Stop services',
  (x, c, p) => x.c.containerStop(c.Id, timeoutOf(p)),
  'Stopping',
  'Stopped',
  true,
);
export const start = lifecycle(
  'start',
  'Start services',
  async (x, c) => {
    if (c.State !== 'running') await x.c.containerStart(c.Id);
  },
  'Starting',
  'Started',
);

export const kill: ComposeCommand = {
  usage: 'kill [OPTIONS] [SERVICE...]',
  desc: 'Force stop service containers',
  flags: [{ name: 'signal', short: 's', type: 'string', default: 'SIGKILL' }],
  async run(x, p) {
    await forEachContainer(x, p, async (c) => {
      if (c.State !== 'running') return;
      await x.c.containerKill(c.Id, { signal: get.str(p, 'signal') });
      x.out.event('Container', ops.nameOf(c), 'Killed');
    });
    return 0;
  },
};

export const rm: ComposeCommand = {
  usage: 'rm [OPTIONS] [SERVICE...]',
  desc: 'Removes stopped service containers',
  flags: flagTable(`
    force,f    bool  Don't ask to confirm removal
    stop,s     bool  Stop the containers, if required, before removing
    volumes,v  bool  Remove any anonymous volumes attached to containers
  `),
  async run(x, p) {
    const victims: ContainerSummary[] = [];
    await forEachContainer(x, p, async (c) => {
      if (c.State === 'running' && !get.bool(p, 'stop')) return;
      victims.push(c);
    });
    if (!victims.length) {
      x.cli.io.stderr.write('No stopped containers\n');
      return 0;
    }
    if (!get.bool(p, 'force')) x.cli.io.stderr.write(`Going to remove ${victims.map(ops.nameOf).join(', ')}\n`);
    for (const c of victims) await ops.removeOne(x.c, c, x.out, true, '', get.bool(p, 'volumes'));
    return 0;
  },
};
