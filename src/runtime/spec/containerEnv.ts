// Small helpers the caller needs around buildSpec: the environment Docker gives the process and
// the init binary for --init.
import { accessSync, constants } from 'node:fs';

export const DEFAULT_PATH_ENV = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/**
 * moby container.CreateDaemonEnvironment: PATH, HOSTNAME, TERM (tty only), link variables,
 * then the container's own Env replacing same-named entries.
 */
export function containerEnv(
  env: readonly string[],
  o: { hostname: string; tty?: boolean; linkEnv?: readonly string[] },
): string[] {
  const base = [DEFAULT_PATH_ENV, `HOSTNAME=${o.hostname}`];
  if (o.tty) base.push('TERM=xterm');
  base.push(...(o.linkEnv ?? []));
  const key = (kv: string) => {
    const i = kv.indexOf('=');
    return i < 0 ? kv : kv.slice(0, i);
  };
  const out = [...base];
  for (const kv of env) {
    const i = out.findIndex((x) => key(x) === key(kv));
    if (!kv.includes('=')) {
      if (i >= 0) out.splice(i, 1);
      continue;
    } // "FOO" alone unsets (Docker)
    if (i >= 0) out[i] = kv;
    else out.push(kv);
  }
  return out;
}

/** A static init is needed inside arbitrary rootfs: prefer tini-static, then catatonit, then tini. */
export function findInit(
  candidates = [
    '/usr/bin/tini-static',
    '/usr/libexec/podman/catatonit',
    '/usr/bin/catatonit',
    '/usr/bin/docker-init',
    '/usr/bin/tini',
  ],
): string | null {
  for (const c of candidates) {
    try {
      accessSync(c, constants.X_OK);
      return c;
    } catch {
      /* next */
    }
  }
  return null;
}
