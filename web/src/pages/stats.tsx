// Live CPU and memory of one container from the Engine API's stats stream, drawn as SVG lines.
import { useEffect, useState } from 'preact/hooks';
import { errorText, stream } from '../lib/api.js';
import { linePath, niceMax } from '../lib/chart.js';
import { binarySize } from '../lib/format.js';
import { NdjsonSplitter } from '../lib/ndjson.js';
import { addPoint, type Point, type StatsSample } from '../lib/stats.js';

const W = 600;
const H = 160;

function Chart({
  title,
  values,
  top,
  label,
  testid,
}: {
  title: string;
  values: number[];
  top: number;
  label: (n: number) => string;
  testid: string;
}) {
  return (
    <figure class="chart" data-testid={testid}>
      <figcaption>
        {title}: <strong>{values.length ? label(values[values.length - 1]!) : '–'}</strong>{' '}
        <span class="muted">(scale {label(top)})</span>
      </figcaption>
      <svg viewBox={`0 0 ${W} ${H}`} width={W} height={H} role="img" aria-label={title}>
        <rect x="0" y="0" width={W} height={H} class="bg" />
        {[0.25, 0.5, 0.75].map((f) => (
          <line key={f} x1="0" x2={W} y1={H * f} y2={H * f} class="grid" />
        ))}
        <path d={linePath(values, W, H, top)} class="line" />
      </svg>
    </figure>
  );
}

export function StatsView({ id, running }: { id: string; running: boolean }) {
  const [points, setPoints] = useState<Point[]>([]);
  const [error, setError] = useState('');
  useEffect(() => {
    if (!running) return;
    const ac = new AbortController();
    const split = new NdjsonSplitter<StatsSample>();
    stream(
      `/containers/${id}/stats?stream=1`,
      (c) => {
        const got = split.push(c);
        if (got.length) setPoints((cur) => got.reduce((p, s) => addPoint(p, s), cur));
      },
      ac.signal,
    ).catch((e: unknown) => !ac.signal.aborted && setError(errorText(e)));
    return () => ac.abort();
  }, [id, running]);
  if (!running) return <p class="muted">The container is not running: no live stats.</p>;
  const cpu = points.map((p) => p.cpu);
  const mem = points.map((p) => p.mem);
  const limit = points.length ? points[points.length - 1]!.limit : 0;
  return (
    <div>
      {error && <p class="error">{error}</p>}
      <Chart
        title="CPU"
        testid="cpu-chart"
        values={cpu}
        top={niceMax(Math.max(0, ...cpu), 1)}
        label={(n) => `${n.toFixed(2)}%`}
      />
      <Chart
        title="Memory"
        testid="mem-chart"
        values={mem}
        top={niceMax(Math.max(0, ...mem), 1024 * 1024)}
        label={binarySize}
      />
      <p class="muted">
        {points.length} samples; memory limit {limit ? binarySize(limit) : 'none'}
      </p>
    </div>
  );
}
