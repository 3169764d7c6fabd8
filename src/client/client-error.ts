// An API error as the daemon reported it: the HTTP status and the `{"message": …}` text.
export class ClientError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'ClientError';
  }
}

/** Connection-level failure (daemon not running), phrased like the docker CLI. */
export class ConnectError extends Error {
  constructor(
    readonly socketPath: string,
    cause: unknown,
  ) {
    super(`Cannot connect to the Docker daemon at unix://${socketPath}. Is the docker daemon running?`, { cause });
    this.name = 'ConnectError';
  }
}
