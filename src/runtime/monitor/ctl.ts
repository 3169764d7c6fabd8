// conmon's ctl FIFO (in the bundle directory): "1 <height> <width>\n" resizes the terminal,
// "2 0 0\n" reopens the log file (after a rotation). The one writer of that protocol.
import fs from 'node:fs';

export type CtlMessage = { op: 'resize'; height: number; width: number } | { op: 'reopen-log' };

/**
 * Writes one message. O_NONBLOCK: never hang on a dead conmon (ENXIO when nobody reads the FIFO).
 * Throws when conmon is not listening; callers decide whether that matters.
 */
export function writeConmonCtl(ctlPath: string, m: CtlMessage): void {
  const line = m.op === 'resize' ? `1 ${m.height} ${m.width}\n` : '2 0 0\n';
  const fd = fs.openSync(ctlPath, fs.constants.O_WRONLY | fs.constants.O_NONBLOCK);
  try {
    fs.writeSync(fd, line);
  } finally {
    fs.closeSync(fd);
  }
}
