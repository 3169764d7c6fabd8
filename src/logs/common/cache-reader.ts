// Docker's dual logging: drivers that keep no file of their own (syslog, gelf, fluentd) serve
// `docker logs` from conmon's k8s-file, which berthd keeps beside every container anyway.
import type { BatchReader, DriverContext, LogTarget } from '../driver.js';
import { K8sFileReader } from './k8s-file.js';

export function cacheReader(t: Pick<LogTarget, 'k8sPath'>, ctx: Pick<DriverContext, 'pollMs'>): BatchReader {
  return new K8sFileReader(t.k8sPath, { pollMs: ctx.pollMs });
}
