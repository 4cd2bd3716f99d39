// The i386 Linux ABI: int $0x80, number in eax, arguments in ebx ecx edx esi edi ebp,
// result in eax (-errno on failure). Numbers from asm/unistd_32.h; layouts from offsetof
// probes compiled with i686-linux-gnu-gcc (test/linux/abi-headers.test.ts re-checks them).
import { BASE_ERRNO, type LinuxAbi } from './abi';
import { encodeDev32, type FileStatus } from './file-status';

const STAT64_SIZE = 96;

function encodeStat64(st: FileStatus): Uint8Array {
  const b = new Uint8Array(STAT64_SIZE);
  const v = new DataView(b.buffer);
  v.setBigUint64(0, BigInt(encodeDev32(st.dev)), true);
  v.setUint32(12, Number(st.ino & 0xffffffffn), true); // __st_ino
  v.setUint32(16, st.mode, true);
  v.setUint32(20, st.nlink, true);
  v.setUint32(24, st.uid, true);
  v.setUint32(28, st.gid, true);
  v.setBigUint64(32, BigInt(encodeDev32(st.rdev)), true);
  v.setBigInt64(44, st.size, true);
  v.setUint32(52, st.blksize, true);
  v.setBigUint64(56, st.blocks, true);
  v.setUint32(64, Number(BigInt.asUintN(32, st.atimeSec)), true);
  v.setUint32(68, st.atimeNsec, true);
  v.setUint32(72, Number(BigInt.asUintN(32, st.mtimeSec)), true);
  v.setUint32(76, st.mtimeNsec, true);
  v.setUint32(80, Number(BigInt.asUintN(32, st.ctimeSec)), true);
  v.setUint32(84, st.ctimeNsec, true);
  v.setBigUint64(88, st.ino, true);
  return b;
}

export const I386_ABI: LinuxAbi = {
  name: 'i386',
  elfMachine: 3,
  syscallNumbers: {
    exit: 1, exit_group: 252, read: 3, write: 4, open: 5, close: 6, unlink: 10, chdir: 12, time: 13, lseek: 19,
    getpid: 20, access: 33, brk: 45, ioctl: 54, getppid: 64, dup: 41, dup2: 63, dup3: 330, gettimeofday: 78,
    readlink: 85, munmap: 91, mmap: 90, uname: 122, mprotect: 125, _llseek: 140, readv: 145, writev: 146,
    getcwd: 183, nanosleep: 162, rt_sigaction: 174, rt_sigprocmask: 175, sigaltstack: 186, mmap2: 192,
    stat64: 195, lstat64: 196, fstat64: 197, getuid: 24, getgid: 47, geteuid: 49, getegid: 50, getuid32: 199,
    getgid32: 200, geteuid32: 201, getegid32: 202, gettid: 224, set_thread_area: 243, set_tid_address: 258,
    clock_gettime: 265, clock_getres: 266, clock_nanosleep: 267, openat: 295, fstatat64: 300, unlinkat: 301,
    readlinkat: 305, faccessat: 307, faccessat2: 439, set_robust_list: 311, prlimit64: 340, getrandom: 355,
    statx: 383, clock_gettime64: 403, clock_getres_time64: 406, clock_nanosleep_time64: 407, futex: 240,
    futex_time64: 422, ugetrlimit: 191, getrlimit: 76, fcntl: 55, fcntl64: 221, pread64: 180, pwrite64: 181,
    kill: 37, tgkill: 270, tkill: 238, sched_yield: 158, madvise: 219, mremap: 163, rseq: 386, getdents64: 220,
    ftruncate64: 194, umask: 60, mkdir: 39, rmdir: 40, rename: 38, getpgrp: 65, setsid: 66, getpgid: 132,
    sched_getaffinity: 242, sysinfo: 116, poll: 168, ppoll: 309, pipe: 42, pipe2: 331, rt_sigreturn: 173,
    sigreturn: 119, sched_setaffinity: 241, getrusage: 77, times: 43, fsync: 118, fdatasync: 148,
  },
  errno: {
    ...BASE_ERRNO, EDEADLK: 35, ENAMETOOLONG: 36, ENOLCK: 37, ENOSYS: 38, ENOTEMPTY: 39, ELOOP: 40,
    EOVERFLOW: 75, EOPNOTSUPP: 95, ETIMEDOUT: 110,
  },
  openFlags: {
    creat: 0x40, excl: 0x80, trunc: 0x200, append: 0x400, nonblock: 0x800, directory: 0x10000, nofollow: 0x20000,
    largefile: 0x8000, cloexec: 0x80000,
  },
  mapFlags: { shared: 0x1, private: 0x2, fixed: 0x10, anonymous: 0x20, fixedNoReplace: 0x100000 },
  ioctl: { TCGETS: 0x5401, TIOCGWINSZ: 0x5413 },
  rlimitNofile: 7,
  rlimInfinity32: 0x7fffffff, // old getrlimit clamps; ugetrlimit writes ~0 (handled by name)
  sigsetSize: 8,
  sigactionSize: 20,
  sigprocmaskHow: { block: 0, unblock: 1, setmask: 2 },
  maxSignal: 64,
  signalsIgnoredByDefault: [17, 18, 23, 28], // SIGCHLD SIGCONT SIGURG SIGWINCH
  stackT: { sp: 0, flags: 4, size: 8 },
  stat64Size: STAT64_SIZE,
  encodeStat64,
  alignsArgumentPairs: false,
  utsMachine: 'i686',
  platform: 'i686',
  hwcap: 0x8110, // TSC | CX8 | CMOV, as the interpreter's cpuid reports
  userBottom: 0x1000,
  userTop: 0xc0000000,
  stackTop: 0xc0000000,
  stackSize: 8 << 20,
  mmapTop: 0xb8000000,
};
