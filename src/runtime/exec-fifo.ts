// `runc start` without runc: a created container's `runc init` waits, blocked, to write one byte
// to <root>/<id>/exec.fifo; reading it to the end (the fd is closed on exec) lets it exec the
// command, and removing the fifo is what makes `runc state` say running. That is all runc 1.x's
// start does (libcontainer's exec/handleFifoResult), but it costs a Go process (~15 ms of CPU
// idle, far more under load) on every start. Anything unexpected answers 'fallback': the caller
// runs the real `runc start`, which reports the error in runc's words.
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';

/** How often the init process is checked while the fifo has not been opened (runc: 100 ms). */
const CHECK_MS = 50;

/** Whether `pid` is gone or a zombie (it died before exec'ing the command). */
function deadOrZombie(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) === 'Z';
  } catch {
    return true;
  }
}

/**
 * Starts the created container `id` of the runc whose state root is `root`, whose init has pid
 * `initPid`. 'started' once the command was exec'd; 'fallback' when the fifo is not there or the
 * init died first (the caller then runs `runc start` for runc's own answer).
 */
export async function startByExecFifo(root: string, id: string, initPid: number): Promise<'started' | 'fallback'> {
  const fifo = path.join(root, id, 'exec.fifo');
  let fd: number;
  try {
    const st = await fsp.lstat(fifo);
    if (!st.isFIFO()) return 'fallback';
    // non-blocking: a reader that waits for a writer that died would hang a libuv thread for ever
    fd = fs.openSync(fifo, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
  } catch {
    return 'fallback';
  }
  const got = await readToEnd(fd, initPid);
  if (got <= 0) return 'fallback';
  await fsp.rm(fifo, { force: true });
  return 'started';
}

/**
 * Bytes read until the writer closed its end (runc init exec'd), or -1 if the init died without
 * ever writing. The kernel reports no hang-up on a fifo until a writer came and went, so the pipe
 * waits quietly for runc init to open its end.
 */
function readToEnd(fd: number, initPid: number): Promise<number> {
  return new Promise((resolve) => {
    const s = new net.Socket({ fd, readable: true, writable: false });
    let n = 0;
    let done = false;
    const finish = (v: number) => {
      if (done) return;
      done = true;
      clearInterval(check);
      s.destroy();
      resolve(v);
    };
    s.on('data', (b: Buffer) => (n += b.length));
    s.on('end', () => finish(n));
    s.on('close', () => finish(n));
    s.on('error', () => finish(-1));
    // the init may have written, exec'd and exited between two checks with its byte still
    // unread here: a dead init counts only on the second check in a row
    let suspect = false;
    const check = setInterval(() => {
      if (n > 0 || !deadOrZombie(initPid)) suspect = false;
      else if (suspect) finish(-1);
      else suspect = true;
    }, CHECK_MS);
  });
}
