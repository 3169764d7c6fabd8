// Docker's JSON message stream (moby pkg/jsonmessage + pkg/streamformatter): pull, push, build,
// load and import answer with one JSON object per line, errors included once headers are sent.
import { humanSize } from '../../util/go-units.js';
import type { JsonMessage, ProgressDetail } from '../wire/json-message.js';

export { humanSize };

export type { JsonMessage, ProgressDetail } from '../wire/json-message.js';

/** Where lines go: a Writable, an HTTP response, or a test array. */
export interface LineSink {
  write(chunk: string): boolean | undefined;
}

// moby's streamformatter ends every message with CRLF; clients' JSON decoders skip it.
const NL = '\r\n';

/** Serialises in Go's struct field order, so output is byte-identical to Docker's. */
export function encodeMessage(m: JsonMessage): string {
  const o: Record<string, unknown> = {};
  if (m.stream) o.stream = m.stream;
  if (m.status) o.status = m.status;
  if (m.progressDetail) o.progressDetail = encodeDetail(m.progressDetail);
  if (m.progress) o.progress = m.progress;
  if (m.id) o.id = m.id;
  if (m.from) o.from = m.from;
  if (m.time) o.time = m.time;
  if (m.timeNano) o.timeNano = m.timeNano;
  if (m.errorDetail) o.errorDetail = m.errorDetail.code ? m.errorDetail : { message: m.errorDetail.message };
  if (m.error) o.error = m.error;
  if (m.aux !== undefined) o.aux = m.aux;
  return JSON.stringify(o) + NL;
}

function encodeDetail(d: ProgressDetail): ProgressDetail {
  const o: ProgressDetail = {};
  if (d.current) o.current = d.current;
  if (d.total) o.total = d.total;
  if (d.start) o.start = d.start;
  if (d.hidecounts) o.hidecounts = true;
  if (d.units) o.units = d.units;
  return o;
}

/** Go's time.Duration.String() for whole seconds: "0s", "45s", "1m30s", "2h0m5s". */
function durationString(sec: number): string {
  if (sec <= 0) return '0s';
  const h = Math.floor(sec / 3600);
  const m = Math.floor((sec % 3600) / 60);
  const s = sec % 60;
  if (h > 0) return `${h}h${m}m${s}s`;
  if (m > 0) return `${m}m${s}s`;
  return `${s}s`;
}

/**
 * The `progress` text as the daemon renders it (moby's JSONProgress.String() with no terminal,
 * so width 200): `[=====>      ]  1.2MB/3.4MB 5s`.
 */
export function progressBar(d: ProgressDetail, nowSec = Date.now() / 1000): string {
  const current = d.current ?? 0;
  const total = d.total ?? 0;
  if (current <= 0 && total <= 0) return '';
  if (total <= 0) return d.units ? `${current} ${d.units}` : humanSize(current).padStart(8);
  let pct = Math.trunc((current / total) * 100) / 2;
  pct = Math.min(50, Math.trunc(pct));
  const bar = `[${'='.repeat(pct)}>${' '.repeat(Math.max(0, 50 - pct))}] `;
  let numbers = '';
  if (!d.hidecounts) {
    if (!d.units)
      numbers =
        current > total ? humanSize(current).padStart(8) : `${humanSize(current).padStart(8)}/${humanSize(total)}`;
    else numbers = current > total ? `${current} ${d.units}` : `${current}/${total} ${d.units}`;
  }
  let left = '';
  if (current > 0 && d.start && d.start > 0 && pct < 50) {
    const perEntry = (nowSec - d.start) / current;
    left = ' ' + durationString(Math.trunc((total - current) * perEntry));
  }
  return bar + numbers + left;
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Writes Docker JSON messages to a sink, one per line. */
export class JsonProgressWriter {
  constructor(private readonly out: LineSink) {}

  write(m: JsonMessage): boolean {
    return this.out.write(encodeMessage(m)) !== false;
  }

  /** `{"status":"Pulling from library/busybox","id":"latest"}`; with id and no detail Docker adds `"progressDetail":{}` for layer lines. */
  status(status: string, id?: string, detail?: ProgressDetail): boolean {
    return this.write({ status, id, progressDetail: detail });
  }

  /** A layer's transfer: `{"status":"Downloading","progressDetail":{…},"progress":"[==>  ] …","id":"…"}`. */
  progress(id: string, status: string, detail: ProgressDetail): boolean {
    return this.write({ status, progressDetail: detail, progress: progressBar(detail), id });
  }

  /** Build output: `{"stream":"Step 1/2 : FROM busybox\n"}`. */
  stream(text: string): boolean {
    return this.write({ stream: text });
  }

  /** Side-channel data: `{"aux":{"ID":"sha256:…"}}`. */
  aux(value: unknown): boolean {
    return this.write({ aux: value });
  }

  /** The in-band error once headers are sent: `{"errorDetail":{"message":m},"error":m}`. */
  error(e: unknown): boolean {
    const message = errorText(e);
    return this.write({ errorDetail: { message }, error: message });
  }
}
