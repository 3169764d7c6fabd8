// Apply an image layer (uncompressed or gzip tar with OCI whiteouts) onto a directory.
// For layers with a parent, pass the mounted overlay of a fresh snapshot (see extract.ts).
import type { Readable } from 'node:stream';
import { extractTar, type ExtractResult } from './extract.js';

export function applyLayer(dir: string, tar: Readable): Promise<ExtractResult> {
  return extractTar(dir, tar, { whiteouts: true });
}
