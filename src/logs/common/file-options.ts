// The file drivers' rotation options (json-file, local, k8s-file), with Docker's texts. Each driver
// passes its own defaults (local: 20 MB × 5 files, compressed; the others: one unbounded file).
import { invalid } from '../../errdefs.js';
import { parseGoBool, parseSize, type LogConfig } from './config.js';

export interface FileOptions {
  /** Bytes per file; -1 = unlimited. */
  maxSize: number;
  maxFile: number;
  compress: boolean;
}

export interface FileDefaults {
  maxSize: number;
  maxFile: number;
  /** Rotated files are compressed unless `compress` says otherwise (when there are any: max-file ≥ 2). */
  compress: boolean;
  /** max-size must be positive (local's check). */
  positiveSize: boolean;
}

/** json-file's and k8s-file's defaults, as Docker's. */
export const UNBOUNDED_FILE: FileDefaults = { maxSize: -1, maxFile: 1, compress: false, positiveSize: false };

export function fileOptions(cfg: LogConfig, d: FileDefaults = UNBOUNDED_FILE): FileOptions {
  const c = cfg.Config;
  let maxSize = d.maxSize;
  if (c['max-size'] !== undefined && c['max-size'] !== '') {
    maxSize = parseSize(c['max-size']);
    if (d.positiveSize && maxSize <= 0) throw invalid('max-size must be a positive number');
  }
  let maxFile = d.maxFile;
  if (c['max-file'] !== undefined && c['max-file'] !== '') {
    if (!/^-?\d+$/.test(c['max-file'])) throw invalid(`strconv.Atoi: parsing "${c['max-file']}": invalid syntax`);
    maxFile = Number(c['max-file']);
    if (maxFile < 1) throw invalid('max-file cannot be less than 1');
  }
  let compress = d.compress && maxFile >= 2;
  if (c.compress !== undefined && c.compress !== '') {
    compress = parseGoBool(c.compress, 'error parsing compress log option: ');
    if (compress && maxFile < 2) throw invalid('compress cannot be true when max-file is less than 2');
  }
  return { maxSize, maxFile, compress };
}
