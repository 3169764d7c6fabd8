// go-connections' nat port parsing, shared by create checks, --change EXPOSE and ps's port filters.

/** nat.ParsePortRange: "80" or "8000-8080", each 0..65535 (strconv.ParseUint(s, 10, 16)), start ≤ end. */
export function parsePortRange(s: string): [number, number] | null {
  const cut = s.indexOf('-');
  const parts = cut < 0 ? [s] : [s.slice(0, cut), s.slice(cut + 1)];
  const nums = parts.map((p) => (/^\d+$/.test(p) && Number(p) <= 65535 ? Number(p) : Number.NaN));
  const lo = nums[0]!;
  const hi = nums[1] ?? lo;
  return Number.isNaN(lo) || Number.isNaN(hi) || hi < lo ? null : [lo, hi];
}

/** nat.SplitProtoPort: "80/udp" → ["udp", "80"]; "80" → ["tcp", "80"]. */
export function splitProtoPort(raw: string): [string, string] {
  const parts = raw.split('/');
  if (raw === '' || parts[0] === '') return ['', ''];
  if (parts.length === 1) return ['tcp', raw];
  if (parts[1] === '') return ['tcp', parts[0]!];
  return [parts[1]!, parts[0]!];
}
