// POST /session: the BuildKit session a client opens (HTTP upgrade to h2c, then gRPC) before a
// BuildKit build. moby registers it whatever the builder; berth has only the classic builder
// (`/_ping` says `Builder-Version: 1`, so the docker CLI never asks), so it answers what moby's
// session manager answers for a request it cannot take (buildkit session/manager.go, wrapped in
// errdefs.InvalidParameter by the router), and refuses the h2c upgrade itself with 501.
import { invalid, notImplemented } from '../../errdefs.js';
import type { Route } from '../router.js';

export function sessionRoutes(): Route[] {
  return [
    {
      method: 'POST',
      path: '/session',
      handler: (ctx) => {
        const upgrade = ctx.headers.upgrade;
        if (!upgrade) throw invalid('no upgrade proto in request');
        if (upgrade !== 'h2c') throw invalid(`protocol ${upgrade} not supported`);
        throw notImplemented('BuildKit sessions are not supported: berth builds with the classic builder only');
      },
    },
  ];
}
