// One `docker run --rm` taken apart. The requests are the docker CLI's own, in its order (create,
// attach, wait condition=removed, start); each phase is timed at the API and from the daemon's
// events, so Docker is measured the same way. The daemon's own finer split (berthd's debug lines)
// is added by bench.ts when it can read the log.
import http from 'node:http';
import { median } from './stats.js';

interface Reply {
  status: number;
  body: string;
}

const now = (): number => performance.timeOrigin + performance.now();

function request(sock: string, method: string, path: string, body?: object): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const data = body ? JSON.stringify(body) : undefined;
    const headers: Record<string, string> = data ? { 'Content-Type': 'application/json' } : {};
    const req = http.request({ socketPath: sock, method, path, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    req.end(data);
  });
}

async function must(sock: string, method: string, path: string, body?: object): Promise<Reply> {
  const r = await request(sock, method, path, body);
  if (r.status >= 300) throw new Error(`${method} ${path}: ${r.status} ${r.body.trim()}`);
  return r;
}

/** The daemon's container events with a label, as they come: action → time (epoch ms). */
function events(sock: string, label: string): Promise<{ seen: Map<string, number>; close: () => void }> {
  const filters = encodeURIComponent(JSON.stringify({ type: ['container'], label: [label] }));
  return new Promise((resolve, reject) => {
    const seen = new Map<string, number>();
    const req = http.get({ socketPath: sock, path: `/events?filters=${filters}` }, (res) => {
      let buf = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => {
        buf += c;
        for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
          const line = buf.slice(0, i).trim();
          buf = buf.slice(i + 1);
          if (!line) continue;
          const e = JSON.parse(line) as { Action?: string; status?: string; timeNano?: number };
          const action = (e.Action ?? e.status ?? '').split(':')[0];
          if (action && !seen.has(action)) seen.set(action, (e.timeNano ?? 0) / 1e6);
        }
      });
      resolve({ seen, close: () => req.destroy() });
    });
    req.on('error', reject);
  });
}

/** Attach like the CLI (an upgraded stream); resolves once attached, with the time the output ended. */
function attach(sock: string, id: string): Promise<{ ended: Promise<number> }> {
  return new Promise((resolve, reject) => {
    const req = http.request({
      socketPath: sock,
      method: 'POST',
      path: `/containers/${id}/attach?stream=1&stdout=1&stderr=1`,
      headers: { Connection: 'Upgrade', Upgrade: 'tcp' },
    });
    const follow = (s: NodeJS.ReadableStream) => ({
      ended: new Promise<number>((done) => {
        s.on('data', () => {});
        s.on('end', () => done(now()));
        s.on('close', () => done(now()));
      }),
    });
    req.on('upgrade', (_res, socket) => resolve(follow(socket)));
    req.on('response', (res) => resolve(follow(res)));
    req.on('error', reject);
    req.end();
  });
}

/** Phase name → ms, for one run. */
async function once(sock: string, label: string, image: string): Promise<Map<string, number>> {
  const ev = await events(sock, label);
  try {
    const t0 = now();
    const created = await must(sock, 'POST', '/containers/create', {
      Image: image,
      Cmd: ['echo', 'hi'],
      Labels: { [label.split('=')[0]]: label.split('=')[1] ?? '' },
      AttachStdout: true,
      AttachStderr: true,
      HostConfig: { AutoRemove: true },
    });
    const id = (JSON.parse(created.body) as { Id: string }).Id;
    const tCreated = now();
    const att = await attach(sock, id);
    const tAttached = now();
    const waited = must(sock, 'POST', `/containers/${id}/wait?condition=removed`).then(now);
    await must(sock, 'POST', `/containers/${id}/start`);
    const tStarted = now();
    const [tEof, tWait] = await Promise.all([att.ended, waited]);
    // the destroy event may trail the wait reply by a moment
    for (let i = 0; i < 100 && !ev.seen.has('destroy'); i++) await new Promise((r) => setTimeout(r, 10));
    const die = ev.seen.get('die') ?? Number.NaN;
    const destroy = ev.seen.get('destroy') ?? Number.NaN;
    return new Map([
      ['create: request → reply', tCreated - t0],
      ['attach: request → upgraded', tAttached - tCreated],
      ['start: request → reply', tStarted - tAttached],
      ['exit: start reply → die event (echo ran, exit handled)', die - tStarted],
      ['removal: die → destroy event', destroy - die],
      ['wait reply after destroy', tWait - destroy],
      ['total', tWait - t0],
      ['(output ended, after the start request)', tEof - tAttached],
    ]);
  } finally {
    ev.close();
  }
}

/** Medians over n runs of each phase of `run --rm <image> echo hi`. */
export async function runBreakdown(
  sock: string,
  label: string,
  n: number,
  image = 'busybox',
): Promise<Map<string, number>> {
  await once(sock, label, image); // warm-up
  const runs: Map<string, number>[] = [];
  for (let i = 0; i < n; i++) runs.push(await once(sock, label, image));
  return new Map([...runs[0].keys()].map((k) => [k, median(runs.map((r) => r.get(k) ?? Number.NaN))]));
}

// berthd's debug lines (engine/lifecycle.ts, engine/remove.ts): fields "name ms" → phase name; the
// exit line's fields are when each step ended since the exit (they run side by side)
const DAEMON_LINES: Array<[RegExp, string, string[]]> = [
  [/msg="start \w+: ((?:\w+ [\d.]+ )+)ms"/g, 'berthd start', ['mount', 'task', 'run', 'persist']],
  [/msg="create \w+: ((?:\w+ [\d.]+ )+)ms"/g, 'berthd start task', ['network', 'spec', 'runtime']],
  [/msg="exit \w+: ((?:\w+ [\d.]+ )+)ms/g, 'berthd exit, ended at', ['delete', 'flush', 'unmount', 'release']],
  [/msg="remove \w+: ((?:\w+ [\d.]+ )+)ms"/g, 'berthd remove', ['unmount', 'data', 'record']],
];
const DAEMON_NAMES: Record<string, string> = {
  mount: 'rootfs mount',
  task: 'task (network, spec, conmon, runc create+start)',
  persist: 'persist running',
  run: 'runtime start (in the task)',
  network: 'netns, endpoints, etc files',
  spec: 'volumes and OCI spec',
  runtime: 'conmon and runc create',
  delete: 'runtime delete',
  flush: 'log streams flushed',
  release: 'volumes and network released',
  unmount: 'rootfs unmount',
  data: 'bundle, snapshot, endpoints, log reader',
  record: 'record',
};

/** Medians of the phases berthd logged at debug level in `text` (a slice of its log). */
export function daemonPhases(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const [re, prefix, fields] of DAEMON_LINES) {
    const seen = new Map<string, number[]>(fields.map((f) => [f, []]));
    for (const m of text.matchAll(re)) {
      const parts = m[1].split(' ');
      for (let i = 0; i + 1 < parts.length; i += 2) seen.get(parts[i])?.push(Number(parts[i + 1]));
    }
    for (const [f, xs] of seen) if (xs.length) out.set(`${prefix}: ${DAEMON_NAMES[f] ?? f}`, median(xs));
  }
  return out;
}
