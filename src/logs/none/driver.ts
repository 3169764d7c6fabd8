// none: nothing is kept and `docker logs` is refused; conmon still needs a (small) file to write.
import { checkKeys } from '../common/config.js';
import type { LogDriver } from '../driver.js';

/** conmon's k8s-file cap under the none driver: nobody reads it. */
const NONE_MAX = 1024 * 1024;

export const noneDriver: LogDriver = {
  name: 'none',
  validate: (cfg) => checkKeys(cfg, []),
  sizeMax: () => NONE_MAX,
  logPath: () => '',
};
