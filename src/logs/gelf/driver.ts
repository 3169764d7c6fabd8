// gelf: each record sent to a Graylog endpoint; `docker logs` reads conmon's file (dual logging).
import { attrsFor, tagInfo } from '../common/attrs.js';
import { cacheReader } from '../common/cache-reader.js';
import { expandTag } from '../common/tag.js';
import type { LogDriver } from '../driver.js';
import { gelfExtra, GelfSender } from './gelf.js';
import { gelfOptions } from './options.js';

export const gelfDriver: LogDriver = {
  name: 'gelf',
  validate: (cfg) => void gelfOptions(cfg), // Docker checks the address before the keys
  sizeMax: () => -1,
  logPath: () => '',
  reader: cacheReader,
  async openSink(t, ctx) {
    const tag = expandTag(t.logConfig.Config.tag, tagInfo(t, ctx.daemonName));
    const extra = gelfExtra({
      id: t.id,
      name: t.name,
      imageId: t.imageId,
      image: t.image,
      command: t.command ?? '',
      tag,
      created: t.created ?? '',
      attrs: attrsFor(t),
    });
    const sender = new GelfSender(gelfOptions(t.logConfig), extra);
    return {
      write: async (records) => {
        for (const r of records) sender.send(r.stream, r.line, r.time);
        await sender.drained();
      },
      close: () => sender.close(),
    };
  },
};
