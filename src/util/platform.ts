// containerd/platforms' Parse (what moby checks `platform=` of /build, /images/create and
// /containers/create with): the same accepted forms, normalization and error texts, and the check
// that a platform is one this daemon can run (linux on its own architecture).
import { invalid, notFound } from '../errdefs.js';
import { goArch } from './go-arch.js';

export interface OciPlatform {
  os: string;
  architecture: string;
  variant?: string;
  osVersion?: string;
  osFeatures?: string[];
}

const SPECIFIER_RE = /^[A-Za-z0-9_.-]+$/;
const OS_RE = /^([A-Za-z0-9_-]+)(?:\(([A-Za-z0-9_.%-]*)((?:\+[A-Za-z0-9_.%-]+)*)\))?$/;
const KNOWN_OS = new Set(
  'aix android darwin dragonfly freebsd hurd illumos ios js linux nacl netbsd openbsd plan9 solaris windows zos'.split(
    ' ',
  ),
);
const KNOWN_ARCH = new Set(
  '386 amd64 amd64p32 arm armbe arm64 arm64be ppc64 ppc64le loong64 mips mipsle mips64 mips64le mips64p32 mips64p32le ppc riscv riscv64 s390 s390x sparc sparc64 wasm'.split(
    ' ',
  ),
);
const EINVAL = 'invalid argument';

const normalizeOS = (os: string) => (os === '' ? 'linux' : os.toLowerCase() === 'macos' ? 'darwin' : os.toLowerCase());

/** containerd's normalizeArch: Go's names and the variants it folds. */
export function normalizeArch(arch: string, variant: string): [string, string] {
  let a = arch.toLowerCase();
  let v = variant.toLowerCase();
  if (a === 'i386') [a, v] = ['386', ''];
  else if (a === 'x86_64' || a === 'x86-64' || a === 'amd64') [a, v] = ['amd64', v === 'v1' ? '' : v];
  else if (a === 'aarch64' || a === 'arm64') {
    a = 'arm64';
    if (['8', 'v8', 'v8.0'].includes(v)) v = '';
    else if (['9', '9.0', 'v9.0'].includes(v)) v = 'v9';
  } else if (a === 'armhf') [a, v] = ['arm', 'v7'];
  else if (a === 'armel') [a, v] = ['arm', 'v6'];
  else if (a === 'arm') v = v === '' || v === '7' ? 'v7' : ['5', '6', '8'].includes(v) ? `v${v}` : v;
  return [a, v];
}

function decodeOption(v: string, spec: string): string {
  if (!v.includes('%')) return v;
  try {
    return decodeURIComponent(v);
  } catch {
    throw invalid(`"${spec}" has an invalid OS version "${v}": invalid URL escape`);
  }
}

function withArch(p: OciPlatform, arch: string, variant: string): OciPlatform {
  const [a, v] = normalizeArch(arch, variant);
  return { ...p, architecture: a, ...(v ? { variant: v } : {}) };
}

/** containerd/platforms.Parse: `os[(version[+feature…])][/arch[/variant]]` or a bare os or arch. */
export function parsePlatform(spec: string): OciPlatform {
  if (spec.includes('*')) throw invalid(`"${spec}": wildcards not yet supported: ${EINVAL}`);
  // (Go's SplitN(…, 4): a fourth part keeps the rest)
  const all = spec.split('/');
  const parts = all.length > 4 ? [...all.slice(0, 3), all.slice(3).join('/')] : all;
  const m = OS_RE.exec(parts[0]!);
  if (!m)
    throw invalid(
      `"${parts[0]}" is an invalid OS component of "${spec}": OSAndVersion specifier component must match "${OS_RE.source}": ${EINVAL}`,
    );
  let p: OciPlatform = { os: normalizeOS(m[1]!), architecture: '' };
  const osVersion = decodeOption(m[2] ?? '', spec);
  if (osVersion) p.osVersion = osVersion;
  if (m[3])
    p.osFeatures = m[3]
      .slice(1)
      .split('+')
      .map((f) => decodeOption(f, spec))
      .filter(Boolean);
  for (const part of parts.slice(1))
    if (!SPECIFIER_RE.test(part))
      throw invalid(
        `"${part}" is an invalid component of "${spec}": platform specifier component must match "${SPECIFIER_RE.source}": ${EINVAL}`,
      );
  if (parts.length === 1) {
    if (KNOWN_OS.has(p.os)) return { ...p, architecture: goArch() };
    let [a, v] = normalizeArch(parts[0]!, '');
    if (a === 'arm' && v === 'v7') v = '';
    if (KNOWN_ARCH.has(a)) return { os: 'linux', architecture: a, ...(v ? { variant: v } : {}) };
    throw invalid(`"${spec}": unknown operating system or architecture: ${EINVAL}`);
  }
  if (parts.length === 2) {
    p = withArch(p, parts[1]!, '');
    if (p.architecture === 'arm' && p.variant === 'v7') delete p.variant;
    return p;
  }
  if (parts.length === 3) {
    p = withArch(p, parts[1]!, parts[2]!);
    if (p.architecture === 'arm64' && !p.variant) p.variant = 'v8';
    return p;
  }
  throw invalid(`"${spec}": cannot parse platform specifier: ${EINVAL}`);
}

/** containerd's Format: os/arch[/variant]. */
export function formatPlatform(p: OciPlatform): string {
  return [p.os, p.architecture, p.variant].filter(Boolean).join('/');
}

/**
 * The `platform=` query of a request, checked as moby does (from API `since`; '' and older
 * clients: no platform). Returns the parsed platform or null.
 */
export function platformQuery(v: string | null, apiVersion?: string, since = '1.32'): OciPlatform | null {
  if (!v) return null;
  if (apiVersion && versionLess(apiVersion, since)) return null;
  return parsePlatform(v);
}

function versionLess(a: string, b: string): boolean {
  const [x1, y1] = a.split('.').map(Number);
  const [x2, y2] = b.split('.').map(Number);
  return x1! !== x2! ? x1! < x2! : y1! < y2!;
}

/** Whether an image's os/arch/variant satisfies a requested platform (a variant only counts when both name one). */
export function platformMatches(
  want: OciPlatform,
  have: { os?: string; architecture?: string; variant?: string },
): boolean {
  const [ha, hv] = normalizeArch(have.architecture ?? '', have.variant ?? '');
  if (normalizeOS(have.os ?? '') !== want.os || ha !== want.architecture) return false;
  return !want.variant || !hv || hv === want.variant;
}

/** An image's platform as its config states it. */
export interface ImagePlatform {
  os: string;
  architecture: string;
  variant?: string;
}

/**
 * moby's GetImage with a platform: a local image of another platform is a not-found (the CLI then
 * pulls), with moby's text; an image that is not local is left to the caller's own not-found.
 */
export async function checkImagePlatform(
  want: OciPlatform | null,
  ref: string,
  lookup: ((ref: string) => Promise<ImagePlatform | null>) | undefined,
): Promise<void> {
  if (!want || !ref || !lookup) return;
  const have = await lookup(ref);
  if (!have || platformMatches(want, have)) return;
  const h = formatPlatform({ os: have.os, architecture: have.architecture, variant: have.variant });
  throw notFound(
    `image with reference ${ref} was found but its platform (${h}) does not match the specified platform (${formatPlatform(want)})`,
  );
}
