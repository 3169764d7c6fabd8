// Test support: a stored container record with the fields the API's summaries read (one exited
// `sh` container made on 2024-05-01), for route tests over fakes.
import { emptyContainerConfig } from '../images/types.js';
import type { ContainerRecord } from './types.js';

export function testContainerRecord(o: {
  id: string;
  name?: string;
  image?: string;
  status?: string;
}): ContainerRecord {
  return {
    id: o.id,
    name: o.name ?? o.id,
    created: '2024-05-01T10:00:00Z',
    path: 'sh',
    args: [],
    image: 'sha256:i1',
    config: { ...emptyContainerConfig(), Image: o.image ?? 'busybox', Labels: {} },
    hostConfig: { NetworkMode: 'bridge' },
    state: {
      status: o.status ?? 'exited',
      exitCode: 0,
      startedAt: '2024-05-01T10:00:00Z',
      finishedAt: '2024-05-01T10:00:01Z',
    },
    mounts: [],
    networkingConfig: null,
  } as unknown as ContainerRecord;
}
