// The host kernel through user programs (test/kernel/programs, run as init): every system call,
// the RAM filesystem, /dev/console and /dev/gfx, -EFAULT on bad user pointers, fatal faults, the
// module loader's refusals and the export table. The syscall program's expectations are also
// checked against Linux itself (qemu-mipsel) for the calls whose behaviour is Linux's.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { HostSystem, type BootFile, type HostRunResult } from '../../emulator/system/host-system';
import { parseElf, symbolByName } from '../../emulator/machine/elf';


const ROOT = resolve(__dirname, '..', '..');
const PROGRAMS = join(ROOT, 'test', 'kernel', 'programs');
const KERNEL = join(ROOT, 'workloads', 'kernel', 'kernel.mipsel');
const DRIVER = join(ROOT, 'workloads', 'driver', 'gfx_driver.mipsel.o');
const DATA = 'hello, ramfs\n';

function boot(files: BootFile[], cmdline: string, graphics = true): HostRunResult {
  const sys = new HostSystem({ kernel: readFileSync(KERNEL), files, cmdline, graphics });
  return sys.run(200_000_000);
}

function runProgram(name: string, driver: Uint8Array | null = readFileSync(DRIVER)): HostRunResult {
  const files: BootFile[] = [
    { name, bytes: readFileSync(join(PROGRAMS, name)) },
    { name: 'data.txt', bytes: Buffer.from(DATA) },
  ];
  if (driver) files.push({ name: 'gfx_driver.o', bytes: driver });
  return boot(files, `${driver ? 'driver=/gfx_driver.o ' : ''}-- /${name} /data.txt`);
}

const checkNames = (): string[] =>
  [...readFileSync(join(PROGRAMS, 'syscalls.c'), 'latin1').matchAll(/check\("([^"]+)"/g)].map((m) => m[1]);

test('every system call check of the syscalls program passes on the host kernel', () => {
  const r = runProgram('syscalls');
  const lines = r.console.split('\n');
  const failed = lines.filter((l) => l.startsWith('FAIL'));
  assert.deepEqual(failed, []);
  const ok = lines.filter((l) => l.startsWith('ok ')).map((l) => l.slice(3));
  assert.deepEqual(ok, checkNames());
  assert.ok(lines.includes('done'));
  assert.match(r.console, /^kernel: \/syscalls exited with status 42$/m);
  assert.equal(r.status, 42);
  assert.equal(r.panicked, false);
  // write/writev to fd 1 and a write to an opened /dev/console reach the console.
  assert.match(r.console, /^line$/m);
  assert.match(r.console, /^abc$/m);
  assert.match(r.console, /^console$/m);
});

// Checks whose expected results are Linux's behaviour (not this kernel's own choices, such as
// /dev/gfx, pid 1, the fixed user window or simulated sleep precision). Not compared although
// Linux-defined, because qemu-user differs from Linux there: ioctl on a regular file (qemu answers
// ENOSYS for requests it does not translate, Linux ENOTTY) and nanosleep from an unreadable
// pointer (qemu answers EINVAL, Linux EFAULT).
const LINUX_CHECKS = [
  'argc', 'write', 'writev', 'write-efault', 'write-kernel-efault', 'write-ebadf', 'open', 'read', 'read-bytes',
  'read-eof', 'lseek-set', 'read-after-seek', 'read-after-seek-bytes', 'lseek-end', 'lseek-einval', 'read-efault',
  'fstat64', 'fstat64-size', 'fstat64-efault', 'write-readonly', 'close', 'close-again',
  'open-enoent', 'open-efault', 'brk-query-positive', 'brk-grow', 'brk-zeroed', 'brk-shrink', 'mmap2-aligned',
  'mmap2-zeroed', 'munmap', 'clock_gettime', 'nanosleep', 'nanosleep-einval',
  'clock_gettime-efault', 'gettimeofday', 'uname', 'uname-sysname', 'uname-machine', 'uname-efault',
  'set_thread_area', 'rdhwr-userlocal', 'unknown-syscall',
];

const qemu = spawnSync('qemu-mipsel', ['-version'], { stdio: 'ignore' });
test('the same expectations hold on Linux (qemu-mipsel) for the Linux-defined calls', { skip: qemu.error ? 'qemu-mipsel not installed' : false }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'ukcf-kernel-'));
  try {
    const data = join(dir, 'data.txt');
    writeFileSync(data, DATA, { mode: 0o644 });
    const r = spawnSync('qemu-mipsel', ['-cpu', '24Kc', join(PROGRAMS, 'syscalls'), data], { encoding: 'latin1', cwd: dir, timeout: 60_000 });
    assert.equal(r.status, 42, r.stderr);
    const results = new Map(r.stdout.split('\n').filter((l) => /^(ok|FAIL) /.test(l)).map((l) => [l.split(' ')[1], l]));
    for (const name of LINUX_CHECKS) assert.equal(results.get(name), `ok ${name}`, `on Linux: ${results.get(name)}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a user fault kills the process (128 + SIGSEGV) and the kernel shuts down cleanly', () => {
  const r = runProgram('fault');
  assert.match(r.console, /^about to fault$/m);
  assert.match(r.console, /^kernel: pid 1 killed by exception TLBS at pc [0-9a-f]{8}, address 7ff00010$/m);
  assert.equal(r.status, 139);
  assert.equal(r.panicked, false);
});

test('the export table in memory: the contract\'s functions, argument counts, kernel addresses', () => {
  const sys = new HostSystem({ kernel: readFileSync(KERNEL), files: [], cmdline: '' });
  const table = sys.exports();
  // The contract: workloads/include/README.md, "Undefined symbols are resolved against this export table".
  const readme = readFileSync(join(ROOT, 'workloads', 'include', 'README.md'), 'utf8');
  const contract = new Map<string, number>();
  for (const m of readme.matchAll(/\| `(\w+)`(?: \([^)]*\))? \| (\d+) \|/g)) contract.set(m[1], Number(m[2]));
  assert.equal(contract.size, 14);
  assert.deepEqual(new Map(table.map((e) => [e.name, e.argCount])), contract);
  const elf = sys.kernelElf;
  for (const e of table) assert.equal(e.address, symbolByName(elf, e.name)?.value, e.name);
  // Every undefined symbol of the driver object is in the table.
  const driver = parseElf(readFileSync(DRIVER), DRIVER);
  for (const s of driver.symbols.filter((s) => s.sectionIndex === 0 && s.name !== '')) {
    assert.ok(table.some((e) => e.name === s.name), `driver needs ${s.name}`);
  }
  sys.run(10_000_000);
});

test('module loader refusals are reported and the boot goes on', () => {
  const cases: [string, Uint8Array, RegExp][] = [
    ['i386 object', readFileSync(join(ROOT, 'workloads', 'driver', 'gfx_driver.i386.o')), /^module \/gfx_driver\.o: not a 32-bit little-endian MIPS relocatable object$/m],
    ['not ELF', Buffer.from('not an object file at all'), /^module \/gfx_driver\.o: not an ELF file$/m],
    ['executable, not relocatable', readFileSync(join(PROGRAMS, 'fault')), /^module \/gfx_driver\.o: not a 32-bit little-endian MIPS relocatable object$/m],
  ];
  for (const [what, bytes, message] of cases) {
    const r = boot([{ name: 'gfx_driver.o', bytes }], 'driver=/gfx_driver.o');
    assert.match(r.console, message, what);
    assert.match(r.console, /^kernel: no init program$/m, what);
    assert.equal(r.status, 0);
    assert.equal(r.panicked, false);
  }
  const missing = boot([], 'driver=/nowhere.o');
  assert.match(missing.console, /^module \/nowhere\.o: no such file$/m);
});

test('a driver module with an unresolved symbol is refused', () => {
  // Rename one import of the real driver ("kmalloc" -> "kmallox") in its string table.
  const bytes = Buffer.from(readFileSync(DRIVER));
  const at = bytes.lastIndexOf(Buffer.from('\0kmalloc\0')); // .strtab is the last string table but .shstrtab
  assert.ok(at > 0);
  bytes[at + 7] = 'x'.charCodeAt(0);
  const r = boot([{ name: 'gfx_driver.o', bytes }], 'driver=/gfx_driver.o');
  assert.match(r.console, /^module \/gfx_driver\.o: unresolved symbol kmallox$/m);
  assert.doesNotMatch(r.console, /gfx driver registered/);
});

test('no graphics device: the driver probe fails with -ENODEV, /dev/gfx opens fail', () => {
  const sys = new HostSystem({
    kernel: readFileSync(KERNEL),
    files: [{ name: 'syscalls', bytes: readFileSync(join(PROGRAMS, 'syscalls')) }, { name: 'data.txt', bytes: Buffer.from(DATA) }, { name: 'gfx_driver.o', bytes: readFileSync(DRIVER) }],
    cmdline: 'driver=/gfx_driver.o -- /syscalls /data.txt',
    graphics: false,
  });
  const r = sys.run(200_000_000);
  assert.match(r.console, /^kernel: gfx driver probe failed: -19$/m);
  assert.match(r.console, /^FAIL gfx-open got -19 want 3$/m);
  assert.equal(r.status, 42);
});

test('init that is missing or not an executable: status 127 and a message', () => {
  const missing = boot([], '-- /nothing');
  assert.match(missing.console, /^exec \/nothing: no such file$/m);
  assert.equal(missing.status, 127);
  const notElf = boot([{ name: 'init', bytes: Buffer.from('#!/bin/sh\n') }], '-- /init');
  assert.match(notElf.console, /^exec \/init: not a static 32-bit little-endian MIPS or i386 executable$/m);
  assert.equal(notElf.status, 127);
  assert.equal(notElf.panicked, false);
});

test('registration API and kmalloc from a driver: -EBUSY on the second registration, one probe', () => {
  const r = boot([{ name: 'drv.o', bytes: readFileSync(join(PROGRAMS, 'probe_driver.o')) }], 'driver=/drv.o');
  const lines = r.console.split('\n').filter((l) => l.startsWith('probe_driver: '));
  assert.deepEqual(lines, [
    'probe_driver: register 0 then -16',
    'probe_driver: probes 1',
    'probe_driver: aligned 1 1',
    'probe_driver: distinct 1',
    'probe_driver: reused 1',
    'probe_driver: zero 1 huge 1',
    'probe_driver: printk x%',
    'probe_driver: 4294967295 abc 00000000',
  ]);
  assert.equal(r.status, 0);
});

test('a kernel-mode fault (driver init dereferencing NULL) is a reported panic and a power-off', () => {
  const r = boot([{ name: 'drv.o', bytes: readFileSync(join(PROGRAMS, 'crash_driver.o')) }], 'driver=/drv.o -- /never');
  assert.match(r.console, /^kernel panic: exception TLBL in the kernel at pc 808[0-9a-f]{5}$/m);
  assert.doesNotMatch(r.console, /exec \/never/);
  assert.equal(r.panicked, true);
  assert.equal(r.status, 255);
});

test('a very long sleep hits the machine\'s simulated-time limit (a clear error, quickly)', () => {
  const sys = new HostSystem({ kernel: readFileSync(KERNEL), files: [{ name: 'sleeper', bytes: readFileSync(join(PROGRAMS, 'sleeper')) }], cmdline: '-- /sleeper' });
  assert.throws(() => sys.run(1_000_000_000, 30), /^SystemError: simulated time limit of 30 s reached at pc 0x8/);
  // Under the limit, the same sleep completes: 100000 s of simulated time.
  const long = new HostSystem({ kernel: readFileSync(KERNEL), files: [{ name: 'sleeper', bytes: readFileSync(join(PROGRAMS, 'sleeper')) }], cmdline: '-- /sleeper', graphics: false });
  const r = long.run(1_000_000_000, 200_000);
  assert.equal(r.status, 0);
  assert.ok(r.cycles >= 100_000 * 100_000_000, String(r.cycles));
});

test('robustness: 1500 system calls with hostile arguments (bad, kernel, MMIO, straddling pointers; extreme sizes; driver ioctls) never bring the kernel down', () => {
  const sys = new HostSystem({
    kernel: readFileSync(KERNEL),
    files: [
      { name: 'fuzz', bytes: readFileSync(join(PROGRAMS, 'fuzz')) },
      { name: 'gfx_driver.o', bytes: readFileSync(DRIVER) },
      { name: 'data.txt', bytes: Buffer.from(DATA) },
    ],
    cmdline: 'driver=/gfx_driver.o -- /fuzz',
  });
  const r = sys.run(1_000_000_000, 600);
  assert.equal(r.panicked, false, r.console);
  assert.doesNotMatch(r.console, /killed by exception/);
  assert.match(r.console, /^fuzz done [0-9a-f]{8}$/m);
  assert.equal(r.status, 0);
  assert.ok(r.counts.driver > 0, 'some ioctls reached the driver');
});
