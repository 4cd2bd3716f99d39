// One line per system call, strace style, for tracing: `openat(AT_FDCWD, "/etc/x", 0x0, 0) = -1 ENOENT`.
import { ERRNO_NAMES, type LinuxAbi, type SyscallName } from './abi';
import type { SyscallEvent } from './process';

/** Argument counts of the calls worth showing in full (others show three). */
const ARITY: Partial<Record<SyscallName, number>> = {
  exit: 1, exit_group: 1, close: 1, brk: 1, uname: 1, time: 1, dup: 1, getpid: 0, gettid: 0, getppid: 0,
  getuid: 0, getgid: 0, geteuid: 0, getegid: 0, getuid32: 0, getgid32: 0, geteuid32: 0, getegid32: 0,
  set_tid_address: 1, set_thread_area: 1, sched_yield: 0, chdir: 1, unlink: 1, rmdir: 1, umask: 1, sysinfo: 1,
  times: 1, fsync: 1, fdatasync: 1, getpgrp: 0, setsid: 0, getpgid: 1,
  dup2: 2, munmap: 2, gettimeofday: 2, clock_gettime: 2, clock_gettime64: 2, clock_getres: 2,
  clock_getres_time64: 2, nanosleep: 2, set_robust_list: 2, getrlimit: 2, ugetrlimit: 2, access: 2, stat64: 2,
  lstat64: 2, fstat64: 2, sigaltstack: 2, getcwd: 2, mkdir: 2, rename: 2, kill: 2, tkill: 2, getrusage: 2,
  open: 3, read: 3, write: 3, lseek: 3, readv: 3, writev: 3, ioctl: 3, mprotect: 3, madvise: 3, readlink: 3,
  getrandom: 3, getdents64: 3, dup3: 3, fcntl: 3, fcntl64: 3, tgkill: 3, unlinkat: 3, faccessat: 3,
  openat: 4, fstatat64: 4, rt_sigaction: 4, rt_sigprocmask: 4, prlimit64: 4, readlinkat: 4, faccessat2: 4,
  clock_nanosleep: 4, clock_nanosleep_time64: 4, pread64: 5, pwrite64: 5, _llseek: 5, statx: 5, mremap: 5,
  mmap2: 6, futex: 6, futex_time64: 6,
};

/** Which argument is a path. */
const PATH_ARGUMENT: Partial<Record<SyscallName, number>> = {
  open: 0, openat: 1, stat64: 0, lstat64: 0, fstatat64: 1, statx: 1, access: 0, faccessat: 1, faccessat2: 1,
  readlink: 0, readlinkat: 1, chdir: 0, unlink: 0, unlinkat: 1, mkdir: 0, rmdir: 0, rename: 0,
};

const DIRFD_ARGUMENT: Partial<Record<SyscallName, number>> = { openat: 0, fstatat64: 0, statx: 0, faccessat: 0, faccessat2: 0, readlinkat: 0, unlinkat: 0 };

function number(n: number): string {
  const s = n | 0;
  return s >= -4096 && s <= 0xffff ? String(s) : '0x' + (n >>> 0).toString(16);
}

export function formatSyscall(abi: LinuxAbi, event: SyscallEvent, readString: (address: number) => string | null): string {
  const name = event.name;
  if (name === undefined) return `syscall_${event.number}(${event.args.slice(0, 6).map(number).join(', ')}) = ${result(abi, event.result)}`;
  const arity = ARITY[name] ?? 3;
  const shown = event.args.slice(0, arity).map((a, i) => {
    if (PATH_ARGUMENT[name] === i || (name === 'rename' && i === 1)) {
      const s = a === 0 ? null : readString(a);
      return s === null ? number(a) : JSON.stringify(s.length > 200 ? s.slice(0, 200) + '...' : s);
    }
    if (DIRFD_ARGUMENT[name] === i && (a | 0) === -100) return 'AT_FDCWD';
    return number(a);
  });
  return `${name}(${shown.join(', ')}) = ${result(abi, event.result)}`;
}

function result(abi: LinuxAbi, value: number): string {
  if (value < 0 && value >= -4095) {
    const errno = ERRNO_NAMES.find((e) => abi.errno[e] === -value);
    return `-1 ${errno ?? `errno ${-value}`}`;
  }
  return number(value);
}
