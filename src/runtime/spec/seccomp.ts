// Docker-format seccomp profiles → OCI linux.seccomp: a faithful port of moby's
// profiles/seccomp (setupSeccomp in seccomp_linux.go, parseRelease/kernelGreaterEqualThan in
// kernel_linux.go, KernelVersion.UnmarshalJSON in seccomp.go), github.com/moby/profiles/seccomp
// v0.2.3 as vendored by moby/moby b985e2313a8676e18072b442911fc8f64f17d440.
// seccomp-default.json is that version's default.json, byte for byte (Apache-2.0).
import { endianness, release } from 'node:os';
import { invalid } from '../../errdefs.js';
import builtin from './seccomp-default.json' with { type: 'json' };
import type { DockerSeccompProfile, DockerSyscall, OciSeccomp, OciSeccompArg, OciSyscall } from './types.js';

/** `--security-opt seccomp=builtin` names the default profile (moby SeccompProfileDefault). */
export const BUILTIN_PROFILE = 'builtin';

let cachedDefault: DockerSeccompProfile | undefined;

/** Docker's default profile (moby's default.json), validated once. */
export function defaultSeccompProfile(): DockerSeccompProfile {
  cachedDefault ??= checkProfile(builtin as unknown);
  return cachedDefault;
}

/** Parses a profile sent with `--security-opt seccomp=<json>` (the CLI sends the file's content). */
export function parseSeccompProfile(json: string): DockerSeccompProfile {
  let p: unknown;
  try {
    p = JSON.parse(json);
  } catch (e) {
    throw invalid(`Decoding seccomp profile failed: ${(e as Error).message}`, e);
  }
  return checkProfile(p);
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const decodeErr = (what: string) => invalid(`Decoding seccomp profile failed: ${what}`);

function strings(v: unknown, field: string): void {
  if (v === undefined || v === null) return;
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) throw decodeErr(`${field} must be a list of strings`);
}

function uint(v: unknown, field: string): void {
  if (v === undefined || v === null) return;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) throw decodeErr(`${field} must be an unsigned integer`);
}

/** Go's json.Unmarshal type checks for the fields setupSeccomp reads, plus moby's minKernel rules. */
function checkProfile(p: unknown): DockerSeccompProfile {
  if (!isObj(p)) throw decodeErr('the profile must be a JSON object');
  if (p.defaultAction !== undefined && typeof p.defaultAction !== 'string')
    throw decodeErr('defaultAction must be a string');
  uint(p.defaultErrnoRet, 'defaultErrnoRet');
  strings(p.architectures, 'architectures');
  strings(p.flags, 'flags');
  if (p.archMap !== undefined && p.archMap !== null) {
    if (!Array.isArray(p.archMap)) throw decodeErr('archMap must be a list');
    for (const a of p.archMap) {
      if (!isObj(a) || (a.architecture !== undefined && typeof a.architecture !== 'string'))
        throw decodeErr('archMap entries need an architecture');
      strings(a.subArchitectures, 'subArchitectures');
    }
  }
  if (p.syscalls !== undefined && p.syscalls !== null) {
    if (!Array.isArray(p.syscalls)) throw decodeErr('syscalls must be a list');
    for (const s of p.syscalls) {
      if (!isObj(s)) throw decodeErr('syscalls entries must be objects');
      if (s.name !== undefined && typeof s.name !== 'string') throw decodeErr('name must be a string');
      strings(s.names, 'names');
      if (typeof s.action !== 'string') throw decodeErr('every syscall rule needs an action');
      uint(s.errnoRet, 'errnoRet');
      if (s.args !== undefined && s.args !== null) {
        if (!Array.isArray(s.args)) throw decodeErr('args must be a list');
        for (const a of s.args) {
          if (!isObj(a) || typeof a.op !== 'string') throw decodeErr('every argument filter needs an op');
          uint(a.index, 'index');
          uint(a.value, 'value');
          uint(a.valueTwo, 'valueTwo');
        }
      }
      for (const f of [s.includes, s.excludes]) {
        if (f === undefined || f === null) continue;
        if (!isObj(f)) throw decodeErr('includes/excludes must be objects');
        strings(f.caps, 'caps');
        strings(f.arches, 'arches');
        if (f.minKernel !== undefined && f.minKernel !== null) parseMinKernel(f.minKernel);
      }
    }
  }
  if (typeof p.defaultAction !== 'string' && Array.isArray(p.syscalls) && p.syscalls.length) {
    throw decodeErr('defaultAction is missing'); // runc would refuse it at start; say so at once
  }
  return p as unknown as DockerSeccompProfile;
}

export interface KernelVersion {
  kernel: number;
  major: number;
}

/** moby KernelVersion.UnmarshalJSON: "<kernel>.<major>", each a uint8, not 0.0; "" = none. */
export function parseMinKernel(v: unknown): KernelVersion | null {
  const bad = (why = '') =>
    invalid(
      `Decoding seccomp profile failed: invalid kernel version: ${JSON.stringify(v)}, expected "<kernel>.<major>"${why}`,
    );
  if (typeof v !== 'string') throw bad();
  if (v === '') return null;
  const parts = v.split('.');
  if (parts.length !== 2) throw bad();
  const nums = parts.map((x) => (/^\d+$/.test(x) ? Number(x) : NaN));
  if (nums.some((n) => !(n <= 255))) throw bad();
  if (nums[0] === 0 && nums[1] === 0) throw bad(': version cannot be 0.0');
  return { kernel: nums[0]!, major: nums[1]! };
}

/** moby parseRelease: the leading "%d.%d" of the kernel release. */
export function parseRelease(rel: string): KernelVersion {
  const m = /^\s*([+-]?\d+)\.([+-]?\d+)/.exec(rel);
  if (!m) throw new Error(`failed to parse kernel version "${rel}"`);
  return { kernel: Number(m[1]), major: Number(m[2]) };
}

function kernelAtLeast(min: KernelVersion, kv: KernelVersion): boolean {
  return kv.kernel > min.kernel || (kv.kernel === min.kernel && kv.major >= min.major);
}

// libseccomp's arch names (moby goToNative) for Node's process.arch, via GOARCH.
const NATIVE: Record<string, string> = {
  x64: 'amd64',
  ia32: 'x86',
  arm: 'arm',
  arm64: 'arm64',
  loong64: 'loongarch64',
  mipsel: 'mipsel',
  ppc: 'ppc',
  riscv64: 'riscv64',
  s390: 's390',
  s390x: 's390x',
};
// moby nativeToSeccomp
const NATIVE_TO_SECCOMP: Record<string, string> = {
  x86: 'SCMP_ARCH_X86',
  amd64: 'SCMP_ARCH_X86_64',
  arm: 'SCMP_ARCH_ARM',
  arm64: 'SCMP_ARCH_AARCH64',
  loong64: 'SCMP_ARCH_LOONGARCH64',
  mips64: 'SCMP_ARCH_MIPS64',
  mips64n32: 'SCMP_ARCH_MIPS64N32',
  mipsel64: 'SCMP_ARCH_MIPSEL64',
  mips3l64n32: 'SCMP_ARCH_MIPSEL64N32',
  mipsle: 'SCMP_ARCH_MIPSEL',
  ppc: 'SCMP_ARCH_PPC',
  ppc64: 'SCMP_ARCH_PPC64',
  ppc64le: 'SCMP_ARCH_PPC64LE',
  riscv64: 'SCMP_ARCH_RISCV64',
  s390: 'SCMP_ARCH_S390',
  s390x: 'SCMP_ARCH_S390X',
};

export function nativeArch(nodeArch: string = process.arch): string {
  if (nodeArch === 'ppc64') return endianness() === 'LE' ? 'ppc64le' : 'ppc64';
  return NATIVE[nodeArch] ?? nodeArch;
}

export interface SeccompHost {
  /** libseccomp arch name ("amd64", "arm64", …); default: this machine's. */
  arch?: string;
  /** Kernel release (uname -r); default: this machine's. */
  kernel?: string;
}

/** Go's omitempty: the OCI argument as runc's JSON carries it. */
function ociArg(a: OciSeccompArg): OciSeccompArg {
  const out: OciSeccompArg = { index: a.index ?? 0, value: a.value ?? 0, op: a.op };
  if (a.valueTwo) out.valueTwo = a.valueTwo;
  return out;
}

function ociSyscall(call: DockerSyscall, names: string[]): OciSyscall {
  const s: OciSyscall = { names, action: call.action };
  if (call.errnoRet !== undefined && call.errnoRet !== null) s.errnoRet = call.errnoRet;
  if (call.args?.length) s.args = call.args.map(ociArg);
  return s;
}

/**
 * moby setupSeccomp: the OCI seccomp for a container whose bounding set is `bounding`, or null
 * when the profile disables seccomp (no defaultAction and no syscalls).
 */
export function toOciSeccomp(
  p: DockerSeccompProfile,
  bounding: readonly string[],
  host: SeccompHost = {},
): OciSeccomp | null {
  if (!p.defaultAction && !p.syscalls?.length) return null;
  if (p.architectures?.length && p.archMap?.length) {
    throw invalid(
      "both 'architectures' and 'archMap' are specified in the seccomp profile, use either 'architectures' or 'archMap'",
    );
  }
  const arch = host.arch ?? nativeArch();
  let kv: KernelVersion | undefined;
  const kernelAtLeastMin = (min: unknown): boolean => {
    const want = parseMinKernel(min);
    if (!want) return true; // an empty version means no condition: Go's zero KernelVersion 0.0
    kv ??= parseRelease(host.kernel ?? release());
    return kernelAtLeast(want, kv);
  };

  const out: OciSeccomp = { defaultAction: p.defaultAction };
  if (p.defaultErrnoRet !== undefined && p.defaultErrnoRet !== null) out.defaultErrnoRet = p.defaultErrnoRet;
  const archs = [...(p.architectures ?? [])];
  const seccompArch = NATIVE_TO_SECCOMP[arch];
  if (seccompArch) {
    const a = p.archMap?.find((x) => x.architecture === seccompArch);
    if (a) archs.push(a.architecture, ...(a.subArchitectures ?? []));
  }
  if (archs.length) out.architectures = archs;
  if (p.flags?.length) out.flags = [...p.flags];
  if (p.listenerPath) out.listenerPath = p.listenerPath;
  if (p.listenerMetadata) out.listenerMetadata = p.listenerMetadata;

  const syscalls: OciSyscall[] = [];
  for (const call of p.syscalls ?? []) {
    let names = [...(call.names ?? [])];
    if (call.name) {
      if (names.length)
        throw invalid("both 'name' and 'names' are specified in the seccomp profile, use either 'name' or 'names'");
      names = [call.name];
    }
    const ex = call.excludes;
    if (ex) {
      if (ex.arches?.includes(arch)) continue;
      if (ex.caps?.some((c) => bounding.includes(c))) continue;
      // Go sets the pointer for any non-null value, "" included (then it means 0.0: always).
      if (ex.minKernel !== undefined && ex.minKernel !== null && kernelAtLeastMin(ex.minKernel)) continue;
    }
    const inc = call.includes;
    if (inc) {
      if (inc.arches?.length && !inc.arches.includes(arch)) continue;
      if (inc.caps?.some((c) => !bounding.includes(c))) continue;
      if (inc.minKernel !== undefined && inc.minKernel !== null && !kernelAtLeastMin(inc.minKernel)) continue;
    }
    syscalls.push(ociSyscall(call, names));
  }
  if (syscalls.length) out.syscalls = syscalls;
  return out;
}
