// fluentd: each record sent with the forward protocol; `docker logs` reads conmon's file (dual logging).
import { attrsFor, tagInfo } from '../common/attrs.js';
import { cacheReader } from '../common/cache-reader.js';
import { expandTag } from '../common/tag.js';
import type { LogDriver } from '../driver.js';
import { FluentdSender } from './fluentd.js';
import { fluentdOptions } from './options.js';

export const fluentdDriver: LogDriver = {
  name: 'fluentd',
  validate: (cfg) => void fluentdOptions(cfg), // checks its own keys, in Docker's order
  sizeMax: () => -1,
  logPath: () => '',
  reader: cacheReader,
  async openSink(t, ctx) {
    const tag = expandTag(t.logConfig.Config.tag, tagInfo(t, ctx.daemonName));
    const sender = new FluentdSender(fluentdOptions(t.logConfig), {
      id: t.id,
      name: '/' + t.name.replace(/^\//, ''),
      tag,
      extra: attrsFor(t),
    });
    return {
      write: async (records) => {
        for (const r of records) sender.send(r.stream, r.line, r.time, r.partial);
        await sender.drained();
      },
      close: () => sender.close(),
    };
  },
};
