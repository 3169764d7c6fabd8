// GET /distribution/{name}/json (moby's getDistributionInfo): what the registry holds for a
// reference, for `docker service create` and buildx. Credentials come from X-Registry-Auth; a
// header that does not decode means none, as moby ignores it here.
import { decodeAuthHeader, type AuthConfig } from '../../images/distribution/auth.js';
import { RegistryCodeError, type DistributionInspect } from '../../images/distribution/inspect.js';
import type { Route } from '../router.js';

export interface DistributionInspectDeps {
  inspect(name: string, auth?: AuthConfig): Promise<DistributionInspect>;
}

export function distributionInspectRoutes(d: DistributionInspectDeps): Route[] {
  return [
    {
      method: 'GET',
      path: '/distribution/{name*}/json',
      handler: async (ctx) => {
        try {
          ctx.reply.json(200, await d.inspect(ctx.params.name, decodeAuthHeader(ctx.headers['x-registry-auth'])));
        } catch (e) {
          // statuses our error kinds do not name (429 too many requests, 405) are replied as moby does
          if (e instanceof RegistryCodeError && e.kind === 'internal' && e.status !== 500 && !ctx.reply.started) {
            ctx.reply.json(e.status, { message: e.message });
            return;
          }
          throw e;
        }
      },
    },
  ];
}
