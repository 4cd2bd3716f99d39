// What differs between the Linux ABIs this layer serves (i386 and MIPS o32): system-call
// numbers, errno values, flag bits, ioctl codes and the byte layout of the structures the
// kernel writes. The system-call layer itself (process.ts) works on names, never numbers.
import type { FileStatus } from './file-status';

/** Every system call the layer knows by name (the kernel's own names). */
export const SYSCALL_NAMES = [
  'exit', 'exit_group', 'read', 'write', 'open', 'close', 'unlink', 'chdir', 'time', 'lseek', 'getpid',
  'access', 'brk', 'ioctl', 'getppid', 'dup', 'dup2', 'dup3', 'gettimeofday', 'readlink', 'munmap',
  'mmap', 'uname', 'mprotect', '_llseek', 'readv', 'writev', 'getcwd', 'nanosleep', 'rt_sigaction',
  'rt_sigprocmask', 'sigaltstack', 'mmap2', 'stat64', 'lstat64', 'fstat64', 'getuid', 'getgid',
  'geteuid', 'getegid', 'getuid32', 'getgid32', 'geteuid32', 'getegid32', 'gettid', 'set_thread_area',
  'set_tid_address', 'clock_gettime', 'clock_getres', 'clock_nanosleep', 'openat', 'fstatat64',
  'unlinkat', 'readlinkat', 'faccessat', 'faccessat2', 'set_robust_list', 'prlimit64', 'getrandom',
  'statx', 'clock_gettime64', 'clock_getres_time64', 'clock_nanosleep_time64', 'futex', 'futex_time64',
  'ugetrlimit', 'getrlimit', 'fcntl', 'fcntl64', 'pread64', 'pwrite64', 'kill', 'tgkill', 'tkill',
  'sched_yield', 'madvise', 'mremap', 'rseq', 'getdents64', 'ftruncate64', 'cacheflush', 'umask',
  'mkdir', 'rmdir', 'rename', 'getpgrp', 'setsid', 'getpgid', 'sched_getaffinity', 'sysinfo', 'poll',
  'ppoll', 'pipe', 'pipe2', 'rt_sigreturn', 'sigreturn', 'sched_setaffinity', 'getrusage', 'times', 'fsync',
  'fdatasync',
] as const;
export type SyscallName = (typeof SYSCALL_NAMES)[number];

/** errno names the layer returns; values are per ABI (they differ from 35 up on MIPS). */
export const ERRNO_NAMES = [
  'EPERM', 'ENOENT', 'ESRCH', 'EINTR', 'EIO', 'ENXIO', 'E2BIG', 'ENOEXEC', 'EBADF', 'ECHILD', 'EAGAIN',
  'ENOMEM', 'EACCES', 'EFAULT', 'EBUSY', 'EEXIST', 'EXDEV', 'ENODEV', 'ENOTDIR', 'EISDIR', 'EINVAL',
  'ENFILE', 'EMFILE', 'ENOTTY', 'ETXTBSY', 'EFBIG', 'ENOSPC', 'ESPIPE', 'EROFS', 'EMLINK', 'EPIPE',
  'EDOM', 'ERANGE', 'EDEADLK', 'ENAMETOOLONG', 'ENOLCK', 'ENOSYS', 'ENOTEMPTY', 'ELOOP', 'EOVERFLOW',
  'EOPNOTSUPP', 'ETIMEDOUT',
] as const;
export type ErrnoName = (typeof ERRNO_NAMES)[number];
export type ErrnoTable = Readonly<Record<ErrnoName, number>>;

/** errno 1..34 are the same on every Linux ABI. */
export const BASE_ERRNO = {
  EPERM: 1, ENOENT: 2, ESRCH: 3, EINTR: 4, EIO: 5, ENXIO: 6, E2BIG: 7, ENOEXEC: 8, EBADF: 9, ECHILD: 10,
  EAGAIN: 11, ENOMEM: 12, EACCES: 13, EFAULT: 14, EBUSY: 16, EEXIST: 17, EXDEV: 18, ENODEV: 19,
  ENOTDIR: 20, EISDIR: 21, EINVAL: 22, ENFILE: 23, EMFILE: 24, ENOTTY: 25, ETXTBSY: 26, EFBIG: 27,
  ENOSPC: 28, ESPIPE: 29, EROFS: 30, EMLINK: 31, EPIPE: 32, EDOM: 33, ERANGE: 34,
} as const;

export interface OpenFlagBits {
  readonly creat: number; readonly excl: number; readonly trunc: number; readonly append: number;
  readonly nonblock: number; readonly directory: number; readonly nofollow: number;
  readonly largefile: number; readonly cloexec: number;
}

export interface MapFlagBits {
  readonly shared: number; readonly private: number; readonly fixed: number; readonly anonymous: number;
  readonly fixedNoReplace: number;
}

export interface LinuxAbi {
  readonly name: 'i386' | 'mips-o32';
  /** ELF e_machine this ABI runs (EM_386 = 3, EM_MIPS = 8). */
  readonly elfMachine: number;
  readonly syscallNumbers: Readonly<Partial<Record<SyscallName, number>>>;
  readonly errno: ErrnoTable;
  readonly openFlags: OpenFlagBits;
  readonly mapFlags: MapFlagBits;
  readonly ioctl: { readonly TCGETS: number; readonly TIOCGWINSZ: number };
  /** RLIMIT_NOFILE (5 on MIPS, 7 on i386); RLIMIT_STACK is 3 on both. */
  readonly rlimitNofile: number;
  /** RLIM_INFINITY as the 32-bit getrlimit writes it. */
  readonly rlimInfinity32: number;
  /** Bytes of the kernel sigset_t (rt_sigprocmask's sigsetsize). */
  readonly sigsetSize: number;
  /** Bytes of the kernel struct sigaction. */
  readonly sigactionSize: number;
  /** rt_sigprocmask `how` values (MIPS numbers them from 1). */
  readonly sigprocmaskHow: { readonly block: number; readonly unblock: number; readonly setmask: number };
  /** Highest signal number, and the signals whose default action is to be ignored. */
  readonly maxSignal: number;
  readonly signalsIgnoredByDefault: readonly number[];
  /** Field offsets of stack_t (sigaltstack). */
  readonly stackT: { readonly sp: number; readonly flags: number; readonly size: number };
  /** Kernel struct stat64. */
  readonly stat64Size: number;
  encodeStat64(st: FileStatus): Uint8Array;
  /** o32 passes a 64-bit argument in an aligned (even, odd) register pair, skipping one. */
  readonly alignsArgumentPairs: boolean;
  /** uname's machine field and AT_PLATFORM (null: no AT_PLATFORM). */
  readonly utsMachine: string;
  readonly platform: string | null;
  readonly hwcap: number;
  /** User address space: [userBottom, userTop). The stack grows down from stackTop. */
  readonly userBottom: number;
  readonly userTop: number;
  readonly stackTop: number;
  readonly stackSize: number;
  /** Anonymous mappings are placed top-down below this address. */
  readonly mmapTop: number;
}

/** Number → name lookup for an ABI, built once. */
export function syscallNameTable(abi: LinuxAbi): Map<number, SyscallName> {
  const m = new Map<number, SyscallName>();
  for (const [name, nr] of Object.entries(abi.syscallNumbers)) if (nr !== undefined) m.set(nr, name as SyscallName);
  return m;
}
