// A line chart as an SVG path: a few lines of arithmetic instead of a charting library.

/** The path ("M x y L x y …") of values scaled into w×h, y up; `top` is the value at the top edge. */
export function linePath(values: number[], w: number, h: number, top?: number): string {
  if (values.length === 0) return '';
  const max = top ?? Math.max(...values, 1e-9);
  const step = values.length > 1 ? w / (values.length - 1) : 0;
  return values
    .map((v, i) => {
      const y = h - (Math.min(Math.max(v, 0), max) / max) * h;
      return `${i === 0 ? 'M' : 'L'}${(i * step).toFixed(1)} ${y.toFixed(1)}`;
    })
    .join(' ');
}

/** A round ceiling for the y axis: 1, 2 or 5 times a power of ten, at least `min`. */
export function niceMax(v: number, min = 1): number {
  const x = Math.max(v, min);
  const p = 10 ** Math.floor(Math.log10(x));
  for (const m of [1, 2, 5, 10]) if (m * p >= x) return m * p;
  return 10 * p;
}
