// `compose build`, `compose pull` and `compose push`: the services' images.
import { get } from '../flags/parser.js';
import type { ComposeCommand } from './context.js';
import { imageName } from './convert.js';
import { ComposeError } from './load.js';
import * as ops from './ops.js';
import { flagTable } from '../flags/table.js';

export const build: ComposeCommand = {
  usage: 'build [OPTIONS] [SERVICE...]',
  desc: 'Build or rebuild services',
  flags: flagTable(`
    no-cache  bool
    pull      bool
    quiet,q   bool
  `),
  async run(x, p) {
    const proj = x.load(p.args);
    const quiet = get.bool(p, 'quiet');
    const out: ops.Out = quiet ? { event: x.out.event, write: () => {} } : x.out;
    for (const s of p.args.length ? p.args.map((n) => ops.serviceByName(proj, n)) : proj.services)
      if (s.build)
        await ops.buildService(x.c, proj, s, out, { noCache: get.bool(p, 'no-cache'), pull: get.bool(p, 'pull') });
    return 0;
  },
};

export const pull: ComposeCommand = {
  usage: 'pull [OPTIONS] [SERVICE...]',
  desc: 'Pull service images',
  flags: flagTable(`
    quiet,q               bool
    ignore-pull-failures  bool
  `),
  async run(x, p) {
    const proj = x.load(p.args);
    let failed = false;
    for (const s of p.args.length ? p.args.map((n) => ops.serviceByName(proj, n)) : proj.services) {
      if (!s.image) continue;
      try {
        await ops.pullImage(x.c, s.image, x.out);
      } catch (e) {
        if (!get.bool(p, 'ignore-pull-failures')) throw e;
        x.cli.io.stderr.write(`${s.name}: ${(e as Error).message}\n`);
        failed = true;
      }
    }
    return failed ? 1 : 0;
  },
};

export const push: ComposeCommand = {
  usage: 'push [OPTIONS] [SERVICE...]',
  desc: 'Push service images',
  flags: [{ name: 'ignore-push-failures', type: 'bool' }],
  async run(x, p) {
    const proj = x.load(p.args);
    const { jsonLines } = await import('../../client/client.js');
    for (const s of p.args.length ? p.args.map((n) => ops.serviceByName(proj, n)) : proj.services) {
      if (!s.build || !s.image) continue;
      const img = imageName(proj, s);
      const i = img.lastIndexOf(':');
      const [repo, tag] = i > img.lastIndexOf('/') ? [img.slice(0, i), img.slice(i + 1)] : [img, 'latest'];
      const auth = Buffer.from('{}').toString('base64');
      const res = await x.c.stream('POST', `/images/${repo}/push`, {
        query: { tag },
        headers: { 'X-Registry-Auth': auth },
      });
      for await (const m of jsonLines(res))
        if (m.errorDetail || m.error) throw new ComposeError(String(m.errorDetail?.message ?? m.error));
      x.out.event('Image', img, 'Pushed');
    }
    return 0;
  },
};
