// --web's address: host:port (IPv6 in brackets), like dockerd's tcp hosts without the scheme.
import { isIP } from 'node:net';
import { invalid } from '../errdefs.js';

export interface ListenAddr {
  host: string;
  port: number;
}

export function parseListenAddr(s: string): ListenAddr {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(s.replace(/^(?:http|tcp):\/\//, ''));
  const host = m?.[1] ?? m?.[2];
  const port = Number(m?.[3]);
  if (!m || !host || !(port > 0 && port < 65536))
    throw invalid(`invalid --web address "${s}": expected host:port, e.g. 127.0.0.1:9080`);
  if (m[1] !== undefined && isIP(host) !== 6) throw invalid(`invalid --web address "${s}": bad IPv6 address`);
  if (m[2] !== undefined && host !== 'localhost' && isIP(host) !== 4)
    throw invalid(`invalid --web address "${s}": the host must be an IP address or localhost`);
  return { host, port };
}

/** 0.0.0.0 and :: answer on every address: any Host header may then be ours. */
export const isWildcard = (host: string) => host === '0.0.0.0' || host === '::';
