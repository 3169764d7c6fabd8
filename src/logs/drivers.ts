// The one table of log drivers, in Docker's order. Adding a driver: a folder and a line here.
import { type AttrSource, detailsPrefix } from './common/attrs.js';
import type { LogDriver } from './driver.js';
import { fluentdDriver } from './fluentd/driver.js';
import { gelfDriver } from './gelf/driver.js';
import { jsonFileDriver } from './json-file/driver.js';
import { k8sFileDriver } from './k8s-file/driver.js';
import { localDriver } from './local/driver.js';
import { noneDriver } from './none/driver.js';
import { syslogDriver } from './syslog/driver.js';

export const LOG_DRIVER_TABLE: ReadonlyMap<string, LogDriver> = new Map(
  [jsonFileDriver, localDriver, syslogDriver, gelfDriver, fluentdDriver, noneDriver, k8sFileDriver].map((d) => [
    d.name,
    d,
  ]),
);

/** `docker logs --details`: the attributes the container's driver read back with each line, then a space. */
export function logDetailsPrefix(t: AttrSource): Buffer {
  return detailsPrefix(t, !!logDriver(t.logConfig.Type)?.storesAttrs);
}

/** The driver named `name`, or undefined (an unknown name is the caller's error to word). */
export function logDriver(name: string): LogDriver | undefined {
  return LOG_DRIVER_TABLE.get(name);
}
