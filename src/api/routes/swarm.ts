// Swarm-mode endpoints, answered as a Docker engine that is not part of a swarm answers them
// (moby daemon/cluster): 503 with its texts. Clients rely on these: docker-py's network tests call
// `leave_swarm(force=True)` in every teardown and accept only this "not part of a swarm" answer.
import { unavailable } from '../../errdefs.js';
import type { Route } from '../router.js';

/** moby's errNoManager for a node that never joined a swarm. */
export const NO_SWARM_MANAGER =
  'This node is not a swarm manager. Use "docker swarm init" or "docker swarm join" to connect this node to swarm and try again.';
/** moby's volume router, PUT /volumes/{name} on a node without swarm. */
export const VOLUME_UPDATE_NO_SWARM = 'volume update only valid for cluster volumes, but swarm is unavailable';
/** moby's errNoSwarm (leave, unlock). */
export const NOT_IN_SWARM = 'This node is not part of a swarm';

const noManager = () => {
  throw unavailable(NO_SWARM_MANAGER);
};
const notInSwarm = () => {
  throw unavailable(NOT_IN_SWARM);
};

/** Collections whose every verb needs a manager: list, create, inspect, update, delete, logs. */
const managed = ['services', 'nodes', 'tasks', 'secrets', 'configs'];

export function swarmRoutes(): Route[] {
  const routes: Route[] = [
    { method: 'GET', path: '/swarm', handler: noManager },
    { method: 'POST', path: '/swarm/update', handler: noManager },
    { method: 'GET', path: '/swarm/unlockkey', handler: noManager },
    { method: 'POST', path: '/swarm/unlock', handler: notInSwarm },
    { method: 'POST', path: '/swarm/leave', handler: notInSwarm },
    // berth has no swarm mode to start or join: refused with the same status, its own words
    {
      method: 'POST',
      path: '/swarm/init',
      handler: () => {
        throw unavailable('berth does not support swarm mode');
      },
    },
    {
      method: 'POST',
      path: '/swarm/join',
      handler: () => {
        throw unavailable('berth does not support swarm mode');
      },
    },
  ];
  for (const c of managed) {
    routes.push(
      { method: 'GET', path: `/${c}`, handler: noManager },
      { method: 'POST', path: `/${c}/create`, handler: noManager },
      { method: 'GET', path: `/${c}/{id}`, handler: noManager },
      { method: 'POST', path: `/${c}/{id}/update`, handler: noManager },
      { method: 'DELETE', path: `/${c}/{id}`, handler: noManager },
    );
  }
  routes.push(
    { method: 'GET', path: '/services/{id}/logs', handler: noManager },
    { method: 'GET', path: '/tasks/{id}/logs', handler: noManager },
    // only cluster (swarm) volumes can be updated (moby's volume router checks IsManager first)
    {
      method: 'PUT',
      path: '/volumes/{name}',
      handler: () => {
        throw unavailable(VOLUME_UPDATE_NO_SWARM);
      },
    },
  );
  return routes;
}
