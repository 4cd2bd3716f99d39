// The ISA-neutral system-call layer, driven directly (no CPU): each call by its ABI number,
// arguments and memory as a guest would leave them, results checked against the host
// filesystem and the documented simulated clock.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PagedMemory, MemoryFault } from '../../emulator/machine/paged-memory';
import { LinuxProcess, MONOTONIC_START_SECONDS, REALTIME_EPOCH_SECONDS, UNAME } from '../../emulator/linux/process';
import { I386_ABI } from '../../emulator/linux/i386-abi';
import { MIPS_O32_ABI, o32Result, o32SyscallArguments } from '../../emulator/linux/mips-o32-abi';
import type { LinuxAbi, SyscallName } from '../../emulator/linux/abi';

const SCRATCH = 0x10000000; // a guest page range for arguments
const SCRATCH_SIZE = 0x10000;

interface Harness {
  proc: LinuxProcess;
  mem: PagedMemory;
  out: Buffer[];
  err: Buffer[];
  notes: string[];
  clock: { instructions: number };
  call(name: SyscallName, ...args: number[]): number;
  str(at: number, s: string): number;
}

function harness(abi: LinuxAbi = I386_ABI, extra: Partial<ConstructorParameters<typeof LinuxProcess>[0]> = {}): Harness {
  const mem = new PagedMemory();
  mem.map(SCRATCH, SCRATCH_SIZE, 3);
  const out: Buffer[] = [], err: Buffer[] = [], notes: string[] = [];
  const clock = { instructions: 0 };
  const proc = new LinuxProcess({
    abi, memory: mem, executable: '/opt/prog', brkStart: 0x08100000,
    stdout: (b) => out.push(Buffer.from(b)), stderr: (b) => err.push(Buffer.from(b)),
    instructions: () => clock.instructions, diagnostic: (l) => notes.push(l), ...extra,
  });
  return {
    proc, mem, out, err, notes, clock,
    call(name, ...args) {
      const nr = abi.syscallNumbers[name];
      assert.ok(nr !== undefined, `${name} has a number in ${abi.name}`);
      while (args.length < 6) args.push(0);
      return proc.syscall(nr, args);
    },
    str(at, s) { mem.writeBytes(at, Buffer.from(s + '\0')); return at; },
  };
}

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'ukcf-linux-'));
}

test('write to stdout/stderr goes to the callbacks; bad fd and bad buffer are errors', () => {
  const h = harness();
  h.mem.writeBytes(SCRATCH, Buffer.from('hello'));
  assert.equal(h.call('write', 1, SCRATCH, 5), 5);
  assert.equal(h.call('write', 2, SCRATCH + 1, 3), 3);
  assert.equal(Buffer.concat(h.out).toString(), 'hello');
  assert.equal(Buffer.concat(h.err).toString(), 'ell');
  assert.equal(h.call('write', 9, SCRATCH, 5), -I386_ABI.errno.EBADF);
  assert.equal(h.call('write', 1, 0x100, 5), -I386_ABI.errno.EFAULT);
  assert.equal(h.call('read', 1, SCRATCH, 5), -I386_ABI.errno.EBADF);
});

test('stdin is served from the given bytes, then EOF', () => {
  const h = harness(I386_ABI, { stdin: Buffer.from('abcdefg') });
  assert.equal(h.call('read', 0, SCRATCH, 4), 4);
  assert.equal(h.call('read', 0, SCRATCH + 4, 100), 3);
  assert.equal(h.call('read', 0, SCRATCH, 100), 0);
  assert.equal(Buffer.from(h.mem.readBytes(SCRATCH, 7)).toString(), 'abcdefg');
  assert.equal(h.call('lseek', 0, 0, 0), -I386_ABI.errno.ESPIPE);
});

for (const abi of [I386_ABI, MIPS_O32_ABI]) {
  test(`${abi.name}: host file create, write, seek, read, dup, stat64, close`, () => {
    const dir = tempDir();
    const h = harness(abi, { cwd: dir });
    const F = abi.openFlags;
    const name = h.str(SCRATCH, 'file.txt'); // relative: resolved against cwd
    const fd = h.call('open', name, 2 | F.creat | F.trunc, 0o644);
    assert.equal(fd, 3);
    h.mem.writeBytes(SCRATCH + 0x100, Buffer.from('0123456789'));
    assert.equal(h.call('write', fd, SCRATCH + 0x100, 10), 10);
    assert.equal(fs.readFileSync(path.join(dir, 'file.txt'), 'latin1'), '0123456789');
    assert.equal(h.call('lseek', fd, -4, 2), 6);
    assert.equal(h.call('read', fd, SCRATCH + 0x200, 100), 4);
    assert.equal(Buffer.from(h.mem.readBytes(SCRATCH + 0x200, 4)).toString(), '6789');
    // _llseek writes a 64-bit result
    assert.equal(h.call('_llseek', fd, 0, 2, SCRATCH + 0x300, 0), 0);
    assert.equal(h.mem.read32(SCRATCH + 0x300), 2);
    assert.equal(h.mem.read32(SCRATCH + 0x304), 0);
    const fd2 = h.call('dup', fd);
    assert.equal(fd2, 4);
    assert.equal(h.call('read', fd2, SCRATCH + 0x200, 3), 3); // shared offset: 2..4
    assert.equal(h.call('lseek', fd, 0, 1), 5);
    // stat64 layouts differ: size at 44 (i386) or 56 (o32), mode at 16 or 24
    assert.equal(h.call('fstat64', fd, SCRATCH + 0x400), 0);
    const sizeAt = abi.name === 'i386' ? 44 : 56, modeAt = abi.name === 'i386' ? 16 : 24;
    assert.equal(h.mem.read32(SCRATCH + 0x400 + sizeAt), 10);
    assert.equal(h.mem.read32(SCRATCH + 0x400 + modeAt) & 0o170777, 0o100644 & ~(process.umask() & 0o777) | 0o100000);
    assert.equal(h.call('close', fd), 0);
    assert.equal(h.call('close', fd), -abi.errno.EBADF);
    assert.equal(h.call('read', fd2, SCRATCH + 0x200, 100), 5); // still open through the dup
    assert.equal(h.call('close', fd2), 0);
    // errors carry this ABI's errno numbers
    assert.equal(h.call('open', h.str(SCRATCH, '/nonexistent/x'), 0, 0), -abi.errno.ENOENT);
    assert.equal(h.call('open', h.str(SCRATCH, dir), 1, 0), -abi.errno.EISDIR);
    assert.equal(h.call('open', h.str(SCRATCH, 'file.txt'), 2 | F.creat | F.excl, 0o600), -abi.errno.EEXIST);
    fs.rmSync(dir, { recursive: true });
  });
}

test('pread64/pwrite64 take the 64-bit offset from the ABI register pair', () => {
  for (const abi of [I386_ABI, MIPS_O32_ABI]) {
    const dir = tempDir();
    const h = harness(abi, { cwd: dir });
    fs.writeFileSync(path.join(dir, 'f'), 'abcdefghij');
    const fd = h.call('open', h.str(SCRATCH, 'f'), 2, 0);
    h.mem.writeBytes(SCRATCH + 0x100, Buffer.from('XY'));
    // i386: fd buf count lo hi; o32: fd buf count pad lo hi
    const args = abi.alignsArgumentPairs ? [fd, SCRATCH + 0x100, 2, 0, 4, 0] : [fd, SCRATCH + 0x100, 2, 4, 0];
    assert.equal(h.call('pwrite64', ...args), 2, abi.name);
    assert.equal(fs.readFileSync(path.join(dir, 'f'), 'latin1'), 'abcdXYghij');
    const rargs = abi.alignsArgumentPairs ? [fd, SCRATCH + 0x200, 3, 0, 7, 0] : [fd, SCRATCH + 0x200, 3, 7, 0];
    assert.equal(h.call('pread64', ...rargs), 3);
    assert.equal(Buffer.from(h.mem.readBytes(SCRATCH + 0x200, 3)).toString(), 'hij');
    assert.equal(h.call('lseek', fd, 0, 1), 0, 'positional I/O leaves the offset alone');
    fs.rmSync(dir, { recursive: true });
  }
});

test('writev and readv gather and scatter', () => {
  const h = harness();
  h.mem.writeBytes(SCRATCH + 0x100, Buffer.from('abcXYZ'));
  const iov = SCRATCH;
  h.mem.write32(iov, SCRATCH + 0x100); h.mem.write32(iov + 4, 3);
  h.mem.write32(iov + 8, SCRATCH + 0x103); h.mem.write32(iov + 12, 0);
  h.mem.write32(iov + 16, SCRATCH + 0x103); h.mem.write32(iov + 20, 3);
  assert.equal(h.call('writev', 1, iov, 3), 6);
  assert.equal(Buffer.concat(h.out).toString(), 'abcXYZ');
});

test('statx fills the arch-neutral layout; AT_EMPTY_PATH on an fd; stdio looks like a pipe', () => {
  const dir = tempDir();
  fs.writeFileSync(path.join(dir, 'f'), Buffer.alloc(1234));
  const h = harness(I386_ABI, { cwd: dir });
  assert.equal(h.call('statx', -100, h.str(SCRATCH, 'f'), 0, 0x7ff, SCRATCH + 0x100), 0);
  const host = fs.statSync(path.join(dir, 'f'), { bigint: true });
  const v = new DataView(h.mem.readBytes(SCRATCH + 0x100, 256).buffer);
  assert.equal(v.getBigUint64(40, true), 1234n);
  assert.equal(v.getBigUint64(32, true), host.ino);
  assert.equal(v.getUint16(28, true), Number(host.mode));
  assert.equal(v.getBigInt64(112, true), host.mtimeNs / 1_000_000_000n);
  assert.equal(h.call('statx', 1, h.str(SCRATCH, ''), 0x1000, 0x7ff, SCRATCH + 0x100), 0);
  assert.equal(h.mem.read32(SCRATCH + 0x100 + 28) & 0xf000, 0x1000, 'S_IFIFO');
  assert.equal(h.call('statx', 1, h.str(SCRATCH, ''), 0, 0x7ff, SCRATCH + 0x100), -I386_ABI.errno.ENOENT);
  assert.equal(h.call('statx', -100, h.str(SCRATCH, 'missing'), 0, 0x7ff, SCRATCH + 0x100), -I386_ABI.errno.ENOENT);
  fs.rmSync(dir, { recursive: true });
});

test('brk grows and shrinks the heap by pages and refuses to go below its start', () => {
  const h = harness();
  const start = h.call('brk', 0);
  assert.equal(start, 0x08100000);
  assert.equal(h.call('brk', start + 0x1880), start + 0x1880);
  h.mem.write32(start + 0x1ffc, 7); // the whole second page is mapped
  assert.throws(() => h.mem.write32(start + 0x2000, 7), MemoryFault);
  assert.equal(h.call('brk', start + 0x10), start + 0x10);
  assert.equal(h.mem.isMapped(start + 0x1000), false);
  assert.equal(h.call('brk', start - 0x1000), start + 0x10);
  assert.equal(h.call('brk', start + 0x1000), start + 0x1000);
  assert.equal(h.mem.read32(start + 0x0), 0, 'regrown memory is zero');
});

test('anonymous mmap places mappings top-down, zeroed, without overlap; munmap and mprotect act on pages', () => {
  const h = harness();
  const M = I386_ABI.mapFlags;
  const flags = M.private | M.anonymous;
  const a = h.call('mmap2', 0, 10000, 3, flags, -1, 0) >>> 0;
  const b = h.call('mmap2', 0, 4096, 3, flags, -1, 0) >>> 0;
  assert.equal(a & 0xfff, 0);
  assert.ok(a + 12288 <= I386_ABI.mmapTop);
  assert.ok(b + 4096 <= a, 'second mapping below the first');
  assert.equal(h.mem.read32(a + 12284), 0);
  h.mem.write32(a, 0x12345678);
  assert.equal(h.call('mprotect', a, 4096, 1), 0);
  assert.throws(() => h.mem.write32(a, 1), MemoryFault);
  assert.equal(h.mem.read32(a), 0x12345678);
  assert.equal(h.call('munmap', a, 12288), 0);
  assert.equal(h.mem.isMapped(a), false);
  assert.equal(h.call('munmap', a + 1, 4096), -I386_ABI.errno.EINVAL);
  assert.equal(h.call('mprotect', a, 4096, 1), -I386_ABI.errno.ENOMEM);
  // MAP_FIXED replaces whatever was there
  h.mem.write32(b, 99);
  assert.equal(h.call('mmap2', b, 4096, 3, flags | M.fixed, -1, 0) >>> 0, b);
  assert.equal(h.mem.read32(b), 0);
  assert.equal(h.call('mmap2', b, 4096, 3, flags | M.fixedNoReplace, -1, 0), -I386_ABI.errno.EEXIST);
  assert.equal(h.call('mmap2', 0, 0, 3, flags, -1, 0), -I386_ABI.errno.EINVAL);
  // old i386 mmap: one pointer to six words
  [0, 8192, 3, flags, -1, 0].forEach((w, i) => h.mem.write32(SCRATCH + 4 * i, w));
  const c = h.call('mmap', SCRATCH) >>> 0;
  assert.equal(c & 0xfff, 0);
  assert.ok(c + 8192 <= b || c >= b + 4096, 'does not overlap the fixed mapping');
  assert.ok(h.mem.isMapped(c) && h.mem.isMapped(c + 4096));
});

test('private file mappings copy the file contents', () => {
  const dir = tempDir();
  fs.writeFileSync(path.join(dir, 'f'), Buffer.from('A'.repeat(5000) + 'B'.repeat(100)));
  const h = harness(I386_ABI, { cwd: dir });
  const fd = h.call('open', h.str(SCRATCH, 'f'), 0, 0);
  const a = h.call('mmap2', 0, 8192, 1, I386_ABI.mapFlags.private, fd, 1) >>> 0;
  assert.equal(String.fromCharCode(h.mem.read8(a + 903)), 'A');
  assert.equal(String.fromCharCode(h.mem.read8(a + 904)), 'B');
  assert.equal(h.mem.read8(a + 1004), 0);
  fs.rmSync(dir, { recursive: true });
});

test('simulated clocks follow retired instructions and sleeps, never the host clock', () => {
  const h = harness();
  h.clock.instructions = 2_500_000_123;
  assert.equal(h.call('clock_gettime', 1, SCRATCH), 0);
  assert.deepEqual([h.mem.read32(SCRATCH), h.mem.read32(SCRATCH + 4)], [MONOTONIC_START_SECONDS + 2, 500_000_123]);
  assert.equal(h.call('clock_gettime64', 0, SCRATCH), 0);
  assert.deepEqual([h.mem.read32(SCRATCH), h.mem.read32(SCRATCH + 4), h.mem.read32(SCRATCH + 8)], [REALTIME_EPOCH_SECONDS + 2, 0, 500_000_123]);
  assert.equal(h.call('time', SCRATCH + 0x40), REALTIME_EPOCH_SECONDS + 2);
  assert.equal(h.mem.read32(SCRATCH + 0x40), REALTIME_EPOCH_SECONDS + 2);
  assert.equal(h.call('gettimeofday', SCRATCH, 0), 0);
  assert.deepEqual([h.mem.read32(SCRATCH), h.mem.read32(SCRATCH + 4)], [REALTIME_EPOCH_SECONDS + 2, 500_000]);
  h.mem.write32(SCRATCH, 3); h.mem.write32(SCRATCH + 4, 600_000_000);
  assert.equal(h.call('nanosleep', SCRATCH, 0), 0);
  h.call('clock_gettime', 1, SCRATCH + 0x20);
  assert.deepEqual([h.mem.read32(SCRATCH + 0x20), h.mem.read32(SCRATCH + 0x24)], [MONOTONIC_START_SECONDS + 6, 100_000_123]);
  h.call('clock_gettime', 2, SCRATCH + 0x20); // CPU time does not include sleep
  assert.deepEqual([h.mem.read32(SCRATCH + 0x20), h.mem.read32(SCRATCH + 0x24)], [2, 500_000_123]);
  h.mem.write32(SCRATCH + 4, 1_000_000_000);
  assert.equal(h.call('nanosleep', SCRATCH, 0), -I386_ABI.errno.EINVAL);
  assert.equal(h.call('clock_gettime', 77, SCRATCH), -I386_ABI.errno.EINVAL);
  assert.equal(h.call('clock_getres', 1, SCRATCH), 0);
  assert.deepEqual([h.mem.read32(SCRATCH), h.mem.read32(SCRATCH + 4)], [0, 1]);
});

test('uname, identity, getcwd, readlink /proc/self/exe', () => {
  const h = harness(MIPS_O32_ABI, { cwd: '/tmp' });
  assert.equal(h.call('uname', SCRATCH), 0);
  const field = (i: number) => h.mem.readCString(SCRATCH + 65 * i);
  assert.deepEqual([0, 1, 2, 4].map(field), [UNAME.sysname, UNAME.nodename, UNAME.release, 'mips']);
  assert.equal(h.call('getpid'), h.call('gettid'));
  assert.equal(h.call('getcwd', SCRATCH, 100), 5);
  assert.equal(h.mem.readCString(SCRATCH), '/tmp');
  assert.equal(h.call('getcwd', SCRATCH, 4), -MIPS_O32_ABI.errno.ERANGE);
  assert.equal(h.call('readlink', h.str(SCRATCH, '/proc/self/exe'), SCRATCH + 0x100, 100), '/opt/prog'.length);
  assert.equal(Buffer.from(h.mem.readBytes(SCRATCH + 0x100, 9)).toString(), '/opt/prog');
});

test('getrandom and the layer are deterministic', () => {
  const a = harness(), b = harness();
  assert.equal(a.call('getrandom', SCRATCH, 64, 0), 64);
  b.call('getrandom', SCRATCH, 64, 0);
  assert.deepEqual(a.mem.readBytes(SCRATCH, 64), b.mem.readBytes(SCRATCH, 64));
  assert.notDeepEqual(a.mem.readBytes(SCRATCH, 32), a.mem.readBytes(SCRATCH + 32, 32));
});

test('unknown system calls: -ENOSYS with one diagnostic per number', () => {
  for (const abi of [I386_ABI, MIPS_O32_ABI]) {
    const h = harness(abi);
    const base = abi.name === 'i386' ? 0 : 4000;
    assert.equal(h.proc.syscall(base + 999, [0, 0, 0, 0, 0, 0]), -abi.errno.ENOSYS);
    assert.equal(h.proc.syscall(base + 999, [0, 0, 0, 0, 0, 0]), -abi.errno.ENOSYS);
    assert.equal(h.call('poll', 0, 0, 0), -abi.errno.ENOSYS);
    assert.deepEqual(h.notes, [
      `ukcf: unsupported system call ${base + 999}: returning -ENOSYS`,
      `ukcf: unsupported system call ${abi.syscallNumbers.poll} (poll): returning -ENOSYS`,
    ]);
  }
});

test('signals: actions recorded and returned, masks kept, a self-sent SIGABRT ends the process', () => {
  const h = harness();
  h.mem.write32(SCRATCH, 0x08049000); // handler
  assert.equal(h.call('rt_sigaction', 10, SCRATCH, 0, 8), 0);
  assert.equal(h.call('rt_sigaction', 10, 0, SCRATCH + 0x100, 8), 0);
  assert.equal(h.mem.read32(SCRATCH + 0x100), 0x08049000);
  assert.equal(h.call('rt_sigaction', 9, SCRATCH, 0, 8), -I386_ABI.errno.EINVAL);
  assert.equal(h.call('rt_sigaction', 10, SCRATCH, 0, 16), -I386_ABI.errno.EINVAL);
  h.mem.write32(SCRATCH, 0x5); h.mem.write32(SCRATCH + 4, 0);
  assert.equal(h.call('rt_sigprocmask', 0, SCRATCH, 0, 8), 0); // SIG_BLOCK
  assert.equal(h.call('rt_sigprocmask', 2, 0, SCRATCH + 0x200, 8), 0);
  assert.equal(h.mem.read32(SCRATCH + 0x200), 5);
  assert.equal(h.call('tgkill', h.call('getpid'), h.call('gettid'), 17), 0, 'SIGCHLD is ignored by default');
  assert.equal(h.proc.exit, null);
  assert.equal(h.call('tgkill', h.call('getpid'), h.call('gettid'), 6), 0);
  assert.deepEqual(h.proc.exit, { code: 134, signal: 6, message: 'killed by SIGABRT' });
});

test('exit_group ends the process with the low byte of the status', () => {
  const h = harness();
  h.call('exit_group', 0x1234);
  assert.deepEqual(h.proc.exit, { code: 0x34 });
});

test('ioctl on a terminal question says ENOTTY; limits; futex wake', () => {
  for (const abi of [I386_ABI, MIPS_O32_ABI]) {
    const h = harness(abi);
    assert.equal(h.call('ioctl', 1, abi.ioctl.TCGETS, SCRATCH), -abi.errno.ENOTTY);
    assert.equal(h.call('ioctl', 1, abi.ioctl.TIOCGWINSZ, SCRATCH), -abi.errno.ENOTTY);
    assert.equal(h.call('ioctl', 55, abi.ioctl.TCGETS, SCRATCH), -abi.errno.EBADF);
    assert.equal(h.call('prlimit64', 0, 3, 0, SCRATCH), 0);
    assert.equal(h.mem.read32(SCRATCH), 8 << 20);
    assert.equal(h.call('prlimit64', 0, abi.rlimitNofile, 0, SCRATCH), 0);
    assert.equal(h.mem.read32(SCRATCH), 1024);
    h.mem.write32(SCRATCH, 5);
    assert.equal(h.call('futex', SCRATCH, 129, 1), 0);
    assert.equal(h.call('futex', SCRATCH, 128, 4), -abi.errno.EAGAIN);
  }
});

test('o32 helpers: stack arguments and the a3 error flag', () => {
  const mem = new PagedMemory();
  mem.map(0x7f000000, 4096, 3);
  mem.write32(0x7f000010, 55); mem.write32(0x7f000014, 66);
  assert.deepEqual(o32SyscallArguments(1, 2, 3, 4, 0x7f000000, mem), [1, 2, 3, 4, 55, 66]);
  assert.deepEqual(o32SyscallArguments(1, 2, 3, 4, 0x6f000000, mem), [1, 2, 3, 4, 0, 0]);
  assert.deepEqual(o32Result(-89), { v0: 89, a3: 1 });
  assert.deepEqual(o32Result(12), { v0: 12, a3: 0 });
  assert.deepEqual(o32Result(0x77ff0000 | 0), { v0: 0x77ff0000, a3: 0 });
  assert.deepEqual(o32Result(0xb7000000 | 0), { v0: 0xb7000000 | 0, a3: 0 });
});

test('getdents64 lists a directory with . and ..', () => {
  const dir = tempDir();
  fs.writeFileSync(path.join(dir, 'one'), '1');
  fs.mkdirSync(path.join(dir, 'sub'));
  const h = harness(I386_ABI, { cwd: dir });
  const fd = h.call('open', h.str(SCRATCH, '.'), I386_ABI.openFlags.directory, 0);
  assert.ok(fd >= 3);
  const n = h.call('getdents64', fd, SCRATCH + 0x100, 4096);
  const names: string[] = [];
  for (let off = 0; off < n;) {
    const reclen = h.mem.read16(SCRATCH + 0x100 + off + 16);
    names.push(`${h.mem.readCString(SCRATCH + 0x100 + off + 19)}:${h.mem.read8(SCRATCH + 0x100 + off + 18)}`);
    off += reclen;
  }
  assert.deepEqual(names.sort(), ['..:4', '.:4', 'one:8', 'sub:4']);
  assert.equal(h.call('getdents64', fd, SCRATCH + 0x100, 4096), 0);
  fs.rmSync(dir, { recursive: true });
});

test('_llseek takes a signed 64-bit offset from two words (SEEK_CUR backwards)', () => {
  const dir = tempDir();
  fs.writeFileSync(path.join(dir, 'f'), 'abcdefghijklmno');
  const h = harness(I386_ABI, { cwd: dir });
  const fd = h.call('open', h.str(SCRATCH, 'f'), 2, 0);
  assert.equal(h.call('_llseek', fd, 0, 15, SCRATCH + 0x100, 0), 0);
  assert.equal(h.call('_llseek', fd, 0xffffffff, 0xfffffff3, SCRATCH + 0x100, 1), 0); // -13
  assert.equal(h.mem.read32(SCRATCH + 0x100), 2);
  assert.equal(h.call('_llseek', fd, 0xffffffff, 0xfffffff0, SCRATCH + 0x100, 1), -I386_ABI.errno.EINVAL);
  fs.rmSync(dir, { recursive: true });
});

test('paths are bytes: a non-ASCII (UTF-8) name reaches the host filesystem unchanged', () => {
  const dir = tempDir();
  const h = harness(I386_ABI, { cwd: dir });
  const utf8Name = Buffer.from('caf\u00e9-\u6587.txt', 'utf8');
  h.mem.writeBytes(SCRATCH, Buffer.concat([utf8Name, Buffer.from([0])]));
  const fd = h.call('open', SCRATCH, 1 | I386_ABI.openFlags.creat, 0o600);
  assert.ok(fd >= 3);
  assert.deepEqual(fs.readdirSync(dir), ['caf\u00e9-\u6587.txt']);
  assert.equal(h.call('getcwd', SCRATCH + 0x100, 4096), Buffer.byteLength(dir, 'utf8') + 1);
  assert.deepEqual(Buffer.from(h.mem.readBytes(SCRATCH + 0x100, Buffer.byteLength(dir))), Buffer.from(dir, 'utf8'));
  fs.rmSync(dir, { recursive: true });
});

test('mremap shrinks, grows in place, and moves keeping the contents', () => {
  const h = harness();
  const M = I386_ABI.mapFlags;
  const flags = M.private | M.anonymous;
  const low = h.call('mmap2', 0, 4096, 3, flags, -1, 0) >>> 0; // blocks growth of the next one downwards
  const a = h.call('mmap2', 0, 8192, 3, flags, -1, 0) >>> 0;
  assert.equal(a + 8192, low, 'top-down: a sits right below low');
  h.mem.write32(a, 0x11111111); h.mem.write32(a + 4096, 0x22222222);
  assert.equal(h.call('mremap', a, 8192, 4096, 0) >>> 0, a);
  assert.equal(h.mem.isMapped(a + 4096), false);
  assert.equal(h.call('mremap', a, 4096, 8192, 0) >>> 0, a, 'grows in place into the freed page');
  assert.equal(h.mem.read32(a + 4096), 0, 'the new part is zero');
  assert.equal(h.call('mremap', a, 8192, 16384, 0), -I386_ABI.errno.ENOMEM, 'blocked and not allowed to move');
  const b = h.call('mremap', a, 8192, 16384, 1) >>> 0;
  assert.notEqual(b, a);
  assert.equal(h.mem.read32(b), 0x11111111);
  assert.equal(h.mem.isMapped(a), false);
  h.mem.write32(b + 16380, 5);
  assert.equal(h.call('mremap', a, 4096, 8192, 1), -I386_ABI.errno.EFAULT, 'old range no longer mapped');
});

test('read asks only the bytes it returns to fit the buffer (a large count at end of file is fine)', () => {
  const dir = tempDir();
  fs.writeFileSync(path.join(dir, 'f'), 'tiny');
  const h = harness(I386_ABI, { cwd: dir });
  const fd = h.call('open', h.str(SCRATCH, 'f'), 0, 0);
  const nearEnd = SCRATCH + SCRATCH_SIZE - 8;
  assert.equal(h.call('read', fd, nearEnd, 1 << 20), 4);
  assert.equal(Buffer.from(h.mem.readBytes(nearEnd, 4)).toString(), 'tiny');
  assert.equal(h.call('read', fd, nearEnd, 1 << 20), 0);
  assert.equal(h.call('lseek', fd, 0, 0), 0);
  assert.equal(h.call('read', fd, SCRATCH + SCRATCH_SIZE - 2, 100), -I386_ABI.errno.EFAULT);
  assert.equal(h.call('lseek', fd, 0, 1), 0, 'a faulting read does not move the offset');
  fs.rmSync(dir, { recursive: true });
});

test('getrusage and times report simulated CPU time; fsync is accepted for files only', () => {
  const h = harness();
  h.clock.instructions = 3_250_000_000;
  assert.equal(h.call('getrusage', 0, SCRATCH), 0);
  assert.deepEqual([h.mem.read32(SCRATCH), h.mem.read32(SCRATCH + 4), h.mem.read32(SCRATCH + 8)], [3, 250_000, 0]);
  assert.equal(h.call('getrusage', 5, SCRATCH), -I386_ABI.errno.EINVAL);
  assert.equal(h.call('times', SCRATCH), MONOTONIC_START_SECONDS * 100 + 325);
  assert.equal(h.mem.read32(SCRATCH), 325);
  assert.equal(h.call('fsync', 1), -I386_ABI.errno.EINVAL);
  assert.equal(h.call('fsync', 42), -I386_ABI.errno.EBADF);
});

test('a stdout whose reader is gone raises SIGPIPE (ends the process unless ignored)', () => {
  const epipe = () => { throw Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }); };
  const h = harness(I386_ABI, { stdout: epipe });
  h.mem.writeBytes(SCRATCH, Buffer.from('x'));
  assert.equal(h.call('write', 1, SCRATCH, 1), -I386_ABI.errno.EPIPE);
  assert.deepEqual(h.proc.exit, { code: 141, signal: 13, message: 'killed by SIGPIPE' });
  const ignoring = harness(I386_ABI, { stdout: epipe });
  ignoring.mem.write32(SCRATCH + 0x100, 1); // SIG_IGN
  assert.equal(ignoring.call('rt_sigaction', 13, SCRATCH + 0x100, 0, 8), 0);
  assert.equal(ignoring.call('write', 1, SCRATCH, 1), -I386_ABI.errno.EPIPE);
  assert.equal(ignoring.proc.exit, null);
});

test('stdin pulled on demand from a source: bounded by the read count, empty = end of input', () => {
  const h = harness(I386_ABI, { stdin: Buffer.from('ignored') });
  const asked: number[] = [];
  const chunks = [Buffer.from('first line\n'), Buffer.from('second')];
  h.proc.setStdinSource((max) => { asked.push(max); return chunks.shift()?.subarray(0, max) ?? new Uint8Array(0); });
  assert.equal(h.call('read', 0, SCRATCH, 5), 5);
  assert.equal(Buffer.from(h.mem.readBytes(SCRATCH, 5)).toString(), 'first');
  assert.equal(h.call('read', 0, SCRATCH, 100), 6);
  assert.equal(h.call('read', 0, SCRATCH, 100), 0);
  assert.deepEqual(asked, [5, 100, 100]);
  assert.equal(h.call('read', 0, 0x100, 10), -I386_ABI.errno.EFAULT, 'a bad buffer fails before input is consumed');
  assert.deepEqual(asked, [5, 100, 100]);
});
