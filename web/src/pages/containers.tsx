// Containers: state, ports and health, with start/stop/restart/remove; live through events.
import { useState } from 'preact/hooks';
import { useApi, useVersion } from '../hooks.js';
import { api, errorText } from '../lib/api.js';
import { ago, formatPorts, healthOf, type Port, shortId } from '../lib/format.js';

export interface ContainerSummary {
  Id: string;
  Names: string[];
  Image: string;
  State: string;
  Status: string;
  Created: number;
  Ports: Port[];
  Mounts?: Array<{ Type: string; Name?: string; Destination: string }>;
}

export const nameOf = (c: ContainerSummary) => (c.Names[0] ?? '').replace(/^\//, '') || shortId(c.Id);

function Actions({ c, onError }: { c: ContainerSummary; onError: (m: string) => void }) {
  const [busy, setBusy] = useState(false);
  const act = (what: string) => async () => {
    if (what === 'remove' && !confirm(`Remove ${nameOf(c)}?`)) return;
    setBusy(true);
    try {
      if (what === 'remove') await api(`/containers/${c.Id}?force=1`, { method: 'DELETE' });
      else await api(`/containers/${c.Id}/${what}`, { method: 'POST' });
      onError('');
    } catch (e) {
      onError(`${what} ${nameOf(c)}: ${errorText(e)}`);
    } finally {
      setBusy(false);
    }
  };
  const running = c.State === 'running' || c.State === 'restarting' || c.State === 'paused';
  return (
    <span class="actions">
      {!running && (
        <button type="button" disabled={busy} onClick={act('start')}>
          Start
        </button>
      )}
      {running && (
        <button type="button" disabled={busy} onClick={act('stop')}>
          Stop
        </button>
      )}
      <button type="button" disabled={busy} onClick={act('restart')}>
        Restart
      </button>
      <button type="button" class="danger" disabled={busy} onClick={act('remove')}>
        Remove
      </button>
    </span>
  );
}

export function ContainersPage() {
  const version = useVersion('containers');
  const { data, error } = useApi<ContainerSummary[]>('/containers/json?all=1', [version]);
  const [actionError, setActionError] = useState('');
  return (
    <section>
      <h2>Containers</h2>
      {(error || actionError) && <p class="error">{error || actionError}</p>}
      <table>
        <thead>
          <tr>
            <th>Name</th>
            <th>Image</th>
            <th>State</th>
            <th>Status</th>
            <th>Health</th>
            <th>Ports</th>
            <th>Created</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {(data ?? []).map((c) => (
            <tr key={c.Id} data-name={nameOf(c)} data-state={c.State}>
              <td>
                <a href={`#/containers/${c.Id}/logs`}>{nameOf(c)}</a>
                <div class="muted mono">{shortId(c.Id)}</div>
              </td>
              <td class="mono">{c.Image}</td>
              <td>
                <span class={`state ${c.State}`}>{c.State}</span>
              </td>
              <td>{c.Status}</td>
              <td>{healthOf(c.Status) || <span class="muted">–</span>}</td>
              <td class="mono">{formatPorts(c.Ports)}</td>
              <td>{ago(c.Created)}</td>
              <td>
                <Actions c={c} onError={setActionError} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {data && data.length === 0 && <p class="muted">No containers.</p>}
    </section>
  );
}
