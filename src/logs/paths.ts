// Where each log driver keeps its files, beside conmon's k8s-file in the container's directory.
import path from 'node:path';

/** The LogPath inspect shows: the driver's own file, or "" for drivers without one (syslog, none). */
export function driverLogPath(id: string, k8sPath: string, type: string): string {
  const dir = path.dirname(k8sPath);
  switch (type) {
    case 'json-file':
      return path.join(dir, `${id}-json.log`);
    case 'local':
      return path.join(dir, 'local-logs', 'container.log');
    case 'k8s-file':
      return k8sPath;
    default:
      return '';
  }
}
