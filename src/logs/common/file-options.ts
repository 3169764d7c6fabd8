// The file drivers' rotation options (json-file, local, k8s-file), with Docker's defaults and texts.
import { invalid } from '../../errdefs.js';
import { parseGoBool, parseSize, type LogConfig } from './config.js';

export interface FileOptions {
  /** Bytes per file; -1 = unlimited. */
  maxSize: number;
  maxFile: number;
  compress: boolean;
}

export function fileOptions(cfg: LogConfig): FileOptions {
  const local = cfg.Type === 'local';
  const c = cfg.Config;
  let maxSize = local ? 20 * 1024 * 1024 : -1;
  if (c['max-size'] !== undefined && c['max-size'] !== '') {
    maxSize = parseSize(c['max-size']);
    if (local && maxSize <= 0) throw invalid('max-size must be a positive number');
  }
  let maxFile = local ? 5 : 1;
  if (c['max-file'] !== undefined && c['max-file'] !== '') {
    if (!/^-?\d+$/.test(c['max-file'])) throw invalid(`strconv.Atoi: parsing "${c['max-file']}": invalid syntax`);
    maxFile = Number(c['max-file']);
    if (maxFile < 1) throw invalid('max-file cannot be less than 1');
  }
  let compress = local && maxFile >= 2; // Docker's local driver compresses rotated files by default
  if (c.compress !== undefined && c.compress !== '') {
    compress = parseGoBool(c.compress, 'error parsing compress log option: ');
    if (compress && maxFile < 2) throw invalid('compress cannot be true when max-file is less than 2');
  }
  return { maxSize, maxFile, compress };
}
