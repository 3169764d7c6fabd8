// The error of a compose file or command line the user can fix (compose exits 15 on it).
export class ComposeError extends Error {
  override name = 'ComposeError';
}
