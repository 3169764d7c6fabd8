// The syslog driver's options: address, facility, format and TLS files, with Docker's texts.
import fs from 'node:fs';
import { invalid } from '../../errdefs.js';
import { parseAddressUrl, parseGoBool, type LogConfig } from '../common/config.js';

const FACILITIES: Record<string, number> = {
  kern: 0,
  user: 1,
  mail: 2,
  daemon: 3,
  auth: 4,
  syslog: 5,
  lpr: 6,
  news: 7,
  uucp: 8,
  cron: 9,
  authpriv: 10,
  ftp: 11,
  local0: 16,
  local1: 17,
  local2: 18,
  local3: 19,
  local4: 20,
  local5: 21,
  local6: 22,
  local7: 23,
};

export type SyslogFormat = 'unix' | 'rfc3164' | 'rfc5424' | 'rfc5424micro';

export interface SyslogOptions {
  /** 'udp' | 'tcp' | 'tcp+tls' | 'unix' | 'unixgram'; address is host:port or a socket path. */
  proto: string;
  address: string;
  facility: number;
  format: SyslogFormat;
  /** Octet-counting framing (RFC 5425) instead of newline-terminated messages. */
  lengthFramed: boolean;
  tlsSkipVerify: boolean;
  tlsCa?: string;
  tlsCert?: string;
  tlsKey?: string;
}

export function parseFacility(s: string | undefined): number {
  if (s === undefined || s === '') return FACILITIES.daemon!;
  if (s in FACILITIES) return FACILITIES[s]!;
  if (/^\d+$/.test(s) && Number(s) <= 23) return Number(s);
  throw invalid('invalid syslog facility');
}

const LOCAL_SOCKETS = ['/dev/log', '/var/run/syslog', '/var/run/log'];

/** Docker's parseAddress: "" is the local syslog socket; udp/tcp default to port 514. */
export function parseSyslogAddress(a: string | undefined): { proto: string; address: string } {
  if (a === undefined || a === '') {
    const sock = LOCAL_SOCKETS.find((p) => fs.existsSync(p)) ?? '/dev/log';
    return { proto: 'unix', address: sock };
  }
  const { u, scheme } = parseAddressUrl(a);
  if (scheme === 'unix' || scheme === 'unixgram') {
    if (!fs.existsSync(u.pathname)) throw invalid(`stat ${u.pathname}: no such file or directory`);
    return { proto: scheme, address: u.pathname };
  }
  if (scheme === 'udp' || scheme === 'tcp' || scheme === 'tcp+tls') {
    if (!u.hostname) throw invalid(`parse "${a}": missing host`);
    return { proto: scheme, address: `${u.hostname}:${u.port || '514'}` };
  }
  throw invalid(`unsupported scheme: '${scheme}'`);
}

export function syslogOptions(cfg: LogConfig, _daemon: string): SyslogOptions {
  const c = cfg.Config;
  const { proto, address } = parseSyslogAddress(c['syslog-address']);
  const facility = parseFacility(c['syslog-facility']);
  const f = c['syslog-format'] ?? '';
  if (!['', 'rfc3164', 'rfc5424', 'rfc5424micro'].includes(f)) throw invalid(`Invalid syslog format: ${f}`);
  const skip = c['syslog-tls-skip-verify'];
  const tlsSkipVerify = skip !== undefined && skip !== '' && parseGoBool(skip);
  for (const k of ['syslog-tls-ca-cert', 'syslog-tls-cert', 'syslog-tls-key'] as const)
    if (c[k] && proto === 'tcp+tls' && !fs.existsSync(c[k]!)) throw invalid(`open ${c[k]}: no such file or directory`);
  return {
    proto,
    address,
    facility,
    format: f === '' ? 'unix' : (f as SyslogFormat),
    lengthFramed: proto === 'tcp+tls' && f.startsWith('rfc5424'),
    tlsSkipVerify,
    tlsCa: c['syslog-tls-ca-cert'],
    tlsCert: c['syslog-tls-cert'],
    tlsKey: c['syslog-tls-key'],
  };
}
