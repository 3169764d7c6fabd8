// A shell in the container: a Tty exec created through /api, its stream over /ws/exec/{id}
// (berthd relays it), drawn by xterm.js; resizes go to the exec's resize endpoint.
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

export function TerminalView({ id, running }: { id: string; running: boolean }) {
  const el = useRef<HTMLDivElement>(null);
  const [status, setStatus] = useState('connecting');
  useEffect(() => {
    if (!running || !el.current) return;
    const term = new Terminal({ cursorBlink: true, fontSize: 14, convertEol: false });
    const fit = new FitAddon();
    term.loadAddon(fit);
    term.open(el.current);
    fit.fit();
    term.focus();
    let close = () => {};
    let gone = false;
    openShell(id, term, fit, setStatus).then(
      (c) => (gone ? c() : (close = c)),
      (e: unknown) => setStatus(`error: ${errorText(e)}`),
    );
    return () => {
      gone = true;
      close();
      term.dispose();
    };
  }, [id, running]);
  if (!running) return <p class="muted">The container is not running: start it to open a terminal.</p>;
  return (
    <div>
      <p class="muted" data-testid="terminal-status">
        /bin/sh — {status}
      </p>
      <div class="terminal" ref={el} data-testid="terminal" />
    </div>
  );
}
