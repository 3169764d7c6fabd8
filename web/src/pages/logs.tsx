// Live logs: the Engine API's follow stream (stdcopy-framed unless the container has a tty),
// searched as you type; "follow" keeps the newest line in view.
import { useEffect, useRef, useState } from 'preact/hooks';
import { errorText, stream } from '../lib/api.js';
import { LineSplitter, StdDemux } from '../lib/demux.js';
import { appendLines, filterLines, type LogLine } from '../lib/logs.js';

export function LogsView({ id, tty }: { id: string; tty: boolean }) {
  const [lines, setLines] = useState<LogLine[]>([]);
  const [query, setQuery] = useState('');
  const [follow, setFollow] = useState(true);
  const [error, setError] = useState('');
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const ac = new AbortController();
    const demux = new StdDemux();
    const split = new LineSplitter();
    setLines([]);
    const onChunk = (c: Uint8Array) => {
      const parts = tty ? [{ stream: 'stdout', data: c }] : demux.push(c);
      for (const p of parts) {
        const got = split.push(p.stream, p.data);
        if (got.length) setLines((cur) => appendLines(cur, p.stream, got));
      }
    };
    stream(`/containers/${id}/logs?stdout=1&stderr=1&follow=1&timestamps=1&tail=1000`, onChunk, ac.signal).then(
      () => setError(''),
      (e: unknown) => !ac.signal.aborted && setError(errorText(e)),
    );
    return () => ac.abort();
  }, [id, tty]);
  useEffect(() => {
    if (follow && box.current) box.current.scrollTop = box.current.scrollHeight;
  });
  const shown = filterLines(lines, query);
  return (
    <div>
      <div class="toolbar">
        <input
          type="search"
          placeholder="Search (text or /regex/)"
          value={query}
          onInput={(e) => setQuery((e.target as HTMLInputElement).value)}
        />
        <label>
          <input type="checkbox" checked={follow} onChange={(e) => setFollow((e.target as HTMLInputElement).checked)} />{' '}
          Follow
        </label>
        <span class="muted">
          {shown.length} of {lines.length} lines
        </span>
      </div>
      {error && <p class="error">{error}</p>}
      <div class="logs mono" ref={box} data-testid="logs">
        {shown.map((l) => (
          <div key={l.n} class={l.stream === 'stderr' ? 'stderr' : ''}>
            <span class="time">{l.time.replace('T', ' ').slice(0, 23)}</span> {l.text}
          </div>
        ))}
      </div>
    </div>
  );
}
