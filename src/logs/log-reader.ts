// The contract between log drivers (k8s-file, json-file, …) and the logs API route.

export type LogStream = 'stdout' | 'stderr';

/** One log line. `line` keeps the trailing "\n" of full lines; a final unterminated line has none. */
export interface LogMessage {
  readonly stream: LogStream;
  /** Nanoseconds since the epoch. */
  readonly time: bigint;
  /** RFC 3339 in UTC with 9 fraction digits, as `docker logs -t` prints it. */
  readonly timestamp: string;
  readonly line: Buffer;
}

export interface ReadOptions {
  /** Only messages at or after this time (ns since the epoch). */
  since?: bigint;
  /** Only messages at or before this time; the read ends at the first later message. */
  until?: bigint;
  /** Only the last N messages of the file before following; -1 or undefined = all. */
  tail?: number;
  follow: boolean;
  stdout: boolean;
  stderr: boolean;
}

export interface LogReader {
  /**
   * Streams messages. With `follow`, waits for new output until `done` resolves (the container
   * exited; what is left is drained first) or `signal` aborts (the client went away).
   */
  read(o: ReadOptions, signal: AbortSignal, done?: Promise<void>): AsyncIterable<LogMessage>;
  /** The same messages in batches (one await per chunk, not per line): prefer it on hot paths. */
  readBatches?(o: ReadOptions, signal: AbortSignal, done?: Promise<void>): AsyncIterable<LogMessage[]>;
}
