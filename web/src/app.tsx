// The dashboard shell: login gate, navigation (hash routes), and one events stream that marks
// views stale so every page stays live without reloads.
import { useEffect, useState } from 'preact/hooks';
import { Versions } from './hooks.js';
import { ApiError, api, onUnauthorized, stream } from './lib/api.js';
import { reduceVersions, type EngineEvent, type View } from './lib/events.js';
import { NdjsonSplitter } from './lib/ndjson.js';
import { ContainerPage } from './pages/container.js';
import { ContainersPage } from './pages/containers.js';
import { ImagesPage } from './pages/images.js';
import { LoginPage } from './pages/login.js';
import { NetworksPage } from './pages/networks.js';
import { SystemPage } from './pages/system.js';
import { VolumesPage } from './pages/volumes.js';

const NAV: Array<[string, string]> = [
  ['containers', 'Containers'],
  ['images', 'Images'],
  ['networks', 'Networks'],
  ['volumes', 'Volumes'],
  ['system', 'System'],
];

function useHash(): string[] {
  const [h, setH] = useState(location.hash);
  useEffect(() => {
    const on = () => setH(location.hash);
    addEventListener('hashchange', on);
    return () => removeEventListener('hashchange', on);
  }, []);
  return h.replace(/^#\/?/, '').split('/').filter(Boolean).map(decodeURIComponent);
}

/** Follows /events for as long as the app is open, reconnecting after a drop. */
function useEvents(enabled: boolean): [Record<View, number>, boolean] {
  const [v, setV] = useState<Record<View, number>>({ containers: 0, images: 0, networks: 0, volumes: 0, system: 0 });
  const [live, setLive] = useState(false);
  useEffect(() => {
    if (!enabled) return;
    const ac = new AbortController();
    const run = async () => {
      while (!ac.signal.aborted) {
        const split = new NdjsonSplitter<EngineEvent>();
        setLive(true);
        await stream('/events', (c) => setV((cur) => split.push(c).reduce(reduceVersions, cur)), ac.signal).catch(
          () => {},
        );
        setLive(false);
        if (!ac.signal.aborted) await new Promise((r) => setTimeout(r, 1000));
      }
    };
    void run();
    return () => ac.abort();
  }, [enabled]);
  return [v, live];
}

function Page({ route }: { route: string[] }) {
  const [top, id, tab] = route;
  if (top === 'containers' && id) return <ContainerPage id={id} tab={tab ?? 'logs'} />;
  if (top === 'images') return <ImagesPage />;
  if (top === 'networks') return <NetworksPage />;
  if (top === 'volumes') return <VolumesPage />;
  if (top === 'system') return <SystemPage />;
  return <ContainersPage />;
}

export function App() {
  const [authed, setAuthed] = useState<boolean | null>(null);
  const route = useHash();
  useEffect(() => {
    onUnauthorized.fn = () => setAuthed(false);
    // 401 asks for the token; anything else (berthd still starting: 502) is tried again
    const check = () =>
      api('/_ping').then(
        () => setAuthed(true),
        (e: unknown) => (e instanceof ApiError && e.status === 401 ? setAuthed(false) : setTimeout(check, 1000)),
      );
    void check();
  }, []);
  const [versions, live] = useEvents(authed === true);
  if (authed === null) return <p class="muted">Connecting…</p>;
  if (!authed) return <LoginPage onLogin={() => setAuthed(true)} />;
  const current = route[0] ?? 'containers';
  return (
    <Versions.Provider value={versions}>
      <header>
        <strong class="brand">berth</strong>
        <nav>
          {NAV.map(([k, label]) => (
            <a key={k} href={`#/${k}`} class={current === k ? 'active' : ''}>
              {label}
            </a>
          ))}
        </nav>
        <span class={live ? 'live on' : 'live'} title="events stream">
          {live ? '● live' : '○ offline'}
        </span>
      </header>
      <main>
        <Page route={route} />
      </main>
    </Versions.Provider>
  );
}
