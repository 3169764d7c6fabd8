// Signal names as Docker accepts them: "KILL", "SIGKILL", "9", "sigusr1".
import os from 'node:os';
import { invalid } from '../errdefs.js';

const signals = os.constants.signals as Record<string, number>;

export function parseSignal(s: string | number | undefined | null, dflt = 'SIGTERM'): number {
  if (s === undefined || s === null || s === '') return parseSignal(dflt);
  if (typeof s === 'number') return s;
  if (/^[0-9]+$/.test(s)) {
    const n = Number(s);
    if (n <= 0 || n > 64) throw invalid(`Invalid signal: ${s}`);
    return n;
  }
  let name = s.toUpperCase();
  if (!name.startsWith('SIG')) name = 'SIG' + name;
  const n = signals[name];
  if (n === undefined) throw invalid(`Invalid signal: ${s}`);
  return n;
}
