// A static ELF that makes one raw syscall and exits with its errno (0 on success), so a test can
// prove what the seccomp filter does with calls busybox has no applet for (keyctl, bpf, …).
// The bytes are written here rather than compiled: CI hosts need no gcc or libc headers, and a
// 200-byte program with no libc cannot be changed by one. x86_64 only; elsewhere `probeArch` is
// null and the tests that need it say so when they skip.
import { arch } from 'node:process';

/** x86_64 syscall numbers (arch/x86/entry/syscalls/syscall_64.tbl). */
export const X86_64 = {
  getpid: 39,
  clone: 56,
  close: 3,
  add_key: 248,
  request_key: 249,
  keyctl: 250,
  unshare: 272,
  perf_event_open: 298,
  bpf: 321,
  clone3: 435,
} as const;

/** Namespace and signal flags for clone/unshare (linux/sched.h). */
export const CLONE_NEWUSER = 0x10000000;
export const CLONE_NEWNS = 0x00020000;
export const SIGCHLD = 17;

/** The architecture the probe can be built for here, or null with the reason it cannot. */
export const probeArch: 'x64' | null = arch === 'x64' ? 'x64' : null;
export const probeUnsupported = probeArch
  ? undefined
  : `the syscall probe is x86_64 machine code; this host is ${arch}`;

const BASE = 0x400000n;
const HEADERS = 64 + 56; // ELF header + one program header

/** `mov <reg>, imm64` for rax, rdi, rsi, rdx, r10, r8, r9 (REX.W B8+r). */
const MOV_IMM64: Record<string, [number, number]> = {
  rax: [0x48, 0xb8],
  rdi: [0x48, 0xbf],
  rsi: [0x48, 0xbe],
  rdx: [0x48, 0xba],
  r10: [0x49, 0xba],
  r8: [0x49, 0xb8],
  r9: [0x49, 0xb9],
};

function movImm64(reg: string, value: bigint): Buffer {
  const b = Buffer.alloc(10);
  b.set(MOV_IMM64[reg]!, 0);
  b.writeBigUInt64LE(BigInt.asUintN(64, value), 2);
  return b;
}

/** Machine code: syscall(nr, args…); exit_group(ret < 0 ? -ret : 0). */
function code(nr: number, args: readonly number[]): Buffer {
  const regs = ['rdi', 'rsi', 'rdx', 'r10', 'r8', 'r9'];
  return Buffer.concat([
    movImm64('rax', BigInt(nr)),
    ...regs.map((r, i) => movImm64(r, BigInt(args[i] ?? 0))),
    Buffer.from([
      0x0f,
      0x05, //             syscall
      0x48,
      0x89,
      0xc7, //       mov rdi, rax
      0x48,
      0xf7,
      0xdf, //       neg rdi
      0x31,
      0xf6, //             xor esi, esi
      0x48,
      0x85,
      0xc0, //       test rax, rax
      0x48,
      0x0f,
      0x49,
      0xfe, // cmovns rdi, rsi   (success: status 0)
      0xb8,
      0xe7,
      0x00,
      0x00,
      0x00, // mov eax, 231 (exit_group)
      0x0f,
      0x05, //             syscall
    ]),
  ]);
}

/**
 * A static x86_64 ELF executable that calls syscall `nr` with up to six integer arguments and
 * exits with the errno it got (1 = EPERM), or 0 when the call succeeded. A clone that succeeds
 * exits 0 in both processes (the child shares the code and sees 0).
 */
export function syscallProbe(nr: number, args: readonly number[] = []): Buffer {
  if (args.length > 6) throw new Error('a syscall takes at most six arguments');
  const text = code(nr, args);
  const size = BigInt(HEADERS + text.length);
  const h = Buffer.alloc(HEADERS);
  h.set([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0], 0); // ELF, 64-bit, little-endian, version 1, SysV
  h.writeUInt16LE(2, 16); //      e_type: EXEC
  h.writeUInt16LE(0x3e, 18); //   e_machine: x86_64
  h.writeUInt32LE(1, 20); //      e_version
  h.writeBigUInt64LE(BASE + BigInt(HEADERS), 24); // e_entry: the code after the headers
  h.writeBigUInt64LE(64n, 32); // e_phoff
  h.writeUInt16LE(64, 52); //     e_ehsize
  h.writeUInt16LE(56, 54); //     e_phentsize
  h.writeUInt16LE(1, 56); //      e_phnum
  h.writeUInt32LE(1, 64); //      p_type: LOAD
  h.writeUInt32LE(5, 68); //      p_flags: R+X
  h.writeBigUInt64LE(0n, 72); //  p_offset: the whole file …
  h.writeBigUInt64LE(BASE, 80); // … at p_vaddr
  h.writeBigUInt64LE(BASE, 88); //  p_paddr
  h.writeBigUInt64LE(size, 96); //  p_filesz
  h.writeBigUInt64LE(size, 104); // p_memsz
  h.writeBigUInt64LE(0x1000n, 112); // p_align
  return Buffer.concat([h, text]);
}
