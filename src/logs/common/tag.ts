// Docker's log tag template ({{.ID}}, {{.Name}}, …), shared by syslog, gelf and fluentd.
import { EngineError } from '../../errdefs.js';

export interface TagInfo {
  id: string;
  name: string;
  image: string;
  imageId: string;
  daemonName: string;
}

/** Expands Docker's log tag template; the default is the short container id. */
export function expandTag(template: string | undefined, i: TagInfo): string {
  const t = template === undefined || template === '' ? '{{.ID}}' : template;
  const imgHex = i.imageId.replace(/^sha256:/, '');
  const fields: Record<string, string> = {
    ID: i.id.slice(0, 12),
    FullID: i.id,
    Name: i.name.replace(/^\//, ''),
    ImageName: i.image,
    ImageID: imgHex.slice(0, 12),
    ImageFullID: i.imageId,
    DaemonName: i.daemonName,
  };
  return t.replace(/\{\{\s*\.(\w+)\s*\}\}/g, (all, k: string) => {
    if (Object.hasOwn(fields, k)) return fields[k]!;
    throw new EngineError('invalid', `template: log-tag:1: can't evaluate field ${k} in type *logger.Info`);
  });
}
