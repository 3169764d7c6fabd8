// Docker-format seccomp profiles → OCI linux.seccomp, as moby's profiles/seccomp does it:
// keep only our architecture (and its sub-architectures) and the rules whose includes/excludes
// (caps, arches, minKernel) match the container's bounding capabilities and this host.
import { readFileSync } from 'node:fs';
import { release } from 'node:os';
import { invalid } from '../../errdefs.js';
import type { DockerSeccompProfile, OciSeccomp, OciSyscall } from './types.js';

/** Debian's containers-common ships Docker's default profile here. */
export const DEFAULT_PROFILE_PATH = '/usr/share/containers/seccomp.json';

const GOARCH: Record<string, string> = { x64: 'amd64', ia32: 'x86', arm64: 'arm64', arm: 'arm', s390x: 's390x', ppc64: 'ppc64le' };
const SECCOMP_ARCH: Record<string, string> = {
  amd64: 'SCMP_ARCH_X86_64', x86: 'SCMP_ARCH_X86', arm64: 'SCMP_ARCH_AARCH64', arm: 'SCMP_ARCH_ARM',
  s390x: 'SCMP_ARCH_S390X', ppc64le: 'SCMP_ARCH_PPC64LE',
};

let cached: DockerSeccompProfile | null | undefined;

/**
 * The default profile, read and parsed once. If the file is missing we run without seccomp
 * (as Docker does when built without seccomp support) rather than refuse to start containers.
 */
export function defaultSeccompProfile(path = DEFAULT_PROFILE_PATH): DockerSeccompProfile | null {
  if (cached !== undefined && path === DEFAULT_PROFILE_PATH) return cached;
  let profile: DockerSeccompProfile | null;
  try {
    profile = parseSeccompProfile(readFileSync(path, 'utf8'));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    profile = null;
  }
  if (path === DEFAULT_PROFILE_PATH) cached = profile;
  return profile;
}

/** Parses a profile sent with `--security-opt seccomp=<json>` (the CLI sends the file's content). */
export function parseSeccompProfile(json: string): DockerSeccompProfile {
  let p: unknown;
  try {
    p = JSON.parse(json);
  } catch (e) {
    throw invalid(`Decoding seccomp profile failed: ${(e as Error).message}`, e);
  }
  if (typeof p !== 'object' || p === null || typeof (p as DockerSeccompProfile).defaultAction !== 'string') {
    throw invalid('Decoding seccomp profile failed: missing defaultAction');
  }
  return p as DockerSeccompProfile;
}

function kernelAtLeast(min: string, kernel: string): boolean {
  const parse = (v: string) => v.split(/[.-]/).slice(0, 2).map((n) => parseInt(n, 10) || 0);
  const [a, b] = parse(kernel);
  const [x, y] = parse(min);
  return a !== x ? a > x : b >= y;
}

export interface SeccompHost { arch?: string; kernel?: string }

/** Converts a Docker profile for a container whose bounding set is `caps`. */
export function toOciSeccomp(p: DockerSeccompProfile, caps: readonly string[], host: SeccompHost = {}): OciSeccomp {
  const arch = host.arch ?? GOARCH[process.arch] ?? process.arch;
  const kernel = host.kernel ?? release();
  const out: OciSeccomp = { defaultAction: p.defaultAction };
  if (p.defaultErrnoRet !== undefined) out.defaultErrnoRet = p.defaultErrnoRet;
  if (p.archMap && p.architectures?.length) throw invalid("'architectures' and 'archMap' were specified in the seccomp profile, use either 'architectures' or 'archMap'");
  if (p.archMap?.length) {
    const native = SECCOMP_ARCH[arch];
    const archs: string[] = [];
    for (const a of p.archMap) if (a.architecture === native) archs.push(a.architecture, ...(a.subArchitectures ?? []));
    out.architectures = archs;
  } else if (p.architectures?.length) {
    out.architectures = [...p.architectures];
  }
  if (p.flags?.length) out.flags = [...p.flags];
  const syscalls: OciSyscall[] = [];
  for (const call of p.syscalls ?? []) {
    if (call.name && call.names?.length) throw invalid("'name' and 'names' were specified in the seccomp profile, use either 'name' or 'names'");
    const ex = call.excludes ?? {};
    const inc = call.includes ?? {};
    if (ex.arches?.includes(arch)) continue;
    if (ex.caps?.some((c) => caps.includes(c))) continue;
    if (ex.minKernel && kernelAtLeast(ex.minKernel, kernel)) continue;
    if (inc.arches?.length && !inc.arches.includes(arch)) continue;
    if (inc.caps?.some((c) => !caps.includes(c))) continue;
    if (inc.minKernel && !kernelAtLeast(inc.minKernel, kernel)) continue;
    const s: OciSyscall = { names: call.name ? [call.name] : [...(call.names ?? [])], action: call.action };
    if (call.errnoRet !== undefined) s.errnoRet = call.errnoRet;
    if (call.args?.length) s.args = call.args.map((a) => ({ index: a.index, value: a.value, valueTwo: a.valueTwo ?? 0, op: a.op }));
    syscalls.push(s);
  }
  out.syscalls = syscalls;
  return out;
}
