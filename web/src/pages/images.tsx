// Images with their sizes; one opened shows its layers (history) and their sizes.
import { useState } from 'preact/hooks';
import { useApi, useVersion } from '../hooks.js';
import { ago, humanSize, shortId } from '../lib/format.js';

interface ImageSummary {
  Id: string;
  RepoTags: string[] | null;
  Created: number;
  Size: number;
  Containers: number;
}
interface HistoryItem {
  Id: string;
  Created: number;
  CreatedBy: string;
  Size: number;
  Comment: string;
}

function Layers({ id }: { id: string }) {
  const { data, error } = useApi<HistoryItem[]>(`/images/${encodeURIComponent(id)}/history`);
  if (error) return <p class="error">{error}</p>;
  return (
    <table class="layers" data-testid="layers">
      <thead>
        <tr>
          <th>Layer</th>
          <th>Created by</th>
          <th>Size</th>
        </tr>
      </thead>
      <tbody>
        {(data ?? []).map((h, i) => (
          <tr key={`${h.Id}-${i}`}>
            <td class="mono">{h.Id === '<missing>' ? '<missing>' : shortId(h.Id)}</td>
            <td class="mono wrap">{h.CreatedBy}</td>
            <td>{humanSize(h.Size)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function ImagesPage() {
  const version = useVersion('images');
  const { data, error } = useApi<ImageSummary[]>('/images/json', [version]);
  const [open, setOpen] = useState<string | null>(null);
  return (
    <section>
      <h2>Images</h2>
      {error && <p class="error">{error}</p>}
      <table>
        <thead>
          <tr>
            <th>Repository:tag</th>
            <th>Image ID</th>
            <th>Created</th>
            <th>Size</th>
            <th>Containers</th>
          </tr>
        </thead>
        <tbody>
          {(data ?? []).map((im) => [
            <tr key={im.Id} class="clickable" onClick={() => setOpen(open === im.Id ? null : im.Id)}>
              <td class="mono">{(im.RepoTags ?? []).join(', ') || '<none>:<none>'}</td>
              <td class="mono">{shortId(im.Id)}</td>
              <td>{ago(im.Created)}</td>
              <td>{humanSize(im.Size)}</td>
              <td>{im.Containers >= 0 ? im.Containers : '–'}</td>
            </tr>,
            open === im.Id && (
              <tr key={`${im.Id}-layers`}>
                <td colSpan={5}>
                  <Layers id={im.Id} />
                </td>
              </tr>
            ),
          ])}
        </tbody>
      </table>
      <p class="muted">Click an image to see its layers.</p>
    </section>
  );
}
