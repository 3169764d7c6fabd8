export { Client, API_VERSION, encodeQuery, filtersArg, jsonLines } from './client.js';
export type { ClientOptions, Hijacked, Query, RequestOptions } from './client.js';
export { ClientError, ConnectError } from './client-error.js';
export { resolveSocketPath, DEFAULT_SOCKET } from './docker-host.js';
export { StdDemuxer, demuxTo, frame } from './stdcopy.js';
export type * from './types.js';
