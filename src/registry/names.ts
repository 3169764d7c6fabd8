// Repository names, tags and digests as the distribution spec defines them.
import { regErr } from './errors.js';

const COMPONENT = '[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*';
const NAME_RE = new RegExp(`^${COMPONENT}(?:/${COMPONENT})*$`);
const TAG_RE = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const DIGEST_RE = /^([a-z0-9]+(?:[.+_-][a-z0-9]+)*):([a-zA-Z0-9=_-]+)$/;

export function isValidName(name: string): boolean {
  return name.length <= 255 && NAME_RE.test(name);
}

export function checkName(name: string): string {
  if (!isValidName(name)) throw regErr('NAME_INVALID', { Name: name }, { message: 'invalid repository name' });
  return name;
}

export function isTag(ref: string): boolean {
  return TAG_RE.test(ref);
}

/** A digest berth can store (sha256 only); anything else is DIGEST_INVALID. */
export function checkDigest(d: string): string {
  const m = DIGEST_RE.exec(d);
  if (!m) throw regErr('DIGEST_INVALID', { Digest: d }, { message: 'invalid digest' });
  if (m[1] !== 'sha256')
    throw regErr('DIGEST_INVALID', { Digest: d }, { message: `unsupported digest algorithm: ${m[1]}` });
  if (!/^[a-f0-9]{64}$/.test(m[2])) throw regErr('DIGEST_INVALID', { Digest: d }, { message: 'invalid digest' });
  return d;
}

export function isDigestRef(ref: string): boolean {
  return ref.includes(':');
}
