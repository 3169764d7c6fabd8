// The stderr of a non-TTY `<runtime> exec`: the process's own output, and the runtime's failure text.
// runc writes its failure in logrus form (`level=error msg=…`); crun writes plain text and the same
// message as JSON to its --log file, so its stderr is held until the process runs or the log says
// the exec failed.
import fsp from 'node:fs/promises';

export class ExecStderr {
  private held: Buffer[] | null;
  private logrusErr = '';
  constructor(
    private readonly emit: (c: Buffer) => void,
    /** crun's --log file (JSON lines); null for runc's logrus stderr. */
    private readonly logFile: string | null,
  ) {
    this.held = logFile ? [] : null;
  }

  data(c: Buffer): void {
    if (this.held) return void this.held.push(c);
    const s = c.toString();
    if (!this.logFile && /level=(error|fatal)/.test(s)) this.logrusErr += s;
    else this.emit(c);
  }

  /** The process runs: what was held is its own output. */
  started(): void {
    const held = this.held;
    this.held = null;
    for (const c of held ?? []) this.emit(c);
  }

  /** After the runtime exited: its failure text ('' when the exec ran); held output is emitted. */
  async finish(): Promise<string> {
    if (!this.logFile) return this.logrusErr;
    const msgs = await runtimeErrors(this.logFile);
    await fsp.rm(this.logFile, { force: true });
    const held = Buffer.concat(this.held ?? []).toString();
    this.held = null;
    // crun echoes each logged error on stderr: that echo is its message, not the process's output
    const rest = msgs.length ? held.split('\n').filter((l) => l && !msgs.includes(l.trim())) : [];
    if (!msgs.length && held) this.emit(Buffer.from(held));
    else if (rest.length) this.emit(Buffer.from(`${rest.join('\n')}\n`));
    return msgs.join('\n');
  }
}

/** The error and fatal messages of a runtime's JSON log. */
export async function runtimeErrors(file: string): Promise<string[]> {
  const text = await fsp.readFile(file, 'utf8').catch(() => '');
  const out: string[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      const e = JSON.parse(line) as { level?: string; msg?: string };
      if ((e.level === 'error' || e.level === 'fatal') && e.msg) out.push(e.msg);
    } catch {
      /* a torn line */
    }
  }
  return out;
}
