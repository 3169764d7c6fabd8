// The build context as the docker CLI sends it: the directory's entries minus what .dockerignore
// excludes (the Dockerfile and .dockerignore always travel), so ignored files never leave the client.
import { existsSync, readdirSync, readFileSync, lstatSync } from 'node:fs';
import { join } from 'node:path';
import { DockerIgnore } from '../../build/dockerfile/dockerignore.js';

/** Context-relative paths to send (directories listed before their entries), or null: send all. */
export function contextEntries(dir: string, dockerfile: string): string[] | null {
  const file = join(dir, '.dockerignore');
  if (!existsSync(file)) return null;
  const lines = readFileSync(file, 'utf8').split(/\r?\n/);
  // TrimBuildFilesFromExcludes: the Dockerfile and .dockerignore are sent even when excluded
  const ig = new DockerIgnore([...lines, `!${dockerfile || 'Dockerfile'}`, '!.dockerignore']);
  const out: string[] = [];
  const walk = (rel: string) => {
    for (const name of readdirSync(join(dir, rel)).sort()) {
      const path = rel ? `${rel}/${name}` : name;
      const isDir = lstatSync(join(dir, path)).isDirectory();
      const excluded = ig.excludes(path);
      if (!excluded) out.push(path);
      // an excluded directory is entered only when a `!` exception could bring something back
      if (isDir && (!excluded || ig.hasExceptions)) walk(path);
    }
  };
  walk('');
  return out;
}
