// What every log driver's options share: the config shape, Docker's common keys and value parsers.
import { invalid } from '../../errdefs.js';
import { ramInBytes } from '../../util/go-units.js';
import { linearRegExp } from '../../util/linear-regexp.js';

export interface LogConfig {
  Type: string;
  Config: Record<string, string>;
}

/** Keys every driver that tags or annotates its messages accepts (Docker's common log opts). */
export const COMMON_KEYS = ['tag', 'labels', 'labels-regex', 'env', 'env-regex'];

/** Docker's texts for a key the driver does not know, and for a bad labels/env regex. */
export function checkKeys(cfg: LogConfig, known: readonly string[]): void {
  for (const k of Object.keys(cfg.Config))
    if (!known.includes(k)) throw invalid(`unknown log opt '${k}' for ${cfg.Type} log driver`);
  for (const k of ['labels-regex', 'env-regex'] as const) if (cfg.Config[k]) logOptRegExp(cfg.Config, k);
}

/** A `labels-regex`/`env-regex` option compiled like Go's regexp: linear time (a container's
 *  log options must not stall the daemon), and an invalid pattern is the client's error. */
export function logOptRegExp(c: Record<string, string>, k: 'labels-regex' | 'env-regex'): RegExp {
  const re = linearRegExp(c[k] ?? '');
  if (!re) throw invalid(`error parsing regexp in log opt ${k}: ${JSON.stringify(c[k])}`);
  return re;
}

/** go-units RAMInBytes, as Docker reads max-size: "10k", "1m", "1.5g", "100". */
export const parseSize = ramInBytes;

/** A log driver's address as Go's url.ParseRequestURI sees it, with Docker's text when it does not parse. */
export function parseAddressUrl(a: string): { u: URL; scheme: string } {
  let u: URL;
  try {
    u = new URL(a);
  } catch (e) {
    throw invalid(`parse "${a}": invalid URI for request`, e);
  }
  return { u, scheme: u.protocol.replace(/:$/, '') };
}

const GO_BOOL = /^(1|t|T|TRUE|true|True|0|f|F|FALSE|false|False)$/;

/** Go's strconv.ParseBool, with its text; `what` prefixes it where Docker adds context. */
export function parseGoBool(v: string, what = ''): boolean {
  if (!GO_BOOL.test(v)) throw invalid(`${what}strconv.ParseBool: parsing "${v}": invalid syntax`);
  return /^(1|t|true)$/i.test(v);
}
