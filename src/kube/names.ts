// Kubernetes name and label rules (DNS-1123 names, label keys and values), and Docker's name forms.

/** A DNS-1123 label from any Docker name: lowercase, [a-z0-9-], at most 63, no dash at either end. */
export function dnsName(s: string): string {
  const n = s
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/-{2,}/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 63)
    .replace(/-+$/g, '');
  return n || 'x';
}

const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const LABEL_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Is `k=v` a valid Kubernetes label (else it goes to annotations)? */
export function isLabel(k: string, v: string): boolean {
  if (v.length > 63 || !LABEL_VALUE.test(v)) return false;
  const i = k.lastIndexOf('/');
  const prefix = i >= 0 ? k.slice(0, i) : '';
  const name = i >= 0 ? k.slice(i + 1) : k;
  if (name.length > 63 || !LABEL_NAME.test(name)) return false;
  return i < 0 || (prefix.length <= 253 && DNS_SUBDOMAIN.test(prefix));
}

/** Is `k` a valid annotation key (same key rule as labels, any value)? */
export function isAnnotationKey(k: string): boolean {
  return isLabel(k, '');
}

/** An environment variable name Kubernetes accepts. */
export function isEnvName(k: string): boolean {
  return /^[-._a-zA-Z][-._a-zA-Z0-9]*$/.test(k);
}
