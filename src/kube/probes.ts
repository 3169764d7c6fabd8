// Docker health checks ⇄ Kubernetes exec probes (durations: Docker nanoseconds, Kubernetes seconds).
import type { HealthConfig } from '../client/types.js';
import type { Probe } from './types.js';

const secs = (ns: number | undefined): number | undefined =>
  ns && ns > 0 ? Math.max(1, Math.round(ns / 1e9)) : undefined;

/** The probe for a health check, or undefined when there is none (or it is disabled). */
export function probeOf(h: HealthConfig | undefined, warn: (m: string) => void, who: string): Probe | undefined {
  const t = h?.Test;
  if (!h || !t || t.length === 0 || t[0] === 'NONE') return undefined;
  let command: string[];
  if (t[0] === 'CMD-SHELL') command = ['/bin/sh', '-c', t.slice(1).join(' ')];
  else if (t[0] === 'CMD') command = t.slice(1);
  else command = t;
  if (h.StartInterval) warn(`${who}: healthcheck start interval has no probe equivalent`);
  const p: Probe = { exec: { command } };
  const set = <K extends keyof Probe>(k: K, v: Probe[K] | undefined) => {
    if (v !== undefined) p[k] = v;
  };
  set('periodSeconds', secs(h.Interval));
  set('timeoutSeconds', secs(h.Timeout));
  set('initialDelaySeconds', secs(h.StartPeriod));
  set('failureThreshold', h.Retries && h.Retries > 0 ? h.Retries : undefined);
  return p;
}

/** The health check a probe plays as (the liveness probe wins over readiness). */
export function healthOf(p: Probe | undefined): HealthConfig | undefined {
  if (!p?.exec?.command?.length) return undefined;
  const ns = (s: number | undefined) => (s === undefined ? undefined : s * 1e9);
  const c = p.exec.command;
  // the form probeOf wrote for CMD-SHELL comes back as CMD-SHELL
  const shell = c.length === 3 && c[0] === '/bin/sh' && c[1] === '-c';
  const h: HealthConfig = { Test: shell ? ['CMD-SHELL', c[2]] : ['CMD', ...c] };
  if (p.periodSeconds !== undefined) h.Interval = ns(p.periodSeconds);
  if (p.timeoutSeconds !== undefined) h.Timeout = ns(p.timeoutSeconds);
  if (p.initialDelaySeconds !== undefined) h.StartPeriod = ns(p.initialDelaySeconds);
  if (p.failureThreshold !== undefined) h.Retries = p.failureThreshold;
  return h;
}
