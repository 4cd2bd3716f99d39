// What the syscall glue does for each i386 system call the Linux layer knows: which o32 call it
// becomes, where each o32 argument comes from, and which structures are converted on the way in
// and out. A call whose o32 form differs only in its number is not listed: the glue passes its six
// arguments unchanged. The glue generator (syscall-glue.ts) turns these descriptors into MIPS code.

import type { SyscallName } from '../../linux/abi';
import { I386_ABI } from '../../linux/i386-abi';
import { MIPS_O32_ABI } from '../../linux/mips-o32-abi';
import {
  BitPermutation, F_GETFL, F_SETFL, FCNTL_COMMAND, IOCTL_REQUEST, MMAP_FLAGS, O32_SIG_SETMASK, OPEN_FLAGS, RLIMIT_RESOURCES,
  SIGACTION_FLAGS, SIGNALS, SIGPROCMASK_HOW, SIGSET_SIZE, SIGSET_WORD0, ValueMap,
} from './abi-conversions';

export type Conversion = BitPermutation | ValueMap;

/** Where one o32 argument comes from. */
export type HostArgument =
  /** Guest argument 0..5 (ebx ecx edx esi edi ebp), unchanged. */
  | number
  | { readonly guest: number; readonly convert: Conversion }
  | { readonly constant: number }
  /** Host pointer to the glue's scratch copy; 0 when guest argument `nullWith` is 0. */
  | { readonly scratch: 'in' | 'out'; readonly nullWith?: number }
  /** Word `word` of the structure copied in (old mmap's argument block). */
  | { readonly inWord: number };

/** One 32-bit word of a converted structure. */
export type WordSource =
  | 'zero'
  | { readonly from: number; readonly convert?: Conversion }
  /** The u64 at `from` as a u32, ~0 when it does not fit (ugetrlimit's RLIM_INFINITY). */
  | { readonly clampFrom: number }
  /** The sa_restorer the glue keeps for the signal in guest argument 0 (o32 has no such field). */
  | 'restorer';

/** A structure conversion: the destination's words, in order. */
export interface StructLayout {
  readonly name: string;
  readonly words: readonly WordSource[];
}

export interface StructCopy {
  /** Guest argument holding the guest structure's address. */
  readonly guest: number;
  readonly layout: StructLayout;
  /** A null guest pointer means "no structure" (the host gets 0); otherwise null faults like any bad pointer. */
  readonly nullable: boolean;
}

export interface CallConversion {
  readonly host: SyscallName;
  readonly args: readonly HostArgument[];
  /** Guest structure → scratch 'in' (i386 → o32 layout) before the call; a fault gives -EFAULT. */
  readonly copyIn?: StructCopy;
  /** Scratch 'out' → guest structure (o32 → i386 layout) after a successful call; a fault gives -EFAULT. */
  readonly copyOut?: StructCopy;
  /** Host call that undoes a successful call whose copy-out faulted (the Linux layer changes nothing then). */
  readonly undo?: { readonly host: SyscallName; readonly args: readonly HostArgument[] };
  /** Argument `index` is converted only when guest argument `guest` equals `equals` (fcntl F_SETFL). */
  readonly argumentWhen?: { readonly guest: number; readonly equals: number; readonly index: number; readonly convert: Conversion };
  /** The result is converted only when guest argument `guest` equals `equals` (fcntl F_GETFL). */
  readonly resultWhen?: { readonly guest: number; readonly equals: number; readonly convert: Conversion };
  /** Bytes written into the guest structure after success (uname's machine field). */
  readonly patchOut?: { readonly guest: number; readonly offset: number; readonly bytes: readonly number[] };
  /** rt_sigaction: keep sa_restorer of guest argument 0's signal in the glue's table. */
  readonly restorer?: boolean;
}

/** set_thread_area has no o32 counterpart: the glue keeps the TLS entries and the %gs base itself. */
export const SET_THREAD_AREA = 'set_thread_area';

const open = OPEN_FLAGS, sig = SIGNALS;

/** o32 struct stat64 (104 bytes) → i386 struct stat64 (96 bytes). */
export const STAT64_LAYOUT: StructLayout = {
  name: 'stat64',
  words: [
    { from: 0 }, 'zero', 'zero', { from: 16 }, // st_dev (u64), pad, __st_ino (low word of st_ino)
    { from: 24 }, { from: 28 }, { from: 32 }, { from: 36 }, // st_mode st_nlink st_uid st_gid
    { from: 40 }, 'zero', 'zero', // st_rdev (u64), pad
    { from: 56 }, { from: 60 }, { from: 88 }, { from: 96 }, { from: 100 }, // st_size (s64), st_blksize, st_blocks (u64)
    { from: 64 }, { from: 68 }, { from: 72 }, { from: 76 }, { from: 80 }, { from: 84 }, // a/m/ctime + nsec
    { from: 16 }, { from: 20 }, // st_ino (u64)
  ],
};

/** i386 kernel sigaction {handler, flags, restorer, mask[2]} → o32 {flags, handler, mask[4]}. */
const SIGACTION_IN: StructLayout = {
  name: 'sigaction',
  words: [{ from: 4, convert: SIGACTION_FLAGS }, { from: 0 }, { from: 12, convert: SIGSET_WORD0 }, { from: 16 }, 'zero', 'zero'],
};
const SIGACTION_OUT: StructLayout = {
  name: 'sigaction',
  words: [{ from: 4 }, { from: 0, convert: SIGACTION_FLAGS.inverse() }, 'restorer', { from: 8, convert: SIGSET_WORD0.inverse() }, { from: 12 }],
};
const SIGSET_IN: StructLayout = { name: 'sigset', words: [{ from: 0, convert: SIGSET_WORD0 }, { from: 4 }, 'zero', 'zero'] };
const SIGSET_OUT: StructLayout = { name: 'sigset', words: [{ from: 0, convert: SIGSET_WORD0.inverse() }, { from: 4 }] };
/** stack_t: i386 {sp, flags, size}, o32 {sp, size, flags}: the same swap both ways. */
const STACK_T: StructLayout = { name: 'stack_t', words: [{ from: 0 }, { from: 8 }, { from: 4 }] };
/** old_mmap's argument block: addr len prot flags fd offset. */
const MMAP_ARGUMENTS: StructLayout = { name: 'mmap_arg_struct', words: [{ from: 0 }, { from: 4 }, { from: 8 }, { from: 12, convert: MMAP_FLAGS }, { from: 16 }, { from: 20 }] };
/** struct rlimit64 → struct rlimit with RLIM_INFINITY = ~0 (ugetrlimit). */
const RLIMIT_FROM_RLIMIT64: StructLayout = { name: 'rlimit', words: [{ clampFrom: 0 }, { clampFrom: 8 }] };

const O32_SIGSET_BYTES = MIPS_O32_ABI.sigsetSize;

function stat(host: SyscallName, args: HostArgument[], guest: number): CallConversion {
  return { host, args, copyOut: { guest, layout: STAT64_LAYOUT, nullable: false } };
}

/** The i386 calls whose o32 form is more than a new number. */
export const CALL_CONVERSIONS: Readonly<Partial<Record<SyscallName, CallConversion | typeof SET_THREAD_AREA>>> = {
  open: { host: 'open', args: [0, { guest: 1, convert: open }, 2] },
  openat: { host: 'openat', args: [0, 1, { guest: 2, convert: open }, 3] },
  dup3: { host: 'dup3', args: [0, 1, { guest: 2, convert: open }] },
  pipe: { host: 'pipe2', args: [0, { constant: 0 }] }, // o32 pipe returns the fds in v0/v1
  pipe2: { host: 'pipe2', args: [0, { guest: 1, convert: open }] },
  fcntl: {
    host: 'fcntl', args: [0, { guest: 1, convert: FCNTL_COMMAND }, 2],
    argumentWhen: { guest: 1, equals: F_SETFL, index: 2, convert: open }, resultWhen: { guest: 1, equals: F_GETFL, convert: open.inverse() },
  },
  fcntl64: {
    host: 'fcntl64', args: [0, { guest: 1, convert: FCNTL_COMMAND }, 2],
    argumentWhen: { guest: 1, equals: F_SETFL, index: 2, convert: open }, resultWhen: { guest: 1, equals: F_GETFL, convert: open.inverse() },
  },
  ioctl: { host: 'ioctl', args: [0, { guest: 1, convert: IOCTL_REQUEST }, 2] },
  mmap2: { host: 'mmap2', args: [0, 1, 2, { guest: 3, convert: MMAP_FLAGS }, 4, 5] },
  mmap: { host: 'mmap', copyIn: { guest: 0, layout: MMAP_ARGUMENTS, nullable: false }, args: [0, 1, 2, 3, 4, 5].map((w) => ({ inWord: w })) },
  // o32 passes a 64-bit argument in an even/odd register pair: one slot is skipped.
  pread64: { host: 'pread64', args: [0, 1, 2, { constant: 0 }, 3, 4] },
  pwrite64: { host: 'pwrite64', args: [0, 1, 2, { constant: 0 }, 3, 4] },
  ftruncate64: { host: 'ftruncate64', args: [0, { constant: 0 }, 1, 2] },
  kill: { host: 'kill', args: [0, { guest: 1, convert: sig }] },
  tkill: { host: 'tkill', args: [0, { guest: 1, convert: sig }] },
  tgkill: { host: 'tgkill', args: [0, 1, { guest: 2, convert: sig }] },
  getrlimit: { host: 'getrlimit', args: [{ guest: 0, convert: RLIMIT_RESOURCES }, 1] },
  prlimit64: { host: 'prlimit64', args: [0, { guest: 1, convert: RLIMIT_RESOURCES }, 2, 3] },
  ugetrlimit: {
    host: 'prlimit64', args: [{ constant: 0 }, { guest: 0, convert: RLIMIT_RESOURCES }, { constant: 0 }, { scratch: 'out' }],
    copyOut: { guest: 1, layout: RLIMIT_FROM_RLIMIT64, nullable: false },
  },
  stat64: stat('stat64', [0, { scratch: 'out' }], 1),
  lstat64: stat('lstat64', [0, { scratch: 'out' }], 1),
  fstat64: stat('fstat64', [0, { scratch: 'out' }], 1),
  fstatat64: stat('fstatat64', [0, 1, { scratch: 'out' }, 3], 2),
  uname: { host: 'uname', args: [0], patchOut: { guest: 0, offset: 4 * 65, bytes: [...Buffer.from(I386_ABI.utsMachine + '\0', 'latin1')] } },
  rt_sigaction: {
    host: 'rt_sigaction',
    args: [{ guest: 0, convert: sig }, { scratch: 'in', nullWith: 1 }, { scratch: 'out', nullWith: 2 }, { guest: 3, convert: SIGSET_SIZE }],
    copyIn: { guest: 1, layout: SIGACTION_IN, nullable: true },
    copyOut: { guest: 2, layout: SIGACTION_OUT, nullable: true },
    undo: { host: 'rt_sigaction', args: [{ guest: 0, convert: sig }, { scratch: 'out' }, { constant: 0 }, { constant: O32_SIGSET_BYTES }] },
    restorer: true,
  },
  rt_sigprocmask: {
    host: 'rt_sigprocmask',
    args: [{ guest: 0, convert: SIGPROCMASK_HOW }, { scratch: 'in', nullWith: 1 }, { scratch: 'out', nullWith: 2 }, { guest: 3, convert: SIGSET_SIZE }],
    copyIn: { guest: 1, layout: SIGSET_IN, nullable: true },
    copyOut: { guest: 2, layout: SIGSET_OUT, nullable: true },
    undo: { host: 'rt_sigprocmask', args: [{ constant: O32_SIG_SETMASK }, { scratch: 'out' }, { constant: 0 }, { constant: O32_SIGSET_BYTES }] },
  },
  sigaltstack: {
    host: 'sigaltstack', args: [{ scratch: 'in', nullWith: 0 }, { scratch: 'out', nullWith: 1 }],
    copyIn: { guest: 0, layout: STACK_T, nullable: true },
    copyOut: { guest: 1, layout: STACK_T, nullable: true },
    undo: { host: 'sigaltstack', args: [{ scratch: 'out' }, { constant: 0 }] },
  },
  // 32-bit-uid calls: o32 uids are 32 bits in the plain calls.
  getuid32: { host: 'getuid', args: [] },
  getgid32: { host: 'getgid', args: [] },
  geteuid32: { host: 'geteuid', args: [] },
  getegid32: { host: 'getegid', args: [] },
  set_thread_area: SET_THREAD_AREA,
};

export interface GlueEntry {
  readonly i386: number;
  readonly name: SyscallName;
  /** null: the call passes through with its number changed (o32 number in `hostNumber`). */
  readonly conversion: CallConversion | typeof SET_THREAD_AREA | null;
  readonly hostNumber: number;
}

/** Every i386 call the Linux layer knows, with what the glue does for it. */
export function glueEntries(): GlueEntry[] {
  const out: GlueEntry[] = [];
  for (const [name, i386] of Object.entries(I386_ABI.syscallNumbers) as [SyscallName, number][]) {
    const conversion = CALL_CONVERSIONS[name] ?? null;
    const hostName = conversion === null ? name : conversion === SET_THREAD_AREA ? null : conversion.host;
    const hostNumber = hostName === null ? -1 : MIPS_O32_ABI.syscallNumbers[hostName];
    if (hostNumber === undefined) throw new Error(`syscall glue: i386 ${name} (${i386}) has no o32 counterpart and no conversion`);
    out.push({ i386, name, conversion, hostNumber });
  }
  return out.sort((a, b) => a.i386 - b.i386);
}
