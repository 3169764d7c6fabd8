// syslog: each record sent to a syslog server; `docker logs` reads conmon's file (dual logging).
import { tagInfo } from '../common/attrs.js';
import { cacheReader } from '../common/cache-reader.js';
import { checkKeys, COMMON_KEYS } from '../common/config.js';
import { expandTag } from '../common/tag.js';
import type { LogDriver } from '../driver.js';
import { syslogOptions } from './options.js';
import { SyslogSender } from './syslog.js';

const KEYS = [
  'syslog-address',
  'syslog-facility',
  'syslog-format',
  'syslog-tls-ca-cert',
  'syslog-tls-cert',
  'syslog-tls-key',
  'syslog-tls-skip-verify',
  ...COMMON_KEYS,
];

export const syslogDriver: LogDriver = {
  name: 'syslog',
  validate(cfg) {
    checkKeys(cfg, KEYS);
    syslogOptions(cfg, 'berth');
  },
  sizeMax: () => -1,
  logPath: () => '',
  reader: cacheReader,
  async openSink(t, ctx) {
    const tag = expandTag(t.logConfig.Config.tag, tagInfo(t, ctx.daemonName));
    const sender = new SyslogSender(syslogOptions(t.logConfig, ctx.daemonName), tag);
    return {
      write: async (records) => {
        for (const r of records) sender.send(r.stream, r.line);
      },
      close: () => sender.close(),
    };
  },
};
