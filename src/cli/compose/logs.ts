// Multiplexed service logs with `name  | ` prefixes (coloured on a TTY), like `docker compose logs`.
import type { Client } from '../../client/client.js';
import { StdDemuxer } from '../../client/stdcopy.js';
import type { ContainerSummary } from '../../client/types.js';
import { L } from './convert.js';

const COLORS = [36, 33, 32, 35, 34, 96, 93, 92, 95, 94];

export interface LogOptions {
  follow?: boolean;
  tail?: string;
  timestamps?: boolean;
  since?: string;
  until?: string;
  color?: boolean;
  prefix?: boolean;
  signal?: AbortSignal;
}

/** Prefix label of a container: `service-N` (one-off containers keep their name). */
export function logName(c: ContainerSummary): string {
  const l = c.Labels ?? {};
  if (l[L.oneoff] === 'True') return (c.Names[0] ?? '').replace(/^\//, '');
  return `${l[L.service]}-${l[L.number]}`;
}

/** Line-splitting writer: each complete line gets `prefix`. */
export class Prefixer {
  private pending = '';
  constructor(
    private readonly prefix: string,
    private readonly write: (s: string) => void,
  ) {}
  push(b: Buffer | string): void {
    const text = this.pending + b.toString();
    const lines = text.split('\n');
    this.pending = lines.pop() ?? '';
    for (const l of lines) this.write(`${this.prefix}${l.replace(/\r$/, '')}\n`);
  }
  flush(): void {
    if (this.pending) this.write(`${this.prefix}${this.pending}\n`);
    this.pending = '';
  }
}

export function prefixFor(name: string, width: number, i: number, color: boolean): string {
  const p = `${name.padEnd(width)}  | `;
  return color ? `\x1b[${COLORS[i % COLORS.length]}m${p}\x1b[0m` : p;
}

/** Stream logs of the containers until they end (or forever with follow until `signal`). */
export async function streamLogs(
  c: Client,
  containers: ContainerSummary[],
  out: NodeJS.WritableStream,
  o: LogOptions,
): Promise<void> {
  const width = Math.max(0, ...containers.map((x) => logName(x).length));
  await Promise.all(
    containers.map(async (x, i) => {
      const prefix = o.prefix === false ? '' : prefixFor(logName(x), width, i, o.color === true);
      const p = new Prefixer(prefix, (s) => out.write(s));
      let res;
      try {
        res = await c.containerLogs(
          x.Id,
          {
            follow: o.follow,
            stdout: true,
            stderr: true,
            tail: o.tail || 'all',
            timestamps: o.timestamps,
            since: o.since,
            until: o.until,
          },
          o.signal,
        );
      } catch (e) {
        if (o.signal?.aborted) return;
        throw e;
      }
      // API >= 1.42 labels the framing; raw-stream means a TTY container (no stdcopy headers)
      const tty = res.headers['content-type'] === 'application/vnd.docker.raw-stream';
      const d = new StdDemuxer({ stdout: (b) => p.push(b), stderr: (b) => p.push(b) });
      try {
        for await (const chunk of res) {
          if (tty) p.push(chunk as Buffer);
          else d.push(chunk as Buffer);
        }
      } catch (e) {
        if (!o.signal?.aborted) throw e;
      }
      p.flush();
    }),
  );
}
