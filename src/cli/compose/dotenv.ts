// .env and env_file parsing as Compose does it: KEY=VAL lines, `#` comments, optional `export `,
// single quotes literal, double quotes with \n escapes, a bare KEY takes the value from the environment.
import { lookup as own, type Env } from './interpolate.js';

export function parseDotEnv(text: string, lookup: Env = {}): Record<string, string> {
  const out: Record<string, string> = {};
  for (const raw of text.split(/\r?\n/)) {
    let line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    if (line.startsWith('export ')) line = line.slice(7).trim();
    const i = line.indexOf('=');
    if (i < 0) {
      const v = own(lookup, line);
      if (v !== undefined) out[line] = v;
      continue;
    }
    const k = line.slice(0, i).trim();
    let v = line.slice(i + 1).trim();
    if (v.startsWith("'") && v.lastIndexOf("'") > 0) v = v.slice(1, v.lastIndexOf("'"));
    else if (v.startsWith('"') && v.lastIndexOf('"') > 0)
      v = v.slice(1, v.lastIndexOf('"')).replace(/\\n/g, '\n').replace(/\\"/g, '"').replace(/\\\\/g, '\\');
    else {
      const h = v.search(/\s#/);
      if (h >= 0) v = v.slice(0, h).trim();
    }
    out[k] = v;
  }
  return out;
}
