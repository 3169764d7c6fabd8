// `stats` without --no-stream, as docker's RunStats: one stats stream per container, containers
// followed through the events stream when none were named, the table redrawn every 500 ms.
import type { Readable } from 'node:stream';
import type { Client } from '../../client/client.js';
import { filtersArg } from '../../client/client.js';
import type { ContainerStats } from '../../client/types.js';
import { ClientError } from '../../client/client-error.js';
import { type Io, StatusError } from '../command.js';
import type { Row } from '../format/render.js';

export interface LiveOptions {
  /** Named containers; empty: all running ones (every one with `all`), followed by events. */
  refs: string[];
  all: boolean;
  filters: string[];
  render(rows: Row[]): string;
  row(ref: string, s: ContainerStats): Row;
}

/** The bytes docker writes per tick: home, table, the table again with erase-line ends, erase below. */
export function statsFrame(table: string): string {
  const buf = `\x1b[H${table}`;
  return `${buf}${buf
    .split('\n')
    .map((l) => `${l} \x1b[K\n`)
    .join('')}\x1b[J`;
}

/** JSON values of a stream, one per line (berthd and moby write one stats object a line). */
async function* jsonLines<T>(res: Readable): AsyncGenerator<T> {
  let buf = '';
  for await (const chunk of res) {
    buf += String(chunk);
    for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
      const line = buf.slice(0, i).trim();
      buf = buf.slice(i + 1);
      if (line) yield JSON.parse(line) as T;
    }
  }
}

interface Entry {
  row?: Row;
  err?: string;
  res?: Readable;
  first: Promise<void>;
}

export class LiveStats {
  private readonly entries = new Map<string, Entry>();
  private events?: Readable;
  private stopped = false;

  constructor(
    private readonly client: Client,
    private readonly o: LiveOptions,
  ) {}

  /** Starts a container's stream; resolves once its first sample (or its failure) is in. */
  add(ref: string): Promise<void> {
    const had = this.entries.get(ref);
    if (had) return had.first;
    const e: Entry = { first: Promise.resolve() };
    e.first = new Promise<void>((done) => {
      this.client
        .stream('GET', `/containers/${encodeURIComponent(ref)}/stats`, { query: { stream: true } })
        .then(async (res) => {
          e.res = res;
          if (this.stopped || this.entries.get(ref) !== e) return void res.destroy();
          for await (const s of jsonLines<ContainerStats>(res)) {
            e.row = this.o.row(ref, s);
            done();
          }
        })
        .catch((err: unknown) => {
          e.err =
            err instanceof ClientError ? `Error response from daemon: ${err.message}` : String((err as Error).message);
        })
        .finally(() => {
          done();
          // a followed container whose stream ended (removed) leaves the table
          if (this.o.refs.length === 0 && this.entries.get(ref) === e) this.entries.delete(ref);
          // a named container's stream ended (it stopped): docker's decoder reports EOF
          else if (this.o.refs.length && !e.err) e.err = 'EOF';
        });
    });
    this.entries.set(ref, e);
    return e.first;
  }

  remove(ref: string): void {
    this.entries.get(ref)?.res?.destroy();
    this.entries.delete(ref);
  }

  /** Named containers, or the event subscription then the listing (as docker: no start is missed). */
  async begin(): Promise<void> {
    if (this.o.refs.length) {
      await Promise.all(this.o.refs.map((r) => this.add(r)));
      const errs = [...this.entries.values()].flatMap((e) => (e.err ? [e.err] : []));
      if (errs.length) throw new StatusError(1, errs.join('\n'));
      return;
    }
    this.events = await this.client.stream('GET', '/events', {
      query: { filters: filtersArg([...this.o.filters, 'type=container']) },
    });
    void this.follow(this.events);
    const list = await this.client.containerList({ all: this.o.all || undefined, filters: filtersArg(this.o.filters) });
    await Promise.all(list.map((c) => this.add(c.Id.slice(0, 12))));
  }

  private async follow(res: Readable): Promise<void> {
    try {
      for await (const ev of jsonLines<{ Action?: string; Actor?: { ID?: string } }>(res)) {
        const id = (ev.Actor?.ID ?? '').slice(0, 12);
        if (!id) continue;
        if (ev.Action === 'start' || (this.o.all && ev.Action === 'create')) void this.add(id);
        else if (ev.Action === 'die' && !this.o.all) this.remove(id);
        else if (ev.Action === 'destroy') this.remove(id);
      }
    } catch {
      /* stopped */
    }
  }

  /** The current table (rows in the order containers were added). */
  table(): string {
    return this.o.render([...this.entries.values()].flatMap((e) => (e.row ? [e.row] : [])));
  }

  /** The errors of named containers once every stream has ended, else undefined. */
  ended(): string[] | undefined {
    const es = [...this.entries.values()];
    return es.length && es.every((e) => e.err) ? es.map((e) => e.err as string) : undefined;
  }

  get size(): number {
    return this.entries.size;
  }

  stop(): void {
    this.stopped = true;
    this.events?.destroy();
    for (const e of this.entries.values()) e.res?.destroy();
    this.entries.clear();
  }
}

/** Redraws every 500 ms until ^C (exit 0) or, for named containers, until none is left. */
export async function runLiveStats(client: Client, io: Io, o: LiveOptions): Promise<number> {
  const live = new LiveStats(client, o);
  let interrupted = false;
  let wake: () => void = () => {};
  const onInt = () => {
    interrupted = true;
    wake();
  };
  process.once('SIGINT', onInt);
  // a closed pipe (`| head`) ends the loop instead of crashing on EPIPE
  io.stdout.on('error', onInt);
  try {
    await live.begin();
    while (!interrupted) {
      io.stdout.write(statsFrame(live.table()));
      if (live.size === 0 && o.refs.length) break;
      const errs = o.refs.length ? live.ended() : undefined;
      if (errs) throw new StatusError(1, [...new Set(errs)].join('\n'));
      await new Promise<void>((r) => {
        wake = r;
        setTimeout(r, 500);
      });
    }
    return 0;
  } finally {
    process.off('SIGINT', onInt);
    io.stdout.off('error', onInt);
    live.stop();
  }
}
