// --security-opt parsing (moby daemon parseSecurityOpt). apparmor= and label= are accepted and
// ignored: this host has neither AppArmor nor SELinux.
import { invalid } from '../../errdefs.js';
import { BUILTIN_PROFILE, defaultSeccompProfile, parseSeccompProfile } from './seccomp.js';
import type { DockerSeccompProfile } from './types.js';

export interface SecurityOpts {
  noNewPrivileges?: boolean;
  /**
   * undefined = the default profile (none when privileged), null = unconfined, object = a profile
   * named explicitly (`builtin` or JSON), applied even to privileged containers as in moby.
   */
  seccomp?: DockerSeccompProfile | null;
  /** writable-cgroups[=bool]: /sys/fs/cgroup read-write (default: only when privileged) */
  writableCgroups?: boolean;
  /** systempaths=unconfined: no masked / read-only /proc paths */
  unconfinedPaths?: boolean;
}

export function parseSecurityOpt(opts: readonly string[] = []): SecurityOpts {
  const out: SecurityOpts = {};
  for (const opt of opts) {
    if (opt === 'no-new-privileges') {
      out.noNewPrivileges = true;
      continue;
    }
    if (opt === 'writable-cgroups') {
      out.writableCgroups = true;
      continue;
    }
    if (opt === 'disable') continue; // label=disable's old spelling
    let sep = opt.indexOf('=');
    // no-new-privileges and the legacy "key:value" forms (apparmor:…, label:…) use ':'.
    if (sep < 0) sep = opt.indexOf(':');
    if (sep < 0) throw invalid(`invalid --security-opt 1: "${opt}"`);
    const key = opt.slice(0, sep);
    const value = opt.slice(sep + 1);
    switch (key) {
      case 'no-new-privileges': {
        const b = parseBool(value);
        if (b === undefined) throw invalid(`invalid --security-opt 2: "${opt}"`);
        out.noNewPrivileges = b;
        break;
      }
      case 'writable-cgroups': {
        const b = parseBool(value);
        if (b === undefined) throw invalid(`invalid --security-opt 2: "${opt}"`);
        out.writableCgroups = b;
        break;
      }
      case 'seccomp':
        if (value === 'unconfined') out.seccomp = null;
        else if (value === BUILTIN_PROFILE) out.seccomp = defaultSeccompProfile();
        else out.seccomp = parseSeccompProfile(value);
        break;
      case 'systempaths':
        if (value !== 'unconfined') throw invalid(`invalid --security-opt 2: "${opt}"`);
        out.unconfinedPaths = true;
        break;
      case 'apparmor':
      case 'label':
        break;
      default:
        throw invalid(`invalid --security-opt 2: "${opt}"`);
    }
  }
  return out;
}

/** Go's strconv.ParseBool. */
function parseBool(v: string): boolean | undefined {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(v)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(v)) return false;
  return undefined;
}
