// Where each log driver keeps its files, beside conmon's k8s-file in the container's directory.
import { logDriver } from './drivers.js';

/** The LogPath inspect shows: the driver's own file, or "" for drivers without one (syslog, none). */
export function driverLogPath(id: string, k8sPath: string, type: string): string {
  return logDriver(type)?.logPath(id, k8sPath) ?? '';
}
