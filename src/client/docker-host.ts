// Where the daemon listens: -H beats DOCKER_HOST beats the default socket.
export const DEFAULT_SOCKET = '/run/berth/berth.sock';

export function resolveSocketPath(host: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  const h = host || env.DOCKER_HOST || '';
  if (!h) return DEFAULT_SOCKET;
  if (h.startsWith('unix://')) return h.slice('unix://'.length) || DEFAULT_SOCKET;
  if (h.startsWith('/')) return h;
  throw new Error(`unsupported host ${JSON.stringify(h)}: only unix:// sockets are supported`);
}
