// local: Docker's compact driver (framed protobuf entries, rotated and compressed by default).
import fsp from 'node:fs/promises';
import path from 'node:path';
import { checkKeys } from '../common/config.js';
import { type FileDefaults, fileOptions } from '../common/file-options.js';
import type { LogDriver } from '../driver.js';
import { JsonFileWriter } from '../json-file/json-file.js';
import { LocalFileReader, localEncoder } from './local-file.js';

/** Docker's local driver: 20 MB files, 5 of them, rotated ones compressed. */
export const LOCAL_FILES: FileDefaults = { maxSize: 20 * 1024 * 1024, maxFile: 5, compress: true, positiveSize: true };

const logPath = (_id: string, k8sPath: string) => path.join(path.dirname(k8sPath), 'local-logs', 'container.log');

export const localDriver: LogDriver = {
  name: 'local',
  validate(cfg) {
    checkKeys(cfg, ['max-file', 'max-size', 'compress']);
    fileOptions(cfg, LOCAL_FILES);
  },
  sizeMax: () => -1,
  logPath,
  reader: (t, ctx) => new LocalFileReader(logPath(t.id, t.k8sPath), ctx.pollMs),
  async openSink(t) {
    const file = logPath(t.id, t.k8sPath);
    await fsp.mkdir(path.dirname(file), { recursive: true });
    const w = new JsonFileWriter(file, fileOptions(t.logConfig, LOCAL_FILES), undefined, localEncoder());
    return { write: (records) => w.write(records), close: () => w.close() };
  },
};
