// Docker's `labels`/`env` log options (and their -regex forms): extra attributes on each message.
import { logOptRegExp, type LogConfig } from './config.js';
import type { TagInfo } from './tag.js';

/** The parts of a container these options read (a LogTarget has them). */
export interface AttrSource {
  logConfig: LogConfig;
  env?: string[] | null;
  labels?: Record<string, string> | null;
}

/** The attributes Docker adds to every entry (json-file's attrs, gelf's and fluentd's extra fields). */
export function attrsFor(t: AttrSource): Record<string, string> | undefined {
  const c = t.logConfig.Config;
  const out: Record<string, string> = {};
  const labels = t.labels ?? {};
  const env = new Map(
    (t.env ?? []).map((e) => [
      e.slice(0, Math.max(0, e.indexOf('='))) || e,
      e.includes('=') ? e.slice(e.indexOf('=') + 1) : '',
    ]),
  );
  for (const k of (c.labels ?? '').split(',').filter(Boolean)) if (Object.hasOwn(labels, k)) out[k] = labels[k]!;
  if (c['labels-regex']) {
    const re = logOptRegExp(c, 'labels-regex');
    for (const [k, v] of Object.entries(labels)) if (re.test(k)) out[k] = v;
  }
  for (const k of (c.env ?? '').split(',').filter(Boolean)) if (env.has(k)) out[k] = env.get(k)!;
  if (c['env-regex']) {
    const re = logOptRegExp(c, 'env-regex');
    for (const [k, v] of env) if (re.test(k)) out[k] = v;
  }
  return Object.keys(out).length ? out : undefined;
}

/** The tag fields of a container ({{.ID}}, {{.Name}}, …) for expandTag. */
export function tagInfo(t: Omit<TagInfo, 'daemonName'>, daemonName: string): TagInfo {
  return { id: t.id, name: t.name, image: t.image, imageId: t.imageId, daemonName };
}

/** Go's url.QueryEscape: unreserved bytes stay, a space is '+', the rest %XX. */
export function goQueryEscape(s: string): string {
  return encodeURIComponent(s)
    .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, '+');
}

/**
 * `docker logs --details` (API details=1): moby's attrsByteSlice of a message's stored attributes,
 * sorted by key and query-escaped, then a space (a lone space when there are none). `stored`: the
 * driver keeps attributes with each message (json-file); the others read back none.
 */
export function detailsPrefix(t: AttrSource, stored: boolean): Buffer {
  const attrs = stored ? attrsFor(t) : undefined;
  const keys = Object.keys(attrs ?? {}).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const pairs = keys.map((k) => `${goQueryEscape(k)}=${goQueryEscape(attrs![k]!)}`);
  return Buffer.from(`${pairs.join(',')} `);
}
