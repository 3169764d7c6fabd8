// POST /containers/{id}/update: resources and restart policy (docker update).
import type { UpdateRequest } from '../../engine/resources.js';
import type { ContainerService } from '../../engine/service.js';
import { updateContainer, type LiveUpdate } from '../../engine/update.js';
import type { Route } from '../router.js';
import { gateUpdate } from './containers-gates.js';
import { updateJson } from '../wire/container-results.js';

export function updateRoutes(containers: ContainerService, live: LiveUpdate): Route[] {
  return [
    {
      method: 'POST',
      path: '/containers/{id}/update',
      handler: async (ctx) => {
        const body = gateUpdate((await ctx.json<UpdateRequest>()) ?? {}, ctx.apiVersion);
        ctx.reply.json(200, updateJson(await updateContainer(containers, ctx.params.id!, body, live)));
      },
    },
  ];
}
