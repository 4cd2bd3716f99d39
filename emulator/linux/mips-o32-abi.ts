// The MIPS o32 Linux ABI: `syscall`, number in v0 (4000 + n), arguments in a0-a3 then the
// caller's stack words at sp+16, sp+20, ...; result in v0 with a3 = 0, or a positive errno
// in v0 with a3 = 1. 64-bit arguments sit in aligned register pairs. Numbers from
// asm/unistd_o32.h; layouts from offsetof probes compiled with mipsel-linux-gnu-gcc.
import { BASE_ERRNO, type LinuxAbi } from './abi';
import { encodeDev32, type FileStatus } from './file-status';
import type { PagedMemory } from '../machine/paged-memory';

const STAT64_SIZE = 104;

function encodeStat64(st: FileStatus): Uint8Array {
  const b = new Uint8Array(STAT64_SIZE);
  const v = new DataView(b.buffer);
  v.setUint32(0, encodeDev32(st.dev), true);
  v.setBigUint64(16, st.ino, true);
  v.setUint32(24, st.mode, true);
  v.setUint32(28, st.nlink, true);
  v.setUint32(32, st.uid, true);
  v.setUint32(36, st.gid, true);
  v.setUint32(40, encodeDev32(st.rdev), true);
  v.setBigInt64(56, st.size, true);
  v.setUint32(64, Number(BigInt.asUintN(32, st.atimeSec)), true);
  v.setUint32(68, st.atimeNsec, true);
  v.setUint32(72, Number(BigInt.asUintN(32, st.mtimeSec)), true);
  v.setUint32(76, st.mtimeNsec, true);
  v.setUint32(80, Number(BigInt.asUintN(32, st.ctimeSec)), true);
  v.setUint32(84, st.ctimeNsec, true);
  v.setUint32(88, st.blksize, true);
  v.setBigUint64(96, st.blocks, true);
  return b;
}

export const MIPS_O32_ABI: LinuxAbi = {
  name: 'mips-o32',
  elfMachine: 8,
  syscallNumbers: {
    exit: 4001, exit_group: 4246, read: 4003, write: 4004, open: 4005, close: 4006, unlink: 4010, chdir: 4012,
    time: 4013, lseek: 4019, getpid: 4020, access: 4033, brk: 4045, ioctl: 4054, getppid: 4064, dup: 4041,
    dup2: 4063, dup3: 4327, gettimeofday: 4078, readlink: 4085, munmap: 4091, mmap: 4090, uname: 4122,
    mprotect: 4125, _llseek: 4140, readv: 4145, writev: 4146, getcwd: 4203, nanosleep: 4166, rt_sigaction: 4194,
    rt_sigprocmask: 4195, sigaltstack: 4206, mmap2: 4210, stat64: 4213, lstat64: 4214, fstat64: 4215,
    getuid: 4024, getgid: 4047, geteuid: 4049, getegid: 4050, gettid: 4222, set_thread_area: 4283,
    set_tid_address: 4252, clock_gettime: 4263, clock_getres: 4264, clock_nanosleep: 4265, openat: 4288,
    fstatat64: 4293, unlinkat: 4294, readlinkat: 4298, faccessat: 4300, faccessat2: 4439, set_robust_list: 4309,
    prlimit64: 4338, getrandom: 4353, statx: 4366, clock_gettime64: 4403, clock_getres_time64: 4406,
    clock_nanosleep_time64: 4407, futex: 4238, futex_time64: 4422, getrlimit: 4076, fcntl: 4055, fcntl64: 4220,
    pread64: 4200, pwrite64: 4201, kill: 4037, tgkill: 4266, tkill: 4236, sched_yield: 4162, madvise: 4218,
    mremap: 4167, rseq: 4367, getdents64: 4219, ftruncate64: 4212, cacheflush: 4147, umask: 4060, mkdir: 4039,
    rmdir: 4040, rename: 4038, getpgrp: 4065, setsid: 4066, getpgid: 4132, sched_getaffinity: 4240,
    sysinfo: 4116, poll: 4188, ppoll: 4302, pipe: 4042, pipe2: 4328, rt_sigreturn: 4193, sigreturn: 4119,
    sched_setaffinity: 4239, getrusage: 4077, times: 4043, fsync: 4118, fdatasync: 4152,
  },
  errno: {
    ...BASE_ERRNO, EDEADLK: 45, ENAMETOOLONG: 78, ENOLCK: 46, ENOSYS: 89, ENOTEMPTY: 93, ELOOP: 90,
    EOVERFLOW: 79, EOPNOTSUPP: 122, ETIMEDOUT: 145,
  },
  openFlags: {
    creat: 0x100, excl: 0x400, trunc: 0x200, append: 0x8, nonblock: 0x80, directory: 0x10000, nofollow: 0x20000,
    largefile: 0x2000, cloexec: 0x80000,
  },
  mapFlags: { shared: 0x1, private: 0x2, fixed: 0x10, anonymous: 0x800, fixedNoReplace: 0x100000 },
  ioctl: { TCGETS: 0x540d, TIOCGWINSZ: 0x40087468 },
  rlimitNofile: 5,
  rlimInfinity32: 0x7fffffff,
  sigsetSize: 16,
  sigactionSize: 24,
  sigprocmaskHow: { block: 1, unblock: 2, setmask: 3 },
  maxSignal: 128,
  signalsIgnoredByDefault: [18, 25, 21, 20], // SIGCHLD SIGCONT SIGURG SIGWINCH
  stackT: { sp: 0, size: 4, flags: 8 },
  stat64Size: STAT64_SIZE,
  encodeStat64,
  alignsArgumentPairs: true,
  utsMachine: 'mips',
  platform: null,
  hwcap: 0,
  userBottom: 0x1000,
  userTop: 0x80000000,
  stackTop: 0x7fff0000,
  stackSize: 8 << 20,
  mmapTop: 0x77000000,
};

/**
 * The six system-call arguments of o32: a0-a3 from registers, the 5th and 6th from the
 * caller's stack at sp+16 and sp+20 (read lazily: an unreadable stack gives 0, and only a
 * call that uses them would notice).
 */
export function o32SyscallArguments(a0: number, a1: number, a2: number, a3: number, sp: number, memory: PagedMemory): number[] {
  let a4 = 0, a5 = 0;
  try { a4 = memory.read32((sp + 16) | 0); a5 = memory.read32((sp + 20) | 0); } catch { /* short stack: the call does not use them */ }
  return [a0, a1, a2, a3, a4, a5];
}

/** o32 result convention: v0 = value and a3 = 0, or v0 = positive errno and a3 = 1. */
export function o32Result(value: number): { v0: number; a3: number } {
  if (value < 0 && value >= -4095) return { v0: -value, a3: 1 };
  return { v0: value | 0, a3: 0 };
}
