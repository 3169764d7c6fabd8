// k8s-file: conmon's own file is the log (rotated by conmon at max-size); nothing is shipped.
import { cacheReader } from '../common/cache-reader.js';
import { checkKeys, COMMON_KEYS } from '../common/config.js';
import { fileOptions } from '../common/file-options.js';
import type { LogDriver } from '../driver.js';

export const k8sFileDriver: LogDriver = {
  name: 'k8s-file',
  validate(cfg) {
    checkKeys(cfg, ['max-size', ...COMMON_KEYS]);
    fileOptions(cfg);
  },
  sizeMax: (cfg) => fileOptions(cfg).maxSize,
  logPath: (_id, k8sPath) => k8sPath,
  reader: cacheReader,
};
