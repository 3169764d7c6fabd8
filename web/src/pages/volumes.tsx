// Volumes and the containers that use them (from each container's mounts).
import { useApi, useVersion } from '../hooks.js';
import type { ContainerSummary } from './containers.js';
import { nameOf } from './containers.js';

interface Volume {
  Name: string;
  Driver: string;
  Mountpoint: string;
  CreatedAt?: string;
  Labels: Record<string, string> | null;
}

export function VolumesPage() {
  const vv = useVersion('volumes');
  const cv = useVersion('containers');
  const { data, error } = useApi<{ Volumes: Volume[] | null }>('/volumes', [vv]);
  const { data: ctrs } = useApi<ContainerSummary[]>('/containers/json?all=1', [cv, vv]);
  const users = (name: string) =>
    (ctrs ?? []).flatMap((c) =>
      (c.Mounts ?? []).filter((m) => m.Type === 'volume' && m.Name === name).map((m) => ({ c, at: m.Destination })),
    );
  const vols = [...(data?.Volumes ?? [])].sort((a, b) => a.Name.localeCompare(b.Name));
  return (
    <section>
      <h2>Volumes</h2>
      {error && <p class="error">{error}</p>}
      <table>
        <thead>
          <tr>
            <th>Name</th>
            <th>Driver</th>
            <th>Mountpoint</th>
            <th>Used by</th>
          </tr>
        </thead>
        <tbody>
          {vols.map((v) => (
            <tr key={v.Name} data-volume={v.Name}>
              <td class="mono">{v.Name}</td>
              <td>{v.Driver}</td>
              <td class="mono wrap">{v.Mountpoint}</td>
              <td>
                {users(v.Name).map(({ c, at }) => (
                  <div key={c.Id + at}>
                    <a href={`#/containers/${c.Id}/logs`}>{nameOf(c)}</a> <span class="muted mono">at {at}</span>
                  </div>
                ))}
                {users(v.Name).length === 0 && <span class="muted">unused</span>}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {data && vols.length === 0 && <p class="muted">No volumes.</p>}
    </section>
  );
}
