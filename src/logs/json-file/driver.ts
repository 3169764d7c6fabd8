// json-file: Docker's default driver. A shipper copies conmon's records into <id>-json.log.
import fsp from 'node:fs/promises';
import path from 'node:path';
import { attrsFor } from '../common/attrs.js';
import { checkKeys, COMMON_KEYS } from '../common/config.js';
import { fileOptions } from '../common/file-options.js';
import type { LogDriver } from '../driver.js';
import { JsonFileReader, JsonFileWriter } from './json-file.js';
import { dropShipped, jsonFileTail } from './shipped-tail.js';

const logPath = (id: string, k8sPath: string) => path.join(path.dirname(k8sPath), `${id}-json.log`);

export const jsonFileDriver: LogDriver = {
  name: 'json-file',
  validate(cfg) {
    checkKeys(cfg, ['max-file', 'max-size', 'compress', ...COMMON_KEYS]);
    fileOptions(cfg);
  },
  sizeMax: () => -1,
  logPath,
  reader: (t, ctx) => new JsonFileReader(logPath(t.id, t.k8sPath), ctx.pollMs),
  storesAttrs: true, // the "attrs" member of each line
  async openSink(t, _ctx, resuming) {
    const file = logPath(t.id, t.k8sPath);
    await fsp.mkdir(path.dirname(file), { recursive: true });
    const w = new JsonFileWriter(file, fileOptions(t.logConfig), attrsFor(t));
    // resuming after a kill: what the file already holds is not written again
    let tail = resuming ? await jsonFileTail(file) : null;
    return {
      write: async (records) => {
        if (tail) {
          const d = dropShipped(records, tail);
          records = d.rest;
          if (!d.pending) tail = null;
        }
        if (records.length) await w.write(records);
      },
      close: () => w.close(),
    };
  },
};
