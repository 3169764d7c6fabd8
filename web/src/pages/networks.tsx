// Networks with their subnets and the containers on them with their addresses.
import { useEffect, useState } from 'preact/hooks';
import { useApi, useVersion } from '../hooks.js';
import { api, errorText } from '../lib/api.js';
import { shortId } from '../lib/format.js';

interface Network {
  Id: string;
  Name: string;
  Driver: string;
  Scope: string;
  Internal: boolean;
  IPAM: { Config: Array<{ Subnet?: string; Gateway?: string }> | null };
  Containers?: Record<string, { Name: string; IPv4Address: string; IPv6Address: string; MacAddress: string }>;
}

export function NetworksPage() {
  const nv = useVersion('networks');
  const cv = useVersion('containers');
  const { data: list, error } = useApi<Network[]>('/networks', [nv, cv]);
  const [full, setFull] = useState<Network[]>([]);
  const [err2, setErr2] = useState('');
  useEffect(() => {
    if (!list) return;
    // the list has no containers: inspect each network for them
    Promise.all(list.map((n) => api<Network>(`/networks/${n.Id}`))).then(
      (all) => setFull(all.sort((a, b) => a.Name.localeCompare(b.Name))),
      (e: unknown) => setErr2(errorText(e)),
    );
  }, [list]);
  return (
    <section>
      <h2>Networks</h2>
      {(error || err2) && <p class="error">{error || err2}</p>}
      {full.map((n) => (
        <div class="card" key={n.Id} data-network={n.Name}>
          <h3>
            {n.Name} <span class="muted mono">{shortId(n.Id)}</span>
          </h3>
          <p class="muted">
            {n.Driver} · {n.Scope}
            {n.Internal ? ' · internal' : ''}
            {(n.IPAM.Config ?? []).map((c) => ` · ${c.Subnet ?? ''}${c.Gateway ? ` gw ${c.Gateway}` : ''}`).join('')}
          </p>
          {Object.keys(n.Containers ?? {}).length === 0 ? (
            <p class="muted">No containers.</p>
          ) : (
            <table>
              <thead>
                <tr>
                  <th>Container</th>
                  <th>IPv4</th>
                  <th>IPv6</th>
                  <th>MAC</th>
                </tr>
              </thead>
              <tbody>
                {Object.entries(n.Containers ?? {}).map(([id, c]) => (
                  <tr key={id}>
                    <td>
                      <a href={`#/containers/${id}/logs`}>{c.Name}</a>
                    </td>
                    <td class="mono">{c.IPv4Address}</td>
                    <td class="mono">{c.IPv6Address}</td>
                    <td class="mono">{c.MacAddress}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </div>
      ))}
    </section>
  );
}
