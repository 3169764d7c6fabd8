// A tar the daemon streams (container export, image save) to `-o FILE` or stdout, as docker's
// commands write it: never to a terminal, a file written beside its name and renamed
// (cli/command.CopyToFile, so mode 0600 and no half-written FILE).
import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { CliContext } from '../command.js';
import { StatusError } from '../command.js';

/**
 * Refuses a terminal before `open` asks the daemon, then copies its stream to `file` (stdout when
 * empty). `failure` prefixes a file write's error (export's "failed to export container").
 */
export async function writeArchive(
  ctx: CliContext,
  file: string,
  open: () => Promise<Readable>,
  failure?: string,
): Promise<number> {
  if (!file && ctx.io.stdout.isTTY)
    throw new StatusError(1, 'cowardly refusing to save to a terminal. Use the -o flag or redirect');
  const res = await open();
  if (!file) {
    // a reader that stops early (`| head`) is not an error
    await pipeline(res, ctx.io.stdout).catch((e: NodeJS.ErrnoException) => {
      if (e.code !== 'EPIPE') throw e;
    });
    return 0;
  }
  const tmp = `${file}.berth-${process.pid}`;
  try {
    await pipeline(res, createWriteStream(tmp, { mode: 0o600 }));
  } catch (e) {
    await rm(tmp, { force: true });
    throw failure ? new StatusError(1, `${failure}: ${(e as Error).message}`) : e;
  }
  await rename(tmp, file);
  return 0;
}
