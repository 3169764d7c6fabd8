// One container: its state and tabs for live logs, a terminal and CPU/memory charts.
import { useApi, useVersion } from '../hooks.js';
import { LogsView } from './logs.js';
import { StatsView } from './stats.js';
import { TerminalView } from './terminal.js';

export interface ContainerInspect {
  Id: string;
  Name: string;
  Config: { Tty: boolean; Image: string };
  State: { Status: string; Running: boolean; Health?: { Status: string } };
}

const TABS: Array<[string, string]> = [
  ['logs', 'Logs'],
  ['terminal', 'Terminal'],
  ['stats', 'Stats'],
];

export function ContainerPage({ id, tab }: { id: string; tab: string }) {
  const version = useVersion('containers');
  const { data: c, error } = useApi<ContainerInspect>(`/containers/${encodeURIComponent(id)}/json`, [version]);
  if (error) return <p class="error">{error}</p>;
  if (!c) return <p class="muted">Loading…</p>;
  return (
    <section>
      <h2>
        <a class="crumb" href="#/containers">
          Containers
        </a>{' '}
        / {c.Name.replace(/^\//, '')}{' '}
        <span class={`state ${c.State.Status}`} data-testid="container-state">
          {c.State.Status}
        </span>
        {c.State.Health && <span class="muted"> ({c.State.Health.Status})</span>}
      </h2>
      <nav class="tabs">
        {TABS.map(([k, label]) => (
          <a key={k} href={`#/containers/${c.Id}/${k}`} class={tab === k ? 'active' : ''}>
            {label}
          </a>
        ))}
      </nav>
      {tab === 'logs' && <LogsView id={c.Id} tty={c.Config.Tty} />}
      {tab === 'terminal' && <TerminalView id={c.Id} running={c.State.Running} tty={c.Config.Tty} />}
      {tab === 'stats' && <StatsView id={c.Id} running={c.State.Running} />}
    </section>
  );
}
