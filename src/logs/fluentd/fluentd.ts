// The fluentd driver: Docker's records ({container_id, container_name, source, log, …extra}) sent
// with the forward protocol, each as a msgpack [tag, time, record, option] over TCP or a unix
// socket, like fluent-logger-golang. Never blocks: output waits in a bounded queue while
// (re)connecting every fluentd-retry-wait and is dropped after fluentd-max-retries failures.
import net from 'node:net';
import tls from 'node:tls';
import { randomBytes } from 'node:crypto';
import { StreamLink } from '../common/stream-link.js';
import { EventTime, pack } from './msgpack.js';
import type { FluentdOptions } from './options.js';

/** One forward-protocol message as fluent-logger-golang encodes it: [tag, time, record, option]. */
export function encodeFluentd(
  tag: string,
  timeNs: bigint,
  record: Record<string, string>,
  subSecond: boolean,
  chunk?: string,
): Buffer {
  const sec = Number(timeNs / 1_000_000_000n);
  const time = subSecond ? new EventTime(sec, Number(timeNs % 1_000_000_000n)) : sec;
  return pack([tag, time, record, chunk ? { chunk } : null]);
}

export interface FluentdInfo {
  id: string;
  /** As Docker sends it: with the leading "/". */
  name: string;
  tag: string;
  extra?: Record<string, string>;
}

export class FluentdSender {
  private readonly link: StreamLink;

  constructor(
    private readonly o: FluentdOptions,
    private readonly info: FluentdInfo,
  ) {
    this.link = new StreamLink({
      connect: () =>
        o.proto === 'unix'
          ? net.connect({ path: o.path })
          : o.proto === 'tls'
            ? tls.connect({ host: o.host, port: o.port, servername: net.isIP(o.host) ? undefined : o.host })
            : net.connect({ host: o.host, port: o.port }),
      readyEvent: o.proto === 'tls' ? 'secureConnect' : 'connect',
      maxQueue: Math.max(o.bufferLimit, 64 * 1024),
      retryMs: o.retryWaitMs,
      maxFailures: o.maxRetries,
    });
  }

  /** Messages given up (queue full, or the collector stayed away). */
  get dropped(): number {
    return this.link.dropped;
  }

  send(stream: 'stdout' | 'stderr', line: Buffer, timeNs: bigint, partial = false): void {
    let text = line.toString('utf8');
    if (!partial && text.endsWith('\n')) text = text.slice(0, -1);
    if (text === '' && !partial) return; // Docker's copier drops empty lines
    const record: Record<string, string> = {
      container_id: this.info.id,
      container_name: this.info.name,
      source: stream,
      log: text,
      ...(this.info.extra ?? {}),
    };
    if (partial) record.partial_message = 'true';
    this.link.write(
      encodeFluentd(
        this.info.tag,
        timeNs,
        record,
        this.o.subSecond,
        this.o.requestAck ? randomBytes(16).toString('base64') : undefined,
      ),
    );
  }

  /** Resolves when the socket took what was queued (bounded memory in a flood). */
  drained(): Promise<void> {
    return this.link.drained();
  }

  close(timeoutMs = 2000): Promise<void> {
    return this.link.close(timeoutMs);
  }
}
