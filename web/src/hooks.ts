// Small hooks shared by the pages.
import { createContext } from 'preact';
import { useContext, useEffect, useState } from 'preact/hooks';
import { api, errorText } from './lib/api.js';
import type { View } from './lib/events.js';

/** How many times each view went stale (events.ts); pages refetch when theirs changes. */
export const Versions = createContext<Record<View, number>>({
  containers: 0,
  images: 0,
  networks: 0,
  volumes: 0,
  system: 0,
});

export function useVersion(v: View): number {
  return useContext(Versions)[v];
}

/** GET `path` now and whenever one of `deps` changes; keeps the last answer while refetching. */
export function useApi<T>(
  path: string | null,
  deps: unknown[] = [],
): { data: T | null; error: string; reload: () => void } {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState('');
  const [n, setN] = useState(0);
  useEffect(() => {
    if (!path) return;
    let live = true;
    api<T>(path).then(
      (d) => {
        if (!live) return;
        setData(d);
        setError('');
      },
      (e: unknown) => live && setError(errorText(e)),
    );
    return () => {
      live = false;
    };
  }, [path, n, ...deps]);
  return { data, error, reload: () => setN((x) => x + 1) };
}
