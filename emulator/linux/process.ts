// The Linux system-call layer for one single-threaded process, shared by every ISA: the ISA
// wiring decodes a system call into (number, six arguments), calls syscall(), and stores
// the result back by its own ABI's convention (eax, or v0/a3). The layer owns the process
// state a kernel keeps: file descriptors (host files, emulated stdio), brk, anonymous and
// private file mappings, the simulated clock, signal dispositions (recorded, never delivered).
//
// Simulated time: NS_PER_INSTRUCTION nanoseconds per retired guest instruction, plus whatever
// the program slept; CLOCK_REALTIME starts at REALTIME_EPOCH_SECONDS, CLOCK_MONOTONIC at
// MONOTONIC_START_SECONDS. Nothing reads the host clock.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { MemoryFault, PAGE_MASK, PAGE_SIZE, type PagedMemory } from '../machine/paged-memory';
import { syscallNameTable, type ErrnoName, type LinuxAbi, type SyscallName } from './abi';
import { encodeStatx, fileStatusFromHost, pipeStatus, S_IFMT, type FileStatus } from './file-status';

export const NS_PER_INSTRUCTION = 1;
export const REALTIME_EPOCH_SECONDS = 1735689600; // 2025-01-01T00:00:00Z
export const MONOTONIC_START_SECONDS = 100;
export const PROCESS_ID = 1000;
export const PARENT_PROCESS_ID = 1;
export const USER_ID = 1000;
export const GROUP_ID = 1000;
export const UNAME = { sysname: 'Linux', nodename: 'ukcf', release: '6.1.0-ukcf', version: '#1 SMP UKCF emulated kernel', domainname: '(none)' };

const AT_FDCWD = -100;
const AT_SYMLINK_NOFOLLOW = 0x100;
const AT_REMOVEDIR = 0x200;
const AT_EMPTY_PATH = 0x1000;
const MAX_FDS = 1024;
const SIGPIPE = 13;
const MAX_IO_CHUNK = 64 << 20;
const SIGNAL_NAMES: Record<number, string> = {
  1: 'SIGHUP', 2: 'SIGINT', 3: 'SIGQUIT', 4: 'SIGILL', 5: 'SIGTRAP', 6: 'SIGABRT', 8: 'SIGFPE', 9: 'SIGKILL',
  11: 'SIGSEGV', 13: 'SIGPIPE', 14: 'SIGALRM', 15: 'SIGTERM',
};

export function signalName(sig: number): string {
  return SIGNAL_NAMES[sig] ?? `signal ${sig}`;
}

/** One open file description (shared by dup'ed descriptors). */
type OpenFile =
  | { kind: 'stdin'; position: number }
  | { kind: 'stdout' }
  | { kind: 'stderr' }
  | { kind: 'host'; hostFd: number; hostPath: string; position: number; readable: boolean; writable: boolean;
      append: boolean; isDirectory: boolean; statusFlags: number; directoryRead: number };

interface Descriptor { file: OpenFile; closeOnExec: boolean }

export interface LinuxProcessOptions {
  abi: LinuxAbi;
  memory: PagedMemory;
  /** Host path of the executable (readlink /proc/self/exe gives its absolute form). */
  executable: string;
  /** First address of the heap: the page-aligned end of the highest loaded segment. */
  brkStart: number;
  /** Host directory relative paths start from (default: the host's current directory). */
  cwd?: string;
  stdin?: Uint8Array;
  stdout: (bytes: Uint8Array) => void;
  stderr: (bytes: Uint8Array) => void;
  /** Retired guest instructions so far: the source of simulated time. */
  instructions: () => number;
  /** The ISA's set_thread_area (i386: a user_desc pointer; MIPS: the new thread pointer). */
  setThreadArea?: (args: ArrayLike<number>) => number;
  /** Mapping, unmapping or protection changed over this range (decoded-code caches drop it). */
  onCodeChange?: (address: number, length: number) => void;
  /** Where the layer's own one-line notes go (unsupported calls); default: host stderr. */
  diagnostic?: (line: string) => void;
}

export interface SyscallEvent {
  number: number;
  name: SyscallName | undefined;
  /** The six raw arguments, unsigned. */
  args: number[];
  /** The value returned (negative errno on failure), before the ABI's encoding. */
  result: number;
}

export interface ProcessExit {
  /** Shell-style status: exit code, or 128 + signal. */
  code: number;
  signal?: number;
  message?: string;
}

/** A deterministic byte stream (xorshift32) for getrandom and AT_RANDOM. */
export class DeterministicRandom {
  private state: number;
  constructor(seed = 0x2545f491) { this.state = seed | 0 || 1; }
  nextByte(): number {
    let x = this.state;
    x ^= x << 13; x ^= x >>> 17; x ^= x << 5;
    this.state = x;
    return (x >>> 24) & 0xff;
  }
  bytes(n: number): Uint8Array {
    const b = new Uint8Array(n);
    for (let i = 0; i < n; i++) b[i] = this.nextByte();
    return b;
  }
}

/**
 * Guest paths are byte strings (held here as latin1 strings, one char per byte); the host
 * filesystem gets exactly those bytes.
 */
function bytesOf(p: string): Buffer {
  return Buffer.from(p, 'latin1');
}

function pageUp(x: number): number {
  return (x + PAGE_MASK) & ~PAGE_MASK;
}

export class LinuxProcess {
  readonly abi: LinuxAbi;
  readonly memory: PagedMemory;
  readonly random = new DeterministicRandom();
  /** Set once the program has exited (exit, exit_group, or a fatal signal it sent itself). */
  exit: ProcessExit | null = null;
  /** Number of system calls handled (for statistics). */
  syscallCount = 0;
  /** Told about every system call after it ran (the debugger's boundary-crossing view). */
  onSyscall: ((event: SyscallEvent) => void) | null = null;

  private readonly names: Map<number, SyscallName>;
  private readonly E: Readonly<Record<ErrnoName, number>>;
  private readonly fds: (Descriptor | null)[] = [];
  private readonly stdinBytes: Uint8Array;
  private stdinSource: ((maxBytes: number) => Uint8Array) | null = null;
  private readonly options: LinuxProcessOptions;
  private readonly diagnosed = new Set<number>();
  private readonly signalActions = new Map<number, Uint8Array>();
  private signalMask: Uint8Array;
  private altStack: Uint8Array | null = null;
  private readonly brkStart: number;
  private brkCurrent: number;
  private cwd: string;
  private umaskValue = 0o022;
  private sleptNs = 0;

  constructor(options: LinuxProcessOptions) {
    this.options = options;
    this.abi = options.abi;
    this.memory = options.memory;
    this.names = syscallNameTable(options.abi);
    this.E = options.abi.errno;
    this.stdinBytes = options.stdin ?? new Uint8Array(0);
    this.fds[0] = { file: { kind: 'stdin', position: 0 }, closeOnExec: false };
    this.fds[1] = { file: { kind: 'stdout' }, closeOnExec: false };
    this.fds[2] = { file: { kind: 'stderr' }, closeOnExec: false };
    this.brkStart = this.brkCurrent = pageUp(options.brkStart);
    this.cwd = Buffer.from(path.resolve(options.cwd ?? process.cwd()), 'utf8').toString('latin1');
    this.signalMask = new Uint8Array(options.abi.sigsetSize);
  }

  /**
   * Makes fd 0 read from `source` on demand instead of the fixed stdin bytes: each guest read
   * asks for at most maxBytes and gets what the source returns (an empty array is end of input).
   */
  setStdinSource(source: (maxBytes: number) => Uint8Array): void {
    this.stdinSource = source;
  }

  /** The current program break. */
  get brk(): number {
    return this.brkCurrent;
  }

  /** Simulated nanoseconds since the process started. */
  elapsedNs(): number {
    return this.options.instructions() * NS_PER_INSTRUCTION + this.sleptNs;
  }

  /** Closes every host file still open (call when the run ends). */
  release(): void {
    const closed = new Set<OpenFile>();
    for (let fd = 0; fd < this.fds.length; fd++) {
      const d = this.fds[fd];
      if (d && d.file.kind === 'host' && !closed.has(d.file)) {
        closed.add(d.file);
        try { fs.closeSync(d.file.hostFd); } catch { /* already gone */ }
      }
      this.fds[fd] = null;
    }
  }

  /** Name of a system-call number in this ABI, if the layer knows it. */
  syscallName(nr: number): SyscallName | undefined {
    return this.names.get(nr);
  }

  /**
   * Executes system call `nr` with up to six raw 32-bit arguments. Returns the result as the
   * kernel would: a value, or -errno (in this ABI's errno numbering) for failures.
   */
  syscall(nr: number, args: ArrayLike<number>): number {
    this.syscallCount++;
    const result = this.execute(nr, args);
    if (this.onSyscall !== null) {
      this.onSyscall({ number: nr, name: this.names.get(nr), args: Array.from(args, (x) => x >>> 0), result: result | 0 });
    }
    return result;
  }

  private execute(nr: number, args: ArrayLike<number>): number {
    const name = this.names.get(nr);
    if (name === undefined) return this.unsupported(nr, undefined);
    try {
      return this.dispatch(name, nr, args);
    } catch (e) {
      if (e instanceof MemoryFault) return -this.E.EFAULT;
      // A host errno (ENOENT, EACCES...) becomes the guest's; anything else is our bug.
      const code = (e as NodeJS.ErrnoException).code;
      if (typeof code === 'string' && /^E[A-Z0-9]+$/.test(code)) return -(this.E[code as ErrnoName] ?? this.E.EIO);
      throw e;
    }
  }

  private unsupported(nr: number, name: string | undefined): number {
    if (!this.diagnosed.has(nr)) {
      this.diagnosed.add(nr);
      const line = `ukcf: unsupported system call ${nr}${name ? ` (${name})` : ''}: returning -ENOSYS`;
      if (this.options.diagnostic) this.options.diagnostic(line);
      else process.stderr.write(line + '\n');
    }
    return -this.E.ENOSYS;
  }

  private dispatch(name: SyscallName, nr: number, a: ArrayLike<number>): number {
    const u = (i: number) => a[i] >>> 0;
    const s = (i: number) => a[i] | 0;
    switch (name) {
      case 'exit':
      case 'exit_group':
        this.exit = { code: s(0) & 0xff };
        return 0;
      case 'read': return this.read(s(0), u(1), u(2), null);
      case 'write': return this.write(s(0), u(1), u(2), null);
      case 'pread64': return this.read(s(0), u(1), u(2), this.argument64(a, 3));
      case 'pwrite64': return this.write(s(0), u(1), u(2), this.argument64(a, 3));
      case 'readv': return this.vectorIo(s(0), u(1), s(2), 'read');
      case 'writev': return this.vectorIo(s(0), u(1), s(2), 'write');
      case 'open': return this.openAt(AT_FDCWD, u(0), s(1), u(2));
      case 'openat': return this.openAt(s(0), u(1), s(2), u(3));
      case 'close': return this.close(s(0));
      case 'lseek': {
        const r = this.seek(s(0), s(1), s(2));
        if (r < 0) return r;
        return r > 0x7fffffff ? -this.E.EOVERFLOW : r;
      }
      case '_llseek': {
        const offset = s(1) * 0x100000000 + u(2); // signed 64-bit: high word carries the sign
        const r = this.seek(s(0), offset, s(4));
        if (r < 0) return r;
        this.writeU64(u(3), BigInt(r));
        return 0;
      }
      case 'ftruncate64': {
        const f = this.hostFile(s(0));
        if (typeof f === 'number') return f;
        if (!f.writable) return -this.E.EINVAL;
        const length = this.argument64(a, 1);
        if (length < 0) return -this.E.EINVAL;
        fs.ftruncateSync(f.hostFd, length);
        return 0;
      }
      case 'dup': return this.duplicate(s(0), 0, false);
      case 'dup2': {
        if (this.descriptor(s(0)) === null) return -this.E.EBADF;
        if (s(0) === s(1)) return s(1);
        return this.duplicateTo(s(0), s(1), false);
      }
      case 'dup3': {
        if (s(0) === s(1)) return -this.E.EINVAL;
        return this.duplicateTo(s(0), s(1), (u(2) & this.abi.openFlags.cloexec) !== 0);
      }
      case 'fcntl':
      case 'fcntl64': return this.fcntl(s(0), s(1), s(2));
      case 'ioctl': return this.descriptor(s(0)) === null ? -this.E.EBADF : -this.E.ENOTTY;
      case 'stat64': return this.statPath(AT_FDCWD, u(0), u(1), 0, 'stat64');
      case 'lstat64': return this.statPath(AT_FDCWD, u(0), u(1), AT_SYMLINK_NOFOLLOW, 'stat64');
      case 'fstat64': return this.statFd(s(0), u(1), 'stat64');
      case 'fstatat64': return this.statPath(s(0), u(1), u(2), s(3), 'stat64');
      case 'statx': return this.statPath(s(0), u(1), u(4), s(2), 'statx');
      case 'access': return this.accessAt(AT_FDCWD, u(0), s(1));
      case 'faccessat':
      case 'faccessat2': return this.accessAt(s(0), u(1), s(2));
      case 'readlink': return this.readlinkAt(AT_FDCWD, u(0), u(1), s(2));
      case 'readlinkat': return this.readlinkAt(s(0), u(1), u(2), s(3));
      case 'getcwd': {
        const bytes = Buffer.from(this.cwd + '\0', 'latin1');
        if (u(1) < bytes.length) return -this.E.ERANGE;
        this.memory.writeBytes(u(0), bytes);
        return bytes.length;
      }
      case 'chdir': {
        const p = this.resolvePath(AT_FDCWD, u(0));
        if (typeof p === 'number') return p;
        if (!fs.statSync(bytesOf(p)).isDirectory()) return -this.E.ENOTDIR;
        this.cwd = p;
        return 0;
      }
      case 'unlink': return this.unlinkAt(AT_FDCWD, u(0), 0);
      case 'unlinkat': return this.unlinkAt(s(0), u(1), s(2));
      case 'rmdir': return this.unlinkAt(AT_FDCWD, u(0), AT_REMOVEDIR);
      case 'mkdir': {
        const p = this.resolvePath(AT_FDCWD, u(0));
        if (typeof p === 'number') return p;
        fs.mkdirSync(bytesOf(p), { mode: u(1) & 0o7777 & ~this.umaskValue });
        return 0;
      }
      case 'rename': {
        const from = this.resolvePath(AT_FDCWD, u(0));
        if (typeof from === 'number') return from;
        const to = this.resolvePath(AT_FDCWD, u(1));
        if (typeof to === 'number') return to;
        fs.renameSync(bytesOf(from), bytesOf(to));
        return 0;
      }
      case 'umask': {
        const old = this.umaskValue;
        this.umaskValue = u(0) & 0o777;
        return old;
      }
      case 'getdents64': return this.getdents64(s(0), u(1), u(2));
      case 'brk': return this.setBrk(u(0));
      case 'mmap2': return this.mmap(u(0), u(1), s(2), s(3), s(4), u(5) * PAGE_SIZE);
      case 'mmap': {
        if (this.abi.name === 'i386') {
          // old_mmap: one pointer to the six arguments, offset in bytes.
          const p = u(0);
          const m = this.memory;
          return this.mmap(m.read32(p) >>> 0, m.read32(p + 4) >>> 0, m.read32(p + 8), m.read32(p + 12), m.read32(p + 16), m.read32(p + 20) >>> 0);
        }
        if (u(5) & PAGE_MASK) return -this.E.EINVAL;
        return this.mmap(u(0), u(1), s(2), s(3), s(4), u(5));
      }
      case 'munmap': return this.munmap(u(0), u(1));
      case 'mprotect': return this.mprotect(u(0), u(1), s(2));
      case 'madvise': return 0;
      case 'mremap': return this.mremap(u(0), u(1), u(2), s(3), u(4));
      case 'uname': {
        const out = new Uint8Array(65 * 6);
        const fields = [UNAME.sysname, UNAME.nodename, UNAME.release, UNAME.version, this.abi.utsMachine, UNAME.domainname];
        fields.forEach((f, i) => out.set(Buffer.from(f, 'latin1'), i * 65));
        this.memory.writeBytes(u(0), out);
        return 0;
      }
      case 'getpid':
      case 'gettid':
      case 'getpgrp':
      case 'setsid':
        return PROCESS_ID;
      case 'getpgid': return s(0) === 0 || s(0) === PROCESS_ID ? PROCESS_ID : -this.E.ESRCH;
      case 'getppid': return PARENT_PROCESS_ID;
      case 'getuid': case 'geteuid': case 'getuid32': case 'geteuid32': return USER_ID;
      case 'getgid': case 'getegid': case 'getgid32': case 'getegid32': return GROUP_ID;
      case 'set_tid_address': return PROCESS_ID;
      case 'set_robust_list': return 0;
      case 'rseq': return -this.E.ENOSYS; // optional for glibc; not diagnosed
      case 'set_thread_area':
        return this.options.setThreadArea ? this.options.setThreadArea(a) : this.unsupported(nr, name);
      case 'cacheflush':
        this.options.onCodeChange?.(u(0), u(1));
        return 0;
      case 'time': {
        const sec = this.realtime().sec;
        if (u(0) !== 0) this.memory.write32(u(0), sec);
        return sec | 0;
      }
      case 'gettimeofday': {
        if (u(0) !== 0) {
          const t = this.realtime();
          this.writeWords(u(0), [t.sec, Math.floor(t.nsec / 1000)]);
        }
        if (u(1) !== 0) this.writeWords(u(1), [0, 0]);
        return 0;
      }
      case 'clock_gettime':
      case 'clock_gettime64': {
        const t = this.clock(s(0));
        if (t === null) return -this.E.EINVAL;
        this.writeTimespec(u(1), t.sec, t.nsec, name === 'clock_gettime64');
        return 0;
      }
      case 'clock_getres':
      case 'clock_getres_time64': {
        if (this.clock(s(0)) === null) return -this.E.EINVAL;
        if (u(1) !== 0) this.writeTimespec(u(1), 0, 1, name === 'clock_getres_time64');
        return 0;
      }
      case 'nanosleep': return -this.sleep(1, 0, u(0), false) | 0;
      case 'clock_nanosleep': return -this.sleep(s(0), s(1), u(2), false) | 0;
      case 'clock_nanosleep_time64': return -this.sleep(s(0), s(1), u(2), true) | 0;
      case 'rt_sigaction': return this.sigaction(s(0), u(1), u(2), u(3));
      case 'rt_sigprocmask': return this.sigprocmask(s(0), u(1), u(2), u(3));
      case 'sigaltstack': return this.sigaltstack(u(0), u(1));
      case 'kill': return s(0) === PROCESS_ID || s(0) === 0 || s(0) === -1 ? this.sendSelf(s(1)) : -this.E.ESRCH;
      case 'tkill': return s(0) === PROCESS_ID ? this.sendSelf(s(1)) : -this.E.ESRCH;
      case 'tgkill': return s(0) === PROCESS_ID && s(1) === PROCESS_ID ? this.sendSelf(s(2)) : -this.E.ESRCH;
      case 'sched_yield': return 0;
      case 'fsync':
      case 'fdatasync': {
        const d = this.descriptor(s(0));
        if (d === null) return -this.E.EBADF;
        return d.file.kind === 'host' ? 0 : -this.E.EINVAL;
      }
      case 'getrusage': {
        // RUSAGE_SELF / RUSAGE_THREAD: user time is the instructions; everything else zero.
        if (s(0) !== 0 && s(0) !== 1 && s(0) !== -1) return -this.E.EINVAL;
        const usage = new Uint8Array(72);
        if (s(0) !== -1) {
          const ns = this.options.instructions() * NS_PER_INSTRUCTION;
          const v = new DataView(usage.buffer);
          v.setUint32(0, Math.floor(ns / 1e9), true);
          v.setUint32(4, Math.floor((ns % 1e9) / 1000), true);
        }
        this.memory.writeBytes(u(1), usage);
        return 0;
      }
      case 'times': {
        // clock ticks at USER_HZ = 100; the return value is ticks since boot
        const cpuTicks = Math.floor((this.options.instructions() * NS_PER_INSTRUCTION) / 1e7);
        if (u(0) !== 0) this.writeWords(u(0), [cpuTicks, 0, 0, 0]);
        return (MONOTONIC_START_SECONDS * 100 + Math.floor(this.elapsedNs() / 1e7)) | 0;
      }
      case 'sched_getaffinity': {
        if (u(1) < 4 || u(1) & 3) return -this.E.EINVAL;
        this.memory.writeBytes(u(2), new Uint8Array([1, 0, 0, 0]));
        return 4;
      }
      case 'sched_setaffinity': return 0;
      case 'prlimit64': {
        if (s(0) !== 0 && s(0) !== PROCESS_ID) return -this.E.ESRCH;
        if (u(3) !== 0) {
          const [cur, max] = this.resourceLimit(s(1));
          this.writeU64(u(3), cur);
          this.writeU64(u(3) + 8, max);
        }
        return 0;
      }
      case 'getrlimit':
      case 'ugetrlimit': {
        const inf = name === 'ugetrlimit' ? 0xffffffff : this.abi.rlimInfinity32;
        const clamp = (v: bigint) => (v > BigInt(inf) ? inf : Number(v));
        const [cur, max] = this.resourceLimit(s(0));
        this.writeWords(u(1), [clamp(cur), clamp(max)]);
        return 0;
      }
      case 'getrandom': {
        const n = Math.min(u(1), MAX_IO_CHUNK);
        this.memory.writeBytes(u(0), this.random.bytes(n));
        return n;
      }
      case 'futex':
      case 'futex_time64': return this.futex(u(0), s(1), s(2), u(3));
      case 'sysinfo': {
        const info = new Uint8Array(64);
        const v = new DataView(info.buffer);
        v.setUint32(0, Math.floor(this.elapsedNs() / 1e9) + MONOTONIC_START_SECONDS, true); // uptime
        v.setUint32(16, 256 << 20, true); // totalram
        v.setUint32(20, 192 << 20, true); // freeram
        v.setUint16(40, 1, true); // procs
        v.setUint32(52, 1, true); // mem_unit
        this.memory.writeBytes(u(0), info);
        return 0;
      }
      default:
        return this.unsupported(nr, name);
    }
  }

  // ---- arguments and guest memory ---------------------------------------------------------

  /** A 64-bit argument starting at argument `index` (o32 skips to an even register). */
  private argument64(a: ArrayLike<number>, index: number): number {
    const i = this.abi.alignsArgumentPairs && index % 2 === 1 ? index + 1 : index;
    return (a[i + 1] | 0) * 0x100000000 + (a[i] >>> 0);
  }

  private writeWords(address: number, words: number[]): void {
    const b = new Uint8Array(words.length * 4);
    const v = new DataView(b.buffer);
    words.forEach((w, i) => v.setUint32(i * 4, w >>> 0, true));
    this.memory.writeBytes(address, b);
  }

  private writeU64(address: number, value: bigint): void {
    const b = new Uint8Array(8);
    new DataView(b.buffer).setBigUint64(0, BigInt.asUintN(64, value), true);
    this.memory.writeBytes(address, b);
  }

  private readPath(address: number): string | number {
    if (address === 0) return -this.E.EFAULT;
    const s = this.memory.readCString(address, 4096);
    return s;
  }

  /** Host path for a guest path relative to dirfd; -errno if it cannot be formed. */
  private resolvePath(dirfd: number, address: number): string | number {
    const p = this.readPath(address);
    if (typeof p === 'number') return p;
    if (p.length === 0) return -this.E.ENOENT;
    return this.resolveString(dirfd, p);
  }

  private resolveString(dirfd: number, p: string): string | number {
    if (p.startsWith('/')) return p;
    if (dirfd === AT_FDCWD) return path.resolve(this.cwd, p);
    const d = this.descriptor(dirfd);
    if (d === null) return -this.E.EBADF;
    if (d.file.kind !== 'host' || !d.file.isDirectory) return -this.E.ENOTDIR;
    return path.resolve(d.file.hostPath, p);
  }

  // ---- descriptors --------------------------------------------------------------------------

  private descriptor(fd: number): Descriptor | null {
    return fd >= 0 && fd < this.fds.length ? this.fds[fd] ?? null : null;
  }

  private hostFile(fd: number): Extract<OpenFile, { kind: 'host' }> | number {
    const d = this.descriptor(fd);
    if (d === null) return -this.E.EBADF;
    if (d.file.kind !== 'host') return -this.E.EINVAL;
    return d.file;
  }

  private lowestFreeFd(from: number): number {
    for (let fd = from; fd < MAX_FDS; fd++) if (this.descriptor(fd) === null) return fd;
    return -1;
  }

  private install(file: OpenFile, from: number, closeOnExec: boolean): number {
    const fd = this.lowestFreeFd(from);
    if (fd < 0) return -this.E.EMFILE;
    this.fds[fd] = { file, closeOnExec };
    return fd;
  }

  private close(fd: number): number {
    const d = this.descriptor(fd);
    if (d === null) return -this.E.EBADF;
    this.fds[fd] = null;
    if (d.file.kind === 'host' && !this.fds.some((o) => o !== null && o.file === d.file)) fs.closeSync(d.file.hostFd);
    return 0;
  }

  private duplicate(fd: number, from: number, closeOnExec: boolean): number {
    const d = this.descriptor(fd);
    if (d === null) return -this.E.EBADF;
    return this.install(d.file, from, closeOnExec);
  }

  private duplicateTo(fd: number, target: number, closeOnExec: boolean): number {
    const d = this.descriptor(fd);
    if (d === null || target < 0 || target >= MAX_FDS) return -this.E.EBADF;
    if (this.descriptor(target) !== null) this.close(target);
    this.fds[target] = { file: d.file, closeOnExec };
    return target;
  }

  private fcntl(fd: number, cmd: number, arg: number): number {
    const d = this.descriptor(fd);
    if (d === null) return -this.E.EBADF;
    switch (cmd) {
      case 0: return this.duplicate(fd, arg, false); // F_DUPFD
      case 1030: return this.duplicate(fd, arg, true); // F_DUPFD_CLOEXEC
      case 1: return d.closeOnExec ? 1 : 0; // F_GETFD
      case 2: d.closeOnExec = (arg & 1) !== 0; return 0; // F_SETFD
      case 3: { // F_GETFL
        const f = d.file;
        if (f.kind === 'stdin') return 0;
        if (f.kind !== 'host') return 1;
        return f.statusFlags;
      }
      case 4: return 0; // F_SETFL: O_APPEND/O_NONBLOCK changes are not modelled
      default: return -this.E.EINVAL;
    }
  }

  private openAt(dirfd: number, pathAddress: number, flags: number, mode: number): number {
    const p = this.resolvePath(dirfd, pathAddress);
    if (typeof p === 'number') return p;
    const F = this.abi.openFlags;
    const C = fs.constants;
    const access = flags & 3;
    if (access === 3) return -this.E.EINVAL;
    let host = access === 0 ? C.O_RDONLY : access === 1 ? C.O_WRONLY : C.O_RDWR;
    if (flags & F.creat) host |= C.O_CREAT;
    if (flags & F.excl) host |= C.O_EXCL;
    if (flags & F.trunc) host |= C.O_TRUNC;
    if (flags & F.append) host |= C.O_APPEND;
    if (flags & F.directory) host |= C.O_DIRECTORY;
    if (flags & F.nofollow) host |= C.O_NOFOLLOW;
    const hostFd = fs.openSync(bytesOf(p), host, mode & 0o7777 & ~this.umaskValue);
    let isDirectory = false;
    try {
      isDirectory = fs.fstatSync(hostFd).isDirectory();
    } catch (e) {
      fs.closeSync(hostFd);
      throw e;
    }
    const file: OpenFile = {
      kind: 'host', hostFd, hostPath: p, position: 0, readable: access !== 1, writable: access !== 0,
      append: (flags & F.append) !== 0, isDirectory,
      statusFlags: flags & (3 | F.append | F.nonblock | F.largefile), directoryRead: 0,
    };
    const fd = this.install(file, 0, (flags & F.cloexec) !== 0);
    if (fd < 0) fs.closeSync(hostFd);
    return fd;
  }

  // ---- reading and writing ------------------------------------------------------------------

  private read(fd: number, buf: number, count: number, at: number | null): number {
    const d = this.descriptor(fd);
    if (d === null) return -this.E.EBADF;
    const f = d.file;
    if (count === 0) return 0;
    count = Math.min(count, MAX_IO_CHUNK);
    if (f.kind === 'stdin') {
      if (at !== null) return -this.E.ESPIPE;
      if (this.stdinSource !== null) {
        // Pulled on demand (an interactive terminal, a pipe): at most `count` bytes, empty = end of input.
        this.memory.checkWrite(buf, Math.min(count, 1 << 16));
        const bytes = this.stdinSource(Math.min(count, 1 << 16));
        if (bytes.length > 0) this.memory.writeBytes(buf, bytes);
        return bytes.length;
      }
      const n = Math.min(count, this.stdinBytes.length - f.position);
      if (n <= 0) return 0;
      this.memory.writeBytes(buf, this.stdinBytes.subarray(f.position, f.position + n));
      f.position += n;
      return n;
    }
    if (f.kind !== 'host') return at !== null ? -this.E.ESPIPE : -this.E.EBADF;
    if (!f.readable) return -this.E.EBADF;
    if (f.isDirectory) return -this.E.EISDIR;
    // Like copy_to_user, only the bytes actually read must fit the guest buffer.
    const position = at ?? f.position;
    const st = fs.fstatSync(f.hostFd);
    if (st.isFile()) count = Math.min(count, Math.max(0, st.size - position));
    if (count === 0) return 0;
    const tmp = Buffer.allocUnsafe(count);
    const n = fs.readSync(f.hostFd, tmp, 0, count, position);
    this.memory.writeBytes(buf, tmp.subarray(0, n));
    if (at === null) f.position += n;
    return n;
  }

  private write(fd: number, buf: number, count: number, at: number | null): number {
    const d = this.descriptor(fd);
    if (d === null) return -this.E.EBADF;
    const f = d.file;
    count = Math.min(count, MAX_IO_CHUNK);
    const bytes = this.memory.readBytes(buf, count);
    if (f.kind === 'stdout' || f.kind === 'stderr') {
      if (at !== null) return -this.E.ESPIPE;
      if (count === 0) return 0;
      try {
        (f.kind === 'stdout' ? this.options.stdout : this.options.stderr)(bytes);
      } catch (e) {
        // The reader went away (a host pipe closed): SIGPIPE, as Linux sends it.
        if ((e as NodeJS.ErrnoException).code !== 'EPIPE') throw e;
        this.sendSelf(SIGPIPE);
        return -this.E.EPIPE;
      }
      return count;
    }
    if (f.kind !== 'host' || !f.writable) return -this.E.EBADF;
    if (count === 0) return 0;
    if (f.append && at === null) {
      const n = fs.writeSync(f.hostFd, bytes, 0, count, null);
      f.position = fs.fstatSync(f.hostFd).size;
      return n;
    }
    const n = fs.writeSync(f.hostFd, bytes, 0, count, at ?? f.position);
    if (at === null) f.position += n;
    return n;
  }

  private vectorIo(fd: number, iov: number, iovcnt: number, direction: 'read' | 'write'): number {
    if (iovcnt < 0 || iovcnt > 1024) return -this.E.EINVAL;
    if (this.descriptor(fd) === null) return -this.E.EBADF;
    let total = 0;
    for (let i = 0; i < iovcnt; i++) {
      const base = this.memory.read32(iov + i * 8) >>> 0;
      const len = this.memory.read32(iov + i * 8 + 4) >>> 0;
      if (len === 0) continue;
      const r = direction === 'read' ? this.read(fd, base, len, null) : this.write(fd, base, len, null);
      if (r < 0) return total > 0 ? total : r;
      total += r;
      if (r < len) break;
    }
    return total;
  }

  /** New file position (a non-negative number), or -errno. */
  private seek(fd: number, offset: number, whence: number): number {
    const d = this.descriptor(fd);
    if (d === null) return -this.E.EBADF;
    const f = d.file;
    if (f.kind !== 'host') return -this.E.ESPIPE;
    let base: number;
    if (whence === 0) base = 0;
    else if (whence === 1) base = f.isDirectory ? f.directoryRead : f.position;
    else if (whence === 2) base = fs.fstatSync(f.hostFd).size;
    else return -this.E.EINVAL;
    const target = base + offset;
    if (target < 0) return -this.E.EINVAL;
    if (f.isDirectory) f.directoryRead = target;
    else f.position = target;
    return target;
  }

  // ---- file status --------------------------------------------------------------------------

  private statusOfFd(fd: number): FileStatus | number {
    const d = this.descriptor(fd);
    if (d === null) return -this.E.EBADF;
    if (d.file.kind === 'host') return fileStatusFromHost(fs.fstatSync(d.file.hostFd, { bigint: true }));
    return pipeStatus(d.file.kind === 'stdin' ? 0x10 : d.file.kind === 'stdout' ? 0x11 : 0x12);
  }

  private storeStatus(st: FileStatus, buf: number, layout: 'stat64' | 'statx'): number {
    this.memory.writeBytes(buf, layout === 'stat64' ? this.abi.encodeStat64(st) : encodeStatx(st, false));
    return 0;
  }

  private statFd(fd: number, buf: number, layout: 'stat64' | 'statx'): number {
    const st = this.statusOfFd(fd);
    if (typeof st === 'number') return st;
    return this.storeStatus(st, buf, layout);
  }

  private statPath(dirfd: number, pathAddress: number, buf: number, flags: number, layout: 'stat64' | 'statx'): number {
    const p = this.readPath(pathAddress);
    if (typeof p === 'number') return p;
    if (p.length === 0) {
      if (!(flags & AT_EMPTY_PATH)) return -this.E.ENOENT;
      if (dirfd === AT_FDCWD) return this.storeStatus(fileStatusFromHost(fs.statSync(bytesOf(this.cwd), { bigint: true })), buf, layout);
      return this.statFd(dirfd, buf, layout);
    }
    const hostPath = this.resolveString(dirfd, p);
    if (typeof hostPath === 'number') return hostPath;
    const st = flags & AT_SYMLINK_NOFOLLOW ? fs.lstatSync(bytesOf(hostPath), { bigint: true }) : fs.statSync(bytesOf(hostPath), { bigint: true });
    return this.storeStatus(fileStatusFromHost(st), buf, layout);
  }

  private accessAt(dirfd: number, pathAddress: number, mode: number): number {
    const p = this.resolvePath(dirfd, pathAddress);
    if (typeof p === 'number') return p;
    if (mode & ~7) return -this.E.EINVAL;
    fs.accessSync(bytesOf(p), mode);
    return 0;
  }

  private readlinkAt(dirfd: number, pathAddress: number, buf: number, size: number): number {
    if (size <= 0) return -this.E.EINVAL;
    const p = this.readPath(pathAddress);
    if (typeof p === 'number') return p;
    let target: Buffer;
    if (p === '/proc/self/exe') target = Buffer.from(path.resolve(this.options.executable), 'utf8');
    else {
      const hostPath = this.resolveString(dirfd, p);
      if (typeof hostPath === 'number') return hostPath;
      target = fs.readlinkSync(bytesOf(hostPath), { encoding: 'buffer' });
    }
    const n = Math.min(size, target.length);
    this.memory.writeBytes(buf, target.subarray(0, n));
    return n;
  }

  private unlinkAt(dirfd: number, pathAddress: number, flags: number): number {
    const p = this.resolvePath(dirfd, pathAddress);
    if (typeof p === 'number') return p;
    if (flags & AT_REMOVEDIR) fs.rmdirSync(bytesOf(p));
    else {
      if (fs.lstatSync(bytesOf(p)).isDirectory()) return -this.E.EISDIR;
      fs.unlinkSync(bytesOf(p));
    }
    return 0;
  }

  /** linux_dirent64 records: d_ino u64, d_off s64, d_reclen u16, d_type u8, name, NUL, padded to 8. */
  private getdents64(fd: number, buf: number, count: number): number {
    const d = this.descriptor(fd);
    if (d === null) return -this.E.EBADF;
    const f = d.file;
    if (f.kind !== 'host' || !f.isDirectory) return -this.E.ENOTDIR;
    const entries = ['.', '..', ...fs.readdirSync(bytesOf(f.hostPath), { encoding: 'latin1' })];
    const out: Uint8Array[] = [];
    let used = 0;
    let index = f.directoryRead;
    for (; index < entries.length; index++) {
      const name = Buffer.from(entries[index], 'latin1');
      const reclen = (19 + name.length + 1 + 7) & ~7;
      if (used + reclen > count) break;
      let ino = 0n, type = 0;
      try {
        const st = fs.lstatSync(bytesOf(path.join(f.hostPath, entries[index])), { bigint: true });
        ino = st.ino;
        const fmt = Number(st.mode) & S_IFMT;
        type = fmt >> 12; // DT_* is the file-type nibble of st_mode
      } catch { /* vanished meanwhile: DT_UNKNOWN */ }
      const rec = new Uint8Array(reclen);
      const v = new DataView(rec.buffer);
      v.setBigUint64(0, ino, true);
      v.setBigInt64(8, BigInt(index + 1), true);
      v.setUint16(16, reclen, true);
      rec[18] = type;
      rec.set(name, 19);
      out.push(rec);
      used += reclen;
    }
    if (out.length === 0 && index < entries.length) return -this.E.EINVAL;
    let at = buf;
    for (const rec of out) { this.memory.writeBytes(at, rec); at += rec.length; }
    f.directoryRead = index;
    return used;
  }

  // ---- memory -------------------------------------------------------------------------------

  private setBrk(requested: number): number {
    if (requested < this.brkStart) return this.brkCurrent;
    const oldTop = pageUp(this.brkCurrent);
    const newTop = pageUp(requested);
    if (newTop > oldTop) {
      if (newTop > this.abi.mmapTop || !this.memory.isFree(oldTop, newTop - oldTop)) return this.brkCurrent;
      this.memory.map(oldTop, newTop - oldTop, 3);
    } else if (newTop < oldTop) {
      this.memory.unmap(newTop, oldTop - newTop);
      this.options.onCodeChange?.(newTop, oldTop - newTop);
    }
    this.brkCurrent = requested;
    return requested;
  }

  private inUserSpace(address: number, length: number): boolean {
    return address >= this.abi.userBottom && address + length <= this.abi.userTop && length > 0;
  }

  /** Highest free page-aligned range of `length` bytes below mmapTop, or -1. */
  private findFreeRange(length: number): number {
    let candidate = this.abi.mmapTop - length;
    while (candidate >= this.abi.userBottom) {
      let blocked = -1;
      for (let a = candidate + length - PAGE_SIZE; a >= candidate; a -= PAGE_SIZE) {
        if (this.memory.isMapped(a)) { blocked = a; break; }
      }
      if (blocked < 0) return candidate;
      candidate = blocked - length;
    }
    return -1;
  }

  private mmap(addr: number, length: number, prot: number, flags: number, fd: number, offset: number): number {
    const M = this.abi.mapFlags;
    if (length === 0 || offset & PAGE_MASK) return -this.E.EINVAL;
    if ((flags & (M.shared | M.private)) === 0) return -this.E.EINVAL;
    const size = pageUp(length);
    if (size === 0 || size > this.abi.userTop) return -this.E.ENOMEM;
    let file: Extract<OpenFile, { kind: 'host' }> | null = null;
    if (!(flags & M.anonymous)) {
      const f = this.hostFile(fd);
      if (typeof f === 'number') return f === -this.E.EINVAL ? -this.E.EACCES : f;
      if (!f.readable || f.isDirectory) return -this.E.EACCES;
      file = f;
    }
    let start: number;
    if (flags & (M.fixed | M.fixedNoReplace)) {
      if (addr & PAGE_MASK) return -this.E.EINVAL;
      if (!this.inUserSpace(addr, size)) return -this.E.ENOMEM;
      if (flags & M.fixedNoReplace && !this.memory.isFree(addr, size)) return -this.E.EEXIST;
      start = addr;
      this.memory.unmap(start, size);
    } else if (addr !== 0 && (addr & PAGE_MASK) === 0 && this.inUserSpace(addr, size) && this.memory.isFree(addr, size)) {
      start = addr;
    } else {
      start = this.findFreeRange(size);
      if (start < 0) return -this.E.ENOMEM;
    }
    this.memory.map(start, size, prot & 7);
    if (file !== null) {
      const tmp = Buffer.alloc(size);
      const n = fs.readSync(file.hostFd, tmp, 0, size, offset);
      if (n > 0) this.memory.poke(start, tmp.subarray(0, n));
    }
    this.options.onCodeChange?.(start, size);
    return start | 0;
  }

  /** mremap: shrink in place, grow in place when the pages above are free, else move (MREMAP_MAYMOVE). */
  private mremap(oldAddress: number, oldLength: number, newLength: number, flags: number, newAddress: number): number {
    const MAYMOVE = 1, FIXED = 2;
    if (oldAddress & PAGE_MASK || flags & ~(MAYMOVE | FIXED) || (flags & FIXED && !(flags & MAYMOVE))) return -this.E.EINVAL;
    const oldSize = pageUp(oldLength), newSize = pageUp(newLength);
    if (newSize === 0 || oldSize === 0) return -this.E.EINVAL;
    for (let a = oldAddress; a < oldAddress + oldSize; a += PAGE_SIZE) if (!this.memory.isMapped(a)) return -this.E.EFAULT;
    const prot = this.memory.protection(oldAddress);
    if (!(flags & FIXED)) {
      if (newSize <= oldSize) {
        if (newSize < oldSize) this.munmap(oldAddress + newSize, oldSize - newSize);
        return oldAddress | 0;
      }
      const end = oldAddress + oldSize;
      if (this.inUserSpace(end, newSize - oldSize) && end + newSize - oldSize <= this.abi.mmapTop && this.memory.isFree(end, newSize - oldSize)) {
        this.memory.map(end, newSize - oldSize, prot);
        return oldAddress | 0;
      }
      if (!(flags & MAYMOVE)) return -this.E.ENOMEM;
    }
    let target: number;
    if (flags & FIXED) {
      if (newAddress & PAGE_MASK || !this.inUserSpace(newAddress, newSize)) return -this.E.EINVAL;
      if (newAddress < oldAddress + oldSize && oldAddress < newAddress + newSize) return -this.E.EINVAL;
      this.memory.unmap(newAddress, newSize);
      target = newAddress;
    } else {
      target = this.findFreeRange(newSize);
      if (target < 0) return -this.E.ENOMEM;
    }
    const keep = Math.min(oldSize, newSize);
    const saved: Uint8Array[] = [];
    for (let a = oldAddress; a < oldAddress + keep; a += PAGE_SIZE) {
      this.memory.protect(a, PAGE_SIZE, this.memory.protection(a) | 1);
      saved.push(this.memory.readBytes(a, PAGE_SIZE));
    }
    this.memory.map(target, newSize, prot);
    saved.forEach((page, i) => this.memory.poke(target + i * PAGE_SIZE, page));
    this.munmap(oldAddress, oldSize);
    this.options.onCodeChange?.(target, newSize);
    return target | 0;
  }

  private munmap(addr: number, length: number): number {
    if (addr & PAGE_MASK || length === 0) return -this.E.EINVAL;
    const size = pageUp(length);
    if (!this.inUserSpace(addr, size)) return -this.E.EINVAL;
    this.memory.unmap(addr, size);
    this.options.onCodeChange?.(addr, size);
    return 0;
  }

  private mprotect(addr: number, length: number, prot: number): number {
    if (addr & PAGE_MASK) return -this.E.EINVAL;
    if (length === 0) return 0;
    const size = pageUp(length);
    if (!this.inUserSpace(addr, size)) return -this.E.ENOMEM;
    for (let a = addr; a < addr + size; a += PAGE_SIZE) if (!this.memory.isMapped(a)) return -this.E.ENOMEM;
    this.memory.protect(addr, size, prot & 7);
    this.options.onCodeChange?.(addr, size);
    return 0;
  }

  // ---- time ---------------------------------------------------------------------------------

  private realtime(): { sec: number; nsec: number } {
    const ns = this.elapsedNs();
    return { sec: REALTIME_EPOCH_SECONDS + Math.floor(ns / 1e9), nsec: ns % 1e9 };
  }

  private clock(id: number): { sec: number; nsec: number } | null {
    switch (id) {
      case 0: case 5: case 8: case 11: // REALTIME, REALTIME_COARSE, REALTIME_ALARM, TAI
        return this.realtime();
      case 1: case 4: case 6: case 7: case 9: { // MONOTONIC, _RAW, _COARSE, BOOTTIME, BOOTTIME_ALARM
        const ns = this.elapsedNs();
        return { sec: MONOTONIC_START_SECONDS + Math.floor(ns / 1e9), nsec: ns % 1e9 };
      }
      case 2: case 3: { // PROCESS_CPUTIME_ID, THREAD_CPUTIME_ID: instructions only, not sleep
        const ns = this.options.instructions() * NS_PER_INSTRUCTION;
        return { sec: Math.floor(ns / 1e9), nsec: ns % 1e9 };
      }
      default: return null;
    }
  }

  private writeTimespec(address: number, sec: number, nsec: number, wide: boolean): void {
    if (wide) {
      this.writeU64(address, BigInt(sec));
      this.writeU64(address + 8, BigInt(nsec));
    } else this.writeWords(address, [sec, nsec]);
  }

  /** Sleeps (advances simulated time); returns 0 or a POSITIVE errno (clock_nanosleep style). */
  private sleep(clockId: number, flags: number, request: number, wide: boolean): number {
    const now = this.clock(clockId);
    if (now === null || clockId === 3) return this.E.EINVAL;
    let sec: number, nsec: number;
    if (wide) {
      sec = Number(new DataView(this.memory.readBytes(request, 16).buffer).getBigInt64(0, true));
      nsec = this.memory.read32(request + 8);
    } else {
      sec = this.memory.read32(request);
      nsec = this.memory.read32(request + 4);
    }
    if (sec < 0 || nsec < 0 || nsec >= 1e9) return this.E.EINVAL;
    let delta = sec * 1e9 + nsec;
    if (flags & 1) delta -= now.sec * 1e9 + now.nsec; // TIMER_ABSTIME
    if (delta > 0) this.sleptNs += delta;
    return 0;
  }

  // ---- signals (recorded, never delivered) --------------------------------------------------

  private sigaction(sig: number, act: number, oldact: number, sigsetsize: number): number {
    if (sig < 1 || sig > this.abi.maxSignal || sigsetsize !== this.abi.sigsetSize) return -this.E.EINVAL;
    const size = this.abi.sigactionSize;
    const previous = this.signalActions.get(sig) ?? new Uint8Array(size);
    let next: Uint8Array | null = null;
    if (act !== 0) {
      if (sig === 9 || sig === this.stopSignal()) return -this.E.EINVAL;
      next = this.memory.readBytes(act, size);
    }
    if (oldact !== 0) this.memory.writeBytes(oldact, previous);
    if (next !== null) this.signalActions.set(sig, next);
    return 0;
  }

  private stopSignal(): number {
    return this.abi.name === 'mips-o32' ? 23 : 19;
  }

  private handlerOf(sig: number): number {
    const act = this.signalActions.get(sig);
    if (!act) return 0;
    const offset = this.abi.name === 'mips-o32' ? 4 : 0; // o32 sigaction starts with sa_flags
    return new DataView(act.buffer, act.byteOffset).getUint32(offset, true);
  }

  private sigprocmask(how: number, set: number, oldset: number, sigsetsize: number): number {
    if (sigsetsize !== this.abi.sigsetSize) return -this.E.EINVAL;
    const H = this.abi.sigprocmaskHow;
    let next: Uint8Array | null = null;
    if (set !== 0) {
      const given = this.memory.readBytes(set, sigsetsize);
      next = new Uint8Array(this.signalMask);
      if (how === H.block) given.forEach((b, i) => (next![i] |= b));
      else if (how === H.unblock) given.forEach((b, i) => (next![i] &= ~b));
      else if (how === H.setmask) next.set(given);
      else return -this.E.EINVAL;
    }
    if (oldset !== 0) this.memory.writeBytes(oldset, this.signalMask);
    if (next !== null) this.signalMask = next;
    return 0;
  }

  private sigaltstack(ss: number, oss: number): number {
    const T = this.abi.stackT;
    let next: Uint8Array | null = null;
    if (ss !== 0) next = this.memory.readBytes(ss, 12);
    if (oss !== 0) {
      if (this.altStack) this.memory.writeBytes(oss, this.altStack);
      else {
        const b = new Uint8Array(12);
        new DataView(b.buffer).setUint32(T.flags, 2, true); // SS_DISABLE
        this.memory.writeBytes(oss, b);
      }
    }
    if (next !== null) this.altStack = next;
    return 0;
  }

  /** A signal the process sends itself: ignored, or (default action) the end of the process. */
  private sendSelf(sig: number): number {
    if (sig < 0 || sig > this.abi.maxSignal) return -this.E.EINVAL;
    if (sig === 0) return 0;
    const handler = this.handlerOf(sig);
    if (handler === 1) return 0; // SIG_IGN
    if (handler === 0 && this.abi.signalsIgnoredByDefault.includes(sig)) return 0;
    const message = handler === 0
      ? `killed by ${signalName(sig)}`
      : `killed by ${signalName(sig)} (the program installed a handler, but signal delivery is not emulated)`;
    this.exit = { code: 128 + sig, signal: sig, message };
    return 0;
  }

  // ---- misc ---------------------------------------------------------------------------------

  private resourceLimit(resource: number): [bigint, bigint] {
    const INF = 0xffffffffffffffffn;
    if (resource === 3) return [8n << 20n, INF]; // RLIMIT_STACK
    if (resource === this.abi.rlimitNofile) return [BigInt(MAX_FDS), BigInt(MAX_FDS)];
    return [INF, INF];
  }

  private futex(uaddr: number, op: number, val: number, timeout: number): number {
    const cmd = op & 0x7f;
    if (cmd === 1 || cmd === 10) return 0; // FUTEX_WAKE, FUTEX_WAKE_BITSET: nobody else waits
    if (cmd === 0 || cmd === 9) { // FUTEX_WAIT, FUTEX_WAIT_BITSET
      if (this.memory.read32(uaddr) !== val) return -this.E.EAGAIN;
      if (timeout !== 0) return -this.E.ETIMEDOUT;
      this.exit = { code: 134, signal: 6, message: `deadlock: futex wait on 0x${uaddr.toString(16).padStart(8, '0')} in a single-threaded process` };
      return 0;
    }
    return -this.E.ENOSYS;
  }
}
