// The generated syscall glue, run on the MIPS simulator (user mode) against an o32 Linux layer,
// compared call by call with the same i386 call made through the i386 layer (the interpreter's
// path) on an identical guest memory: eax and every guest byte must agree. Calls, arguments, bad
// pointers and bad values come from a fixed-seed generator. One argument at a time is bad (a bad
// pointer or an invalid value): where the i386 layer checks two faults in an order real Linux
// does not share, a double fault is not a contract.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PagedMemory, PROT_EXEC, PROT_READ, PROT_WRITE } from '../../emulator/machine/paged-memory';
import { LinuxProcess } from '../../emulator/linux/process';
import { I386_ABI } from '../../emulator/linux/i386-abi';
import { MIPS_O32_ABI } from '../../emulator/linux/mips-o32-abi';
import type { LinuxAbi, SyscallName } from '../../emulator/linux/abi';
import { MipsCpu } from '../../emulator/mips/cpu';
import { GPR, MipsAssembler } from '../../emulator/mips/encoder';
import { CONTEXT_TLS_BASES, CONTEXT_TLS_USED, emitSyscallGlue, GLUE_DATA_BYTES, HOST_SIGNAL_TO_GUEST, type EmittedSyscallGlue } from '../../emulator/ukcf/user-space/syscall-glue';
import { guestDiagnostic, O32Host } from '../../emulator/ukcf/user-space/o32-host';
import { I386_CONSTANTS } from '../../emulator/ukcf/user-space/abi-constants';
import { X86Process } from '../../emulator/usermode/x86-process';
import { readElfFile } from '../../emulator/machine/elf';
import { Prng } from '../fixed-seed-random';

const CODE = 0x7e000000;
const CONTEXT = 0x7f000000;
const DATA = 0x7f001000;
const HOST_STACK_TOP = 0x7f020000;
const DISPATCH_STOP = 1;

// Guest pages, identical in both memories.
const RW = 0x10000000; // two read-write pages
const RO = 0x10002000; // one read-only page
const UNMAPPED = 0x10003000;
const STRINGS = 0x10004000; // read-only path strings
const RW_BYTES = 0x2000;

/** The i386 ABI with the o32 process's address-space placement (mmap below 0x77000000): only addresses differ. */
const I386_IN_KUSEG: LinuxAbi = { ...I386_ABI, userTop: MIPS_O32_ABI.userTop, mmapTop: MIPS_O32_ABI.mmapTop, stackTop: MIPS_O32_ABI.stackTop };

interface Side {
  memory: PagedMemory;
  linux: LinuxProcess;
  notes: string[];
  out: Buffer[];
}

const made: string[] = [];
function tempDir(tag: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `ukcf-glue-${tag}-`));
  made.push(dir);
  return dir;
}
after(() => {
  for (const dir of made) fs.rmSync(dir, { recursive: true, force: true });
});

const shared = tempDir('shared');
fs.writeFileSync(path.join(shared, 'data'), Buffer.from('0123456789abcdef'.repeat(300)));
fs.mkdirSync(path.join(shared, 'dir'));
fs.symlinkSync('data', path.join(shared, 'link'));

function mapGuest(memory: PagedMemory, seed: number): void {
  memory.map(RW, RW_BYTES, PROT_READ | PROT_WRITE);
  memory.map(RO, 0x1000, PROT_READ);
  memory.map(STRINGS, 0x1000, PROT_READ);
  const r = new Prng(seed);
  memory.poke(RW, Uint8Array.from({ length: RW_BYTES }, () => r.byte()));
  memory.poke(RO, Uint8Array.from({ length: 0x1000 }, () => r.byte()));
  const strings = [path.join(shared, 'data'), path.join(shared, 'dir'), path.join(shared, 'link'), path.join(shared, 'missing'), 'data', '', 'new-a', 'new-b', 'local',
    'sub', 'sub/inner', 'link', '/proc/self/exe'];
  let at = STRINGS;
  for (const s of strings) {
    memory.poke(at, Buffer.from(s + '\0'));
    PATHS.set(s, at);
    at += 256;
  }
}
const PATHS = new Map<string, number>();

function side(abi: LinuxAbi, tag: string, note: (line: string) => string = (l) => l): Side {
  const memory = new PagedMemory();
  mapGuest(memory, 7);
  const cwd = tempDir(tag);
  fs.writeFileSync(path.join(cwd, 'local'), 'local file');
  const notes: string[] = [];
  const out: Buffer[] = [];
  const linux = new LinuxProcess({
    abi, memory, executable: '/opt/guest-program', brkStart: 0x08100000, cwd,
    stdout: (b) => out.push(Buffer.from(b)), stderr: (b) => out.push(Buffer.from(b)),
    instructions: () => 0, diagnostic: (l) => notes.push(note(l)),
  });
  return { memory, linux, notes, out };
}

interface GlueMachine extends Side {
  cpu: MipsCpu;
  host: O32Host;
  glue: EmittedSyscallGlue;
  /** Runs one guest int 0x80 with the given i386 registers; returns eax. */
  int80(eax: number, ebx: number, ecx: number, edx: number, esi: number, edi: number, ebp: number): number;
}

function glueMachine(): GlueMachine {
  let host: O32Host | null = null;
  const s = side(MIPS_O32_ABI, 'o32', (l) => guestDiagnostic(l, host === null ? -1 : host.guestSyscallNumber()));
  const { memory } = s;
  memory.map(CODE, 0x10000, PROT_READ | PROT_EXEC);
  memory.map(CONTEXT, 0x1000, PROT_READ | PROT_WRITE);
  memory.map(DATA, 0x1000, PROT_READ | PROT_WRITE);
  memory.map(HOST_STACK_TOP - 0x10000, 0x10000, PROT_READ | PROT_WRITE);
  assert.ok(GLUE_DATA_BYTES <= 0x1000);
  const asm = new MipsAssembler(CODE);
  asm.sdbbp(DISPATCH_STOP); // the "dispatch" the glue leaves through
  asm.nop();
  const glue = emitSyscallGlue(asm, { dispatch: CODE, contextBase: CONTEXT, dataBase: DATA });
  const words = asm.finish().words;
  memory.poke(CODE, new Uint8Array(words.buffer, words.byteOffset, words.byteLength));
  const cpu = new MipsCpu(memory, { exceptionsToHost: true, userMode: true });
  cpu.onHypercall = (code, c) => {
    if (code !== DISPATCH_STOP) return false;
    c.requestStop('dispatch');
    return true;
  };
  host = new O32Host(s.linux, cpu, glue);
  const r = new Prng(99);
  return {
    ...s, cpu, host, glue,
    int80(eax, ebx, ecx, edx, esi, edi, ebp) {
      const regs = cpu.regs;
      const guest = [eax, ecx, edx, ebx, 0x7ffe0000, ebp, esi, edi];
      guest.forEach((v, i) => (regs[GPR.s0 + i] = v));
      const keep = [GPR.a0, GPR.a1, GPR.a2, GPR.a3, GPR.v1, GPR.gp, GPR.s8].map((reg) => [reg, (regs[reg] = r.next() | 0)] as const);
      regs[GPR.v0] = 0x0804abcd;
      regs[GPR.sp] = HOST_STACK_TOP;
      cpu.pc = glue.entry;
      cpu.inDelaySlot = false;
      for (let guard = 0; ; guard++) {
        assert.ok(guard < 1000, 'the glue does not come back');
        const stop = cpu.run(1_000_000);
        if (stop.kind === 'stopped') break;
        assert.equal(stop.kind, 'exception', `glue stopped with ${JSON.stringify(stop)}`);
        if (stop.kind !== 'exception') break;
        const o: ReturnType<O32Host['handle']> = host.handle(stop);
        if (o.kind === 'exited') return 0;
        assert.equal(o.kind, 'continue', `unexpected ${stop.name} at ${stop.pc.toString(16)} in the glue`);
      }
      assert.equal(cpu.pc, CODE + 4, 'leaves through dispatch');
      assert.equal(regs[GPR.v0], 0x0804abcd, 'v0 (next eip) restored');
      assert.equal(regs[GPR.sp], HOST_STACK_TOP, 'host stack balanced');
      for (const [reg, v] of keep) assert.equal(regs[reg], v, `register ${reg} preserved`);
      [1, 2, 3, 4, 5, 6, 7].forEach((i) => assert.equal(regs[GPR.s0 + i], guest[i] | 0, `guest register ${i} preserved`));
      return regs[GPR.s0];
    },
  };
}

function sameGuestMemory(a: PagedMemory, b: PagedMemory, what: string): void {
  for (const [start, len] of [[RW, RW_BYTES], [RO, 0x1000]] as const) {
    const x = a.readBytes(start, len), y = b.readBytes(start, len);
    if (Buffer.compare(x, y) !== 0) {
      let i = 0;
      while (x[i] === y[i]) i++;
      assert.fail(`${what}: guest memory differs at 0x${(start + i).toString(16)} (glue ${x[i]}, i386 layer ${y[i]})`);
    }
  }
}

const nr = (name: SyscallName): number => I386_ABI.syscallNumbers[name]!;

/** A pointer of the given kind for a structure of `size` bytes. */
function pointer(r: Prng, kind: 'ok' | 'null' | 'bad', size: number): number {
  if (kind === 'null') return 0;
  if (kind === 'ok') return RW + r.below(RW_BYTES - size);
  return r.pick([UNMAPPED + r.below(0x100), RO + r.below(0x100), RO + 0x1000 - (size >> 1), RW - (size >> 1), 0xfffffff0, 1]);
}

type Call = [number, number, number, number, number, number, number];

/** One generated call: i386 number and ebx ecx edx esi edi ebp; at most one bad component. */
function generate(r: Prng, fds: number[]): Call {
  const bad = r.below(4) === 0 ? r.below(3) : -1; // which component (if any) is bad
  const ptr = (i: number, size: number, nullable = false): number => pointer(r, bad === i ? 'bad' : nullable && r.below(4) === 0 ? 'null' : 'ok', size);
  const fd = (): number => (r.below(8) === 0 ? r.pick([99, -1, 1023]) : r.pick(fds));
  const sig = (i: number): number => (bad === i ? r.pick([0, 65, 100, -1, 0x7fffffff]) : 1 + r.below(64));
  const word = (): number => r.next() | 0;
  const O = I386_CONSTANTS.open;
  const openFlags = (): number => {
    let f = 0;
    for (const name of ['O_CREAT', 'O_EXCL', 'O_APPEND', 'O_NONBLOCK', 'O_LARGEFILE', 'O_CLOEXEC', 'O_NOCTTY', 'O_DSYNC', 'O_NOFOLLOW', 'O_DIRECTORY']) if (r.below(3) === 0) f |= O[name];
    return f | r.below(3);
  };
  const pathOf = (): number => PATHS.get(r.pick([path.join(shared, 'data'), path.join(shared, 'dir'), path.join(shared, 'link'), path.join(shared, 'missing')]))!;
  const local = (): number => PATHS.get(r.pick(['new-a', 'new-b', 'local', 'sub', 'sub/inner']))!;
  const region = (): number => 0x20000000 + r.below(64) * 0x1000;
  switch (r.below(45)) {
    case 0: return [nr('stat64'), bad === 0 ? pathOf() : PATHS.get(path.join(shared, r.pick(['data', 'dir', 'link'])))!, ptr(1, 96), 0, 0, 0, 0];
    case 1: return [nr('lstat64'), PATHS.get(path.join(shared, r.pick(['data', 'link', 'dir'])))!, ptr(1, 96), 0, 0, 0, 0];
    // Only descriptors of the same host file on both sides (the per-process files have their own inodes).
    case 2: return [nr('fstat64'), bad === 0 ? r.pick([2000, -1, 1 << 30]) : r.pick([0, 1, 2, 3, 4]), ptr(1, 96), 0, 0, 0, 0];
    case 3: {
      const p = r.pick([PATHS.get('data')!, PATHS.get(path.join(shared, 'data'))!, PATHS.get('')!]);
      return [nr('fstatat64'), p === PATHS.get('') ? fds[4] : r.pick([-100, fds[4]]), p, ptr(2, 96), r.pick([0, 0x100, 0x1000]), 0, 0];
    }
    case 4: return [nr('open'), PATHS.get(r.pick(['new-a', 'new-b', 'local', path.join(shared, 'data')]))!, openFlags() & ~(r.below(2) ? 0 : 3), 0o644, 0, 0, 0];
    case 5: return [nr('openat'), -100, PATHS.get(r.pick(['new-a', 'new-b', 'local', path.join(shared, 'dir')]))!, openFlags(), 0o600, 0, 0];
    case 6: {
      const cmd = r.pick([0, 1, 2, 3, 3, 3, 4, 4, 5, 8, 9, 10, 11, 12, 13, 14, 23, 24, 33, 1030, r.below(64)]);
      const arg = cmd === 4 ? openFlags() : cmd === 0 || cmd === 1030 ? r.below(20) : r.below(2);
      return [nr(r.pick(['fcntl', 'fcntl64'])), fd(), cmd, arg, 0, 0, 0];
    }
    case 7: {
      // act: handler, flags, restorer, mask
      const act = ptr(1, 20, true);
      // SIGKILL/SIGSTOP with an action is an invalid argument: not together with a bad pointer.
      const s0 = bad === 1 || bad === 2 ? r.pick([1, 2, 10, 15, 17, 28, 33, 64]) : sig(0);
      if (act >= RW && act < RW + RW_BYTES) return [nr('rt_sigaction'), s0, act, ptr(2, 20, true), bad === 1 ? 0 : r.pick([8, 8, 8, 16, 4]), 0, 0];
      return [nr('rt_sigaction'), s0, act, ptr(2, 20, true), 8, 0, 0];
    }
    case 8: {
      const sizeBad = bad === 0 && r.below(2) === 0;
      return [nr('rt_sigprocmask'), bad === 0 && !sizeBad ? 3 : r.below(3), ptr(1, 8, true), ptr(2, 8, true), sizeBad ? r.pick([16, 4, 0]) : 8, 0, 0];
    }
    case 9: return [nr('sigaltstack'), ptr(0, 12, true), ptr(1, 12, true), 0, 0, 0, 0];
    case 10: return [nr(r.pick(['ugetrlimit', 'getrlimit'])), r.below(bad === 0 ? 40 : 16), ptr(1, 8), 0, 0, 0, 0];
    case 11: return [nr('prlimit64'), r.pick([0, 1000, bad === 0 ? 5 : 0]), r.below(16), 0, ptr(1, 16, true), 0, 0];
    case 12: return [nr('uname'), ptr(0, 390), 0, 0, 0, 0, 0];
    case 13: {
      const M = I386_CONSTANTS.mmap;
      let flags = r.pick([M.MAP_PRIVATE, M.MAP_SHARED, bad === 0 ? 0 : M.MAP_PRIVATE]) | M.MAP_ANONYMOUS;
      for (const name of ['MAP_NORESERVE', 'MAP_DENYWRITE', 'MAP_POPULATE', 'MAP_STACK', 'MAP_GROWSDOWN', 'MAP_32BIT']) if (r.below(4) === 0) flags |= M[name];
      const fixed = r.below(4) === 0;
      if (fixed) flags |= M.MAP_FIXED;
      return [nr('mmap2'), fixed ? 0x20000000 + r.below(64) * 0x1000 : 0, 1 + r.below(0x5000), r.below(8), flags, -1, 0];
    }
    case 14: {
      // old mmap: the six arguments in guest memory (written by the caller of generate)
      return [nr('mmap'), bad === 0 ? pointer(r, 'bad', 24) : -1, 0, 0, 0, 0, 0];
    }
    case 15: return [nr(r.pick(['pread64', 'pwrite64'])), fd(), ptr(1, 64), r.below(64), r.below(5000), 0, 0];
    case 16: return [nr('ftruncate64'), fd(), r.below(10000), 0, 0, 0, 0];
    case 17: return [nr(r.pick(['kill', 'tkill'])), r.pick([1000, 1000, 0, 77]), r.pick([0, 17, 18, 23, 28, bad === 1 ? 65 : 17, bad === 1 ? -3 : 0]), 0, 0, 0, 0];
    case 18: return [nr(r.pick(['getuid32', 'getgid32', 'geteuid32', 'getegid32', 'getpid', 'gettid', 'getppid', 'getuid'])), 0, 0, 0, 0, 0, 0];
    case 19: return [r.pick([102, 500, 0x7fff, 222, 223, 17, 4004, 4001, -1, nr('pipe'), nr('poll')]), ptr(0, 8), 0, 0, 0, 0, 0];
    case 20: return [nr('ioctl'), fd(), r.pick([0x5401, 0x5413, 0x5402, 0x541b, 0x540f, word()]), ptr(2, 60), 0, 0, 0];
    case 21: return [nr('dup3'), fd(), 10 + r.below(10), r.pick([0, 0x80000, bad === 2 ? 0x800 : 0]), 0, 0, 0];
    case 22: return [nr(r.pick(['clock_gettime', 'clock_getres'])), r.pick([0, 1, 2, 3, 99]), ptr(1, 8), 0, 0, 0, 0];
    case 23: return [nr('_llseek'), fd(), bad === 1 ? -1 : 0, r.below(100000), ptr(2, 8), bad === 0 ? 7 : r.below(3), 0];
    case 24: return [nr('lseek'), fd(), r.below(5000) - (bad === 1 ? 10000 : 0), r.below(3), 0, 0, 0];
    case 25: return [nr(r.pick(['readv', 'writev'])), fd(), bad === 1 ? pointer(r, 'bad', 16) : -2, 1 + r.below(3), 0, 0, 0];
    case 26: return [nr('getdents64'), r.pick([4, 4, 3, 0, 99]), ptr(1, 200), 24 + r.below(400), 0, 0, 0];
    case 27: return r.below(2) === 0
      ? [nr('readlink'), PATHS.get(r.pick([path.join(shared, 'link'), path.join(shared, 'data'), '/proc/self/exe', path.join(shared, 'missing')]))!, ptr(1, 64), r.pick([1, 4, 64, 0]), 0, 0, 0]
      : [nr('readlinkat'), r.pick([-100, 4]), PATHS.get(r.pick(['link', 'data', '/proc/self/exe']))!, ptr(2, 64), r.pick([3, 64]), 0, 0];
    case 28: return r.below(2) === 0
      ? [nr('access'), r.pick([pathOf(), local()]), r.below(9), 0, 0, 0, 0]
      : [nr(r.pick(['faccessat', 'faccessat2'])), r.pick([-100, 4]), r.pick([PATHS.get('data')!, local(), pathOf()]), r.below(8), 0, 0, 0];
    case 29: {
      const which = r.pick(['mkdir', 'rmdir', 'unlink', 'rename', 'unlinkat'] as const);
      if (which === 'rename') return [nr('rename'), local(), local(), 0, 0, 0, 0];
      if (which === 'unlinkat') return [nr('unlinkat'), -100, local(), r.pick([0, 0x200]), 0, 0, 0];
      return [nr(which), local(), 0o755, 0, 0, 0, 0];
    }
    case 30: return [nr('umask'), r.below(0o1000), 0, 0, 0, 0, 0];
    case 31: return [nr('brk'), r.pick([0, 0x08100000 + r.below(16) * 0x1000 + r.below(0x1000), 0x08000000, 0x7f000000]), 0, 0, 0, 0, 0];
    case 32: {
      const which = r.pick(['munmap', 'mprotect', 'madvise', 'mremap'] as const);
      if (which === 'mremap') return [nr('mremap'), region(), 0x1000 * (1 + r.below(3)), 0x1000 * (1 + r.below(4)), r.pick([0, 1, 3, 4]), region(), 0];
      return [nr(which), region() + (bad === 0 ? 12 : 0), r.below(0x4000), r.below(8), 0, 0, 0];
    }
    case 33: return r.below(2) === 0 ? [nr('time'), ptr(0, 4, true), 0, 0, 0, 0, 0] : [nr('gettimeofday'), ptr(0, 8, true), ptr(1, 8, true), 0, 0, 0, 0];
    case 34: {
      // A timespec in the read-only page (random content: mostly EINVAL) or a small valid one.
      const req = bad === 0 ? pointer(r, 'bad', 8) : r.below(2) === 0 ? RO + 8 * r.below(0x1f0) : -3;
      return r.below(2) === 0 ? [nr('nanosleep'), req, ptr(1, 8, true), 0, 0, 0, 0] : [nr('clock_nanosleep'), r.pick([0, 1, 3, 9]), r.pick([0, 1]), req, ptr(3, 8, true), 0, 0];
    }
    case 35: {
      const which = r.pick(['getrusage', 'times', 'sysinfo'] as const);
      if (which === 'getrusage') return [nr(which), r.pick([0, 1, -1, bad === 0 ? 5 : 0]), ptr(1, 72), 0, 0, 0, 0];
      return [nr(which), ptr(0, which === 'times' ? 16 : 64, which === 'times'), 0, 0, 0, 0, 0];
    }
    case 36: return r.pick([[nr('sched_getaffinity'), 0, r.pick([4, 8, 128, bad === 1 ? 3 : 8]), ptr(2, 8), 0, 0, 0], [nr('sched_setaffinity'), 0, 4, ptr(2, 4), 0, 0, 0], [nr('sched_yield'), 0, 0, 0, 0, 0, 0]] as Call[]);
    case 37: {
      const at = bad === 0 ? pointer(r, 'bad', 4) : RW + 4 * r.below(0x400);
      return [nr(r.pick(['futex', 'futex_time64'])), at, r.pick([1, 10, 0, 9, 5]), r.below(3), r.pick([0, RW]), 0, 0];
    }
    case 38: return [nr(r.pick(['set_tid_address', 'set_robust_list', 'getpgid', 'setsid', 'getpgrp'])), r.pick([0, 1000, 5, RW]), r.pick([12, 0]), 0, 0, 0, 0];
    case 39: return [nr('getrandom'), ptr(0, 64), r.below(65), r.pick([0, 1, 2]), 0, 0, 0];
    case 40: return [nr('statx'), r.pick([-100, 4]), PATHS.get(r.pick([path.join(shared, 'data'), path.join(shared, 'link'), 'data']))!, r.pick([0, 0x100]), 0x7ff, ptr(4, 256), 0];
    case 41: {
      const which = r.pick(['dup', 'dup2', 'close', 'fsync', 'fdatasync'] as const);
      if (which === 'dup2') return [nr(which), fd(), 5 + r.below(15), 0, 0, 0, 0];
      return [nr(which), which === 'close' ? 5 + r.below(20) : fd(), 0, 0, 0, 0, 0];
    }
    case 42: return [nr(r.pick(['exit_group', 'exit'])), r.next() | 0, 0, 0, 0, 0, 0];
    case 43: return [nr(r.pick(['getcwd', 'chdir'])), bad === 0 ? pointer(r, 'bad', 8) : 0, 0, 0, 0, 0, 0];
    default: return [nr(r.pick(['write', 'read'])), fd(), ptr(1, 32), r.below(32), 0, 0, 0];
  }
}

test('syscall glue: 6000 generated i386 calls give the i386 layer\'s eax and guest memory', () => {
  const m = glueMachine();
  const ref = side(I386_IN_KUSEG, 'i386');
  const r = new Prng(0x5eed);
  // Shared descriptors both sides open the same way: 3 = shared file, 4 = shared dir.
  for (const s of [m.linux, ref.linux]) {
    assert.equal(s.syscall(s.abi.syscallNumbers.open!, [PATHS.get(path.join(shared, 'data'))!, 0, 0, 0, 0, 0]), 3);
    assert.equal(s.syscall(s.abi.syscallNumbers.open!, [PATHS.get(path.join(shared, 'dir'))!, 0x10000 | (s.abi.name === 'i386' ? 0 : 0), 0, 0, 0, 0]), 4);
  }
  const fds = [0, 1, 2, 3, 4, 5, 6, 10, 11];
  const seen = new Map<number, number>();
  let errors = 0, faults = 0, endings = 0;
  for (let i = 0; i < 6000; i++) {
    const call = generate(r, fds);
    if (call[0] === nr('mmap') && call[1] === -1) {
      // A valid argument block at an aligned spot, identical in both memories.
      const at = RW + 8 * r.below(0x100);
      const M = I386_CONSTANTS.mmap;
      const block = [0, 1 + r.below(0x3000), r.below(8), M.MAP_PRIVATE | M.MAP_ANONYMOUS | (r.below(2) ? M.MAP_NORESERVE : 0), -1, r.pick([0, 0, 0x1000, 5])];
      const bytes = Buffer.alloc(24);
      block.forEach((w, k) => bytes.writeInt32LE(w | 0, k * 4));
      m.memory.writeBytes(at, bytes);
      ref.memory.writeBytes(at, bytes);
      call[1] = at;
    }
    if ((call[0] === nr('readv') || call[0] === nr('writev')) && call[2] === -2) {
      const at = RW + 8 * r.below(0x100);
      const iov = Buffer.alloc(8 * call[3]);
      for (let k = 0; k < call[3]; k++) {
        iov.writeUInt32LE(RW + 0x1000 + r.below(0xf00), k * 8);
        iov.writeUInt32LE(r.below(40), k * 8 + 4);
      }
      m.memory.writeBytes(at, iov);
      ref.memory.writeBytes(at, iov);
      call[2] = at;
    }
    const small = call.indexOf(-3);
    if (small > 0) {
      const at = RW + 8 * r.below(0x100);
      const ts = Buffer.alloc(8);
      ts.writeUInt32LE(r.below(3), 0);
      ts.writeUInt32LE(r.below(1e9), 4);
      m.memory.writeBytes(at, ts);
      ref.memory.writeBytes(at, ts);
      call[small] = at;
    }
    const [eax, ebx, ecx, edx, esi, edi, ebp] = call;
    const expected = ref.linux.syscall(eax, [ebx, ecx, edx, esi, edi, ebp]) | 0;
    const got = m.int80(eax, ebx, ecx, edx, esi, edi, ebp) | 0;
    const what = `call #${i}: i386 ${eax}(${[ebx, ecx, edx, esi, edi, ebp].map((x) => '0x' + (x >>> 0).toString(16)).join(', ')})`;
    // A signal the process sent itself with a handler or default action ends it: the same signal.
    const refExit = ref.linux.exit, glueExit = m.linux.exit;
    assert.equal(glueExit === null, refExit === null, `${what}: ends the process on both sides or neither`);
    if (refExit !== null && glueExit !== null) {
      assert.equal(HOST_SIGNAL_TO_GUEST.apply(glueExit.signal ?? 0), refExit.signal ?? 0, `${what}: the same signal`);
      if (refExit.signal === undefined) assert.equal(glueExit.code, refExit.code, `${what}: the same exit status`);
      ref.linux.exit = m.linux.exit = null;
      endings++;
      continue;
    }
    assert.equal(got, expected, `${what}: eax`);
    sameGuestMemory(m.memory, ref.memory, what);
    if (expected < 0 && expected > -4096) errors++;
    if (expected === -14) faults++;
    seen.set(eax, (seen.get(eax) ?? 0) + 1);
    if (eax === nr('mmap2') || eax === nr('mmap')) {
      if (expected > 0) for (let a = expected >>> 0; a < (expected >>> 0) + 0x5000; a += 0x1000) {
        assert.equal(m.memory.isMapped(a), ref.memory.isMapped(a), `${what}: mapping at 0x${a.toString(16)}`);
        if (m.memory.isMapped(a)) assert.equal(m.memory.protection(a), ref.memory.protection(a), `${what}: protection`);
      }
    }
  }
  assert.deepEqual(m.notes.map((l) => l), ref.notes, 'the same "unsupported call" notes (in guest numbers)');
  assert.ok(seen.size >= 80, `${seen.size} different calls`);
  assert.ok(errors > 400 && faults > 100, `error results exercised (${errors} errors, ${faults} EFAULT)`);
  assert.ok(m.host.fixupsTaken > 50, `fault fixups taken: ${m.host.fixupsTaken}`);
  console.log(`glue differential: 6000 calls, ${seen.size} call numbers, ${errors} errors (${faults} EFAULT), ${m.host.fixupsTaken} fixups, ${endings} process endings (exit calls, self-sent signals)`);
});

test('syscall glue: set_thread_area against the interpreter\'s process (entries, EFAULT, %gs base)', () => {
  const elf = readElfFile(path.join(__dirname, '..', 'programs-i386', 'strings'));
  const ref = new X86Process({ elf, argv: ['strings'], stdout: () => {}, stderr: () => {} });
  ref.memory.map(RW, RW_BYTES, PROT_READ | PROT_WRITE);
  ref.memory.map(RO, 0x1000, PROT_READ);
  const m = glueMachine();
  ref.memory.poke(RW, m.memory.readBytes(RW, RW_BYTES));
  const r = new Prng(0x7a5);
  for (let i = 0; i < 60; i++) {
    const at = r.below(5) === 0 ? pointer(r, 'bad', 16) : RW + r.below(0x100) * 4;
    const entry = r.pick([-1, -1, -1, 12, 13, 14, 5, 15]);
    const base = r.next() | 0;
    const desc = Buffer.alloc(16);
    desc.writeInt32LE(entry, 0);
    desc.writeInt32LE(base, 4);
    desc.writeInt32LE(0xfffff, 8);
    desc.writeInt32LE(0x51, 12);
    if (at >= RW && at < RW + RW_BYTES) {
      m.memory.writeBytes(at, desc);
      ref.memory.writeBytes(at, desc);
    }
    const expected = ref.linux.syscall(243, [at, 0, 0, 0, 0, 0]) | 0;
    const got = m.int80(243, at, 0, 0, 0, 0, 0) | 0;
    assert.equal(got, expected, `set_thread_area #${i} (entry ${entry}, at 0x${(at >>> 0).toString(16)})`);
    assert.equal(Buffer.compare(m.memory.readBytes(RW, RW_BYTES), ref.memory.readBytes(RW, RW_BYTES)), 0, `user_desc written back the same (#${i})`);
    if (got === 0) {
      const chosen = m.memory.read32(at);
      assert.equal(m.memory.read32(CONTEXT), base, 'context word 0 = the new %gs base');
      assert.equal(m.memory.read32(CONTEXT + CONTEXT_TLS_BASES + (chosen - 12) * 4), base, 'the entry keeps its base');
      assert.ok(m.memory.read32(CONTEXT + CONTEXT_TLS_USED) & (1 << (chosen - 12)), 'the entry is marked in use');
      ref.cpu.loadSegment(5, (chosen << 3) | 3);
      assert.equal(ref.cpu.segmentBases[5], base, 'the interpreter gives %gs the same base');
    }
  }
});

test('syscall glue: an unknown i386 number is passed on and noted with the guest\'s number', () => {
  const m = glueMachine();
  assert.equal(m.int80(102, 1, 2, 3, 4, 5, 6), -I386_CONSTANTS.errno.ENOSYS);
  assert.equal(m.int80(nr('poll'), 0, 0, 0, 0, 0, 0), -I386_CONSTANTS.errno.ENOSYS);
  assert.deepEqual(m.notes.map((l) => guestDiagnostic(l, 0)).length, 2);
  assert.equal(guestDiagnostic('ukcf: unsupported system call 4188 (poll): returning -ENOSYS', nr('poll')), `ukcf: unsupported system call ${nr('poll')} (poll): returning -ENOSYS`);
});
