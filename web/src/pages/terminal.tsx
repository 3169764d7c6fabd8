// A shell in the container: a Tty exec created through /api, its stream over /ws/exec/{id}
// (berthd relays it), drawn by xterm.js; resizes go to the exec's resize endpoint. Or attach to
// the main process through the Engine API's own websocket (/containers/{id}/attach/ws).
import { FitAddon } from '@xterm/addon-fit';
import { Terminal } from '@xterm/xterm';
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, errorText } from '../lib/api.js';

async function openShell(
  id: string,
  term: Terminal,
  fit: FitAddon,
  setStatus: (s: string) => void,
): Promise<() => void> {
  const exec = await api<{ Id: string }>(`/containers/${id}/exec`, {
    method: 'POST',
    json: {
      AttachStdin: true,
      AttachStdout: true,
      AttachStderr: true,
      Tty: true,
      Cmd: ['/bin/sh'],
      Env: ['TERM=xterm-256color'],
    },
  });
  const ws = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws/exec/${exec.Id}`);
  ws.binaryType = 'arraybuffer';
  const enc = new TextEncoder();
  const resize = () => {
    fit.fit();
    api(`/exec/${exec.Id}/resize?h=${term.rows}&w=${term.cols}`, { method: 'POST' }).catch(() => {});
  };
  ws.onopen = () => {
    setStatus('connected');
    setTimeout(resize, 100);
  };
  ws.onmessage = (m) => term.write(typeof m.data === 'string' ? m.data : new Uint8Array(m.data as ArrayBuffer));
  ws.onclose = (e) => setStatus(e.reason ? `closed: ${e.reason}` : 'closed');
  const input = term.onData((d) => ws.readyState === WebSocket.OPEN && ws.send(enc.encode(d)));
  addEventListener('resize', resize);
  return () => {
    removeEventListener('resize', resize);
    input.dispose();
    ws.close();
  };
}

/** Attach to the main process: moby's websocket attach is never multiplexed, so bytes go straight to xterm. */
function openAttach(id: string, term: Terminal, fit: FitAddon, setStatus: (s: string) => void): () => void {
  const q = 'stream=1&stdin=1&stdout=1&stderr=1&logs=1';
  const ws = new WebSocket(
    `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/api/containers/${id}/attach/ws?${q}`,
  );
  ws.binaryType = 'arraybuffer';
  const enc = new TextEncoder();
  ws.onopen = () => {
    setStatus('connected');
    fit.fit();
    api(`/containers/${id}/resize?h=${term.rows}&w=${term.cols}`, { method: 'POST' }).catch(() => {});
  };
  ws.onmessage = (m) => term.write(typeof m.data === 'string' ? m.data : new Uint8Array(m.data as ArrayBuffer));
  ws.onclose = (e) => setStatus(e.reason ? `closed: ${e.reason}` : 'closed');
  const input = term.onData((d) => ws.readyState === WebSocket.OPEN && ws.send(enc.encode(d)));
  return () => {
    input.dispose();
    ws.close();
  };
}

export function TerminalView({ id, running, tty }: { id: string; running: boolean; tty: boolean }) {
  const el = useRef<HTMLDivElement>(null);
  const [status, setStatus] = useState('connecting');
  const [mode, setMode] = useState<'exec' | 'attach'>('exec');
  useEffect(() => {
    if (!running || !el.current) return;
    // without a tty the main process writes bare \n: xterm then needs to return the carriage itself
    const term = new Terminal({ cursorBlink: true, fontSize: 14, convertEol: mode === 'attach' && !tty });
    const fit = new FitAddon();
    term.loadAddon(fit);
    term.open(el.current);
    fit.fit();
    term.focus();
    let close = () => {};
    let gone = false;
    setStatus('connecting');
    if (mode === 'attach') close = openAttach(id, term, fit, setStatus);
    else
      openShell(id, term, fit, setStatus).then(
        (c) => (gone ? c() : (close = c)),
        (e: unknown) => setStatus(`error: ${errorText(e)}`),
      );
    return () => {
      gone = true;
      close();
      term.dispose();
    };
  }, [id, running, mode, tty]);
  if (!running) return <p class="muted">The container is not running: start it to open a terminal.</p>;
  return (
    <div>
      <div class="toolbar">
        <select
          data-testid="terminal-mode"
          value={mode}
          onChange={(e) => setMode((e.target as HTMLSelectElement).value as 'exec' | 'attach')}
        >
          <option value="exec">Shell (exec /bin/sh)</option>
          <option value="attach">Attach to the main process</option>
        </select>
        <span class="muted" data-testid="terminal-status">
          {mode === 'exec' ? '/bin/sh' : 'attach'} — {status}
        </span>
      </div>
      <div class="terminal" ref={el} data-testid="terminal" />
    </div>
  );
}
