// The built front end (web/dist, made by `npm run build`), served from memory-cheap reads; any
// path that is not a file is the single page's index.html (its routes live after the #).
import fs from 'node:fs';
import type { ServerResponse } from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
};

/** web/dist of this checkout (this file runs from dist/src/web/ or src/web/). */
export function defaultAssetDir(): string {
  let d = path.dirname(fileURLToPath(import.meta.url));
  while (d !== '/' && !fs.existsSync(path.join(d, 'package.json'))) d = path.dirname(d);
  return path.join(d, 'web', 'dist');
}

/** The file under `root` a URL path names, or null when it would leave `root` or is not a file. */
export function assetPath(root: string, urlPath: string): string | null {
  let rel: string;
  try {
    rel = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  if (rel.includes('\0')) return null;
  const file = path.resolve(root, '.' + path.posix.normalize('/' + rel));
  if (file !== root && !file.startsWith(root + path.sep)) return null;
  try {
    return fs.statSync(file).isFile() ? file : null;
  } catch {
    return null;
  }
}

export function serveStatic(res: ServerResponse, root: string, urlPath: string, method: string): void {
  const file = assetPath(root, urlPath) ?? assetPath(root, '/index.html');
  if (!file) {
    res.writeHead(503, { 'Content-Type': 'text/plain' });
    return void res.end(`the dashboard is not built (no ${root}/index.html): run npm run build\n`);
  }
  const hashed = file.includes(`${path.sep}assets${path.sep}`);
  res.writeHead(200, {
    'Content-Type': TYPES[path.extname(file)] ?? 'application/octet-stream',
    'Cache-Control': hashed ? 'public, max-age=31536000, immutable' : 'no-cache',
    'X-Content-Type-Options': 'nosniff',
    'Content-Security-Policy':
      "default-src 'self'; connect-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'",
  });
  if (method === 'HEAD') return void res.end();
  fs.createReadStream(file)
    .on('error', () => res.destroy())
    .pipe(res);
}
