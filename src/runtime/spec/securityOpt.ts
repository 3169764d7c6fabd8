// --security-opt parsing (moby daemon parseSecurityOpt). apparmor= and label= are accepted and
// ignored: this host has neither AppArmor nor SELinux.
import { invalid } from '../../errdefs.js';
import { parseSeccompProfile } from './seccomp.js';
import type { DockerSeccompProfile } from './types.js';

export interface SecurityOpts {
  noNewPrivileges?: boolean;
  /** undefined = default profile, null = unconfined, object = custom profile */
  seccomp?: DockerSeccompProfile | null;
  /** systempaths=unconfined: no masked / read-only /proc paths */
  unconfinedPaths?: boolean;
}

export function parseSecurityOpt(opts: readonly string[] = []): SecurityOpts {
  const out: SecurityOpts = {};
  for (const opt of opts) {
    if (opt === 'no-new-privileges') { out.noNewPrivileges = true; continue; }
    if (opt === 'disable') continue; // label=disable's old spelling
    let sep = opt.indexOf('=');
    // no-new-privileges and the legacy "key:value" forms (apparmor:…, label:…) use ':'.
    if (sep < 0) sep = opt.indexOf(':');
    if (sep < 0) throw invalid(`invalid --security-opt 1: "${opt}"`);
    const key = opt.slice(0, sep);
    const value = opt.slice(sep + 1);
    switch (key) {
      case 'no-new-privileges':
        if (value !== 'true' && value !== 'false') throw invalid(`invalid --security-opt 2: "${opt}"`);
        out.noNewPrivileges = value === 'true';
        break;
      case 'seccomp':
        out.seccomp = value === 'unconfined' ? null : parseSeccompProfile(value);
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
