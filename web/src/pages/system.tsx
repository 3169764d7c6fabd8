// `docker system df`: what images, containers, volumes and the build cache take on disk.
import { useApi, useVersion } from '../hooks.js';
import { type DfAnswer, dfRows, reclaimableText } from '../lib/df.js';
import { humanSize } from '../lib/format.js';

interface Info {
  Name: string;
  ServerVersion: string;
  OperatingSystem: string;
  KernelVersion: string;
  NCPU: number;
  MemTotal: number;
  Driver: string;
  Containers: number;
  ContainersRunning: number;
  Images: number;
}

export function SystemPage() {
  const version = useVersion('system');
  const { data, error } = useApi<DfAnswer>('/system/df', [version]);
  const { data: info } = useApi<Info>('/info', [version]);
  return (
    <section>
      <h2>System</h2>
      {info && (
        <p class="muted">
          {info.Name} · berthd {info.ServerVersion} · {info.OperatingSystem} · kernel {info.KernelVersion} · {info.NCPU}{' '}
          CPUs · {humanSize(info.MemTotal)} · storage {info.Driver} · {info.ContainersRunning}/{info.Containers}{' '}
          containers running · {info.Images} images
        </p>
      )}
      <h3>Disk usage</h3>
      {error && <p class="error">{error}</p>}
      <table data-testid="system-df">
        <thead>
          <tr>
            <th>Type</th>
            <th>Total</th>
            <th>Active</th>
            <th>Size</th>
            <th>Reclaimable</th>
          </tr>
        </thead>
        <tbody>
          {data &&
            dfRows(data).map((r) => (
              <tr key={r.type}>
                <td>{r.type}</td>
                <td>{r.total}</td>
                <td>{r.active}</td>
                <td>{humanSize(r.size)}</td>
                <td>{reclaimableText(r, humanSize)}</td>
              </tr>
            ))}
        </tbody>
      </table>
    </section>
  );
}
