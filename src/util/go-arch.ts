// Go's GOARCH names for Node's process.arch: image configs, manifest platforms and /version carry
// Go's spelling (amd64, not x64). One table for the daemon, the builder and the CLI.

const GOARCH: Record<string, string> = {
  x64: 'amd64',
  arm64: 'arm64',
  arm: 'arm',
  ia32: '386',
  ppc64: 'ppc64le', // Node reports little-endian POWER as ppc64; Go (and every image) says ppc64le
  s390x: 's390x',
};

/** GOARCH for a Node arch (default: this host); unknown arches pass through unchanged. */
export function goArch(nodeArch: string = process.arch): string {
  return GOARCH[nodeArch] ?? nodeArch;
}
