// Static glibc i386 programs run natively (this x86-64 machine executes i386 binaries: the
// real kernel and CPU are the oracle) and under runUserProgram: same stdout, stderr and exit
// status (128 + signal for a fatal signal), same environment, stdin and arguments.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { constants, tmpdir } from 'node:os';
import { join } from 'node:path';
import { runUserProgram } from '../../emulator/usermode/run-user-program';
import { DEFAULT_ENVIRONMENT } from '../../emulator/linux/program-image';

const PROGRAMS = join(__dirname, 'programs');

interface Case { name: string; program: string; args?: (scratch: string) => string[]; stdin?: string; message?: RegExp }

const CASES: Case[] = [
  { name: 'freestanding hello', program: 'hello-freestanding.i386' },
  { name: 'file I/O', program: 'fileio.i386', args: (d) => [d], stdin: 'line one\nline two\n'.repeat(700) },
  { name: 'heap and mappings', program: 'memory.i386' },
  { name: 'clocks, uname, arguments', program: 'clock.i386', args: () => ['first', 'with space', ''] },
  { name: 'everyday stdio, directories, qsort, time formatting', program: 'stdio.i386', args: (d) => [d], stdin: 'a\nbb\n\nlonger line here\nno newline at end' },
  { name: 'exit after buffered output', program: 'fault.i386', args: () => ['exit'] },
  { name: 'segmentation fault', program: 'fault.i386', args: () => ['segv'], message: /^segmentation fault at eip=0x[0-9a-f]{8} accessing 0x00000000/ },
  { name: 'ud2', program: 'fault.i386', args: () => ['ud2'], message: /^invalid instruction at eip=0x[0-9a-f]{8} \(bytes 0f 0b/ },
  { name: 'divide by zero', program: 'fault.i386', args: () => ['div'], message: /^divide error at eip=0x[0-9a-f]{8}$/ },
  { name: 'abort', program: 'fault.i386', args: () => ['abort'], message: /SIGABRT/ },
];

function nativeRun(program: string, args: string[], stdin: string, cwd: string) {
  const r = spawnSync(program, args, { input: stdin, cwd, env: Object.fromEntries(DEFAULT_ENVIRONMENT.map((e) => e.split('='))) });
  const signal = r.signal ? constants.signals[r.signal] : 0;
  return { stdout: r.stdout.toString('latin1'), stderr: r.stderr.toString('latin1'), exitCode: r.signal ? 128 + signal : r.status ?? -1 };
}

const canRunNative = spawnSync(join(PROGRAMS, 'hello-freestanding.i386')).status === 5;

for (const c of CASES) {
  test(`${c.name}: emulated run matches the native run`, { skip: canRunNative ? false : 'this host cannot execute i386 binaries natively' }, () => {
    const nativeDir = mkdtempSync(join(tmpdir(), 'ukcf-native-'));
    const emuDir = mkdtempSync(join(tmpdir(), 'ukcf-emu-'));
    try {
      const program = join(PROGRAMS, c.program);
      const expected = nativeRun(program, c.args?.(nativeDir) ?? [], c.stdin ?? '', nativeDir);
      const out: Uint8Array[] = [], err: Uint8Array[] = [], notes: string[] = [];
      const result = runUserProgram({
        isa: 'x86', program, args: c.args?.(emuDir) ?? [], stdin: Buffer.from(c.stdin ?? '', 'latin1'), cwd: emuDir,
        stdout: (b) => out.push(Uint8Array.from(b)), stderr: (b) => err.push(Uint8Array.from(b)),
        diagnostic: (l) => notes.push(l), maxInstructions: 500_000_000,
      });
      assert.equal(Buffer.concat(out).toString('latin1'), expected.stdout, 'stdout');
      assert.equal(Buffer.concat(err).toString('latin1'), expected.stderr, 'stderr');
      assert.equal(result.exitCode, expected.exitCode, `exit status (${result.message ?? 'no message'})`);
      assert.deepEqual(notes, [], 'no unsupported system calls');
      assert.ok(result.instructions > 0);
      if (c.message) assert.match(result.message ?? '', c.message);
      else assert.equal(result.message, undefined);
    } finally {
      rmSync(nativeDir, { recursive: true });
      rmSync(emuDir, { recursive: true });
    }
  });
}

test('runs are deterministic: same output and instruction count twice', () => {
  const runs = [0, 1].map(() => {
    const out: Uint8Array[] = [];
    const r = runUserProgram({ isa: 'x86', program: join(PROGRAMS, 'clock.i386'), args: ['x'], stdout: (b) => out.push(Uint8Array.from(b)) });
    return { r, out: Buffer.concat(out).toString() };
  });
  assert.deepEqual(runs[0], runs[1]);
});

test('the instruction budget ends a run with a clear message', () => {
  const r = runUserProgram({ isa: 'x86', program: join(PROGRAMS, 'memory.i386'), stdout: () => {}, maxInstructions: 10_000 });
  assert.equal(r.exitCode, 124);
  assert.equal(r.instructions, 10_000);
  assert.match(r.message ?? '', /^instruction budget of 10000 exhausted at eip=0x[0-9a-f]{8}$/);
});

test('bad programs are UserProgramErrors naming the file', () => {
  assert.throws(() => runUserProgram({ isa: 'x86', program: '/nonexistent/prog' }), { name: 'UserProgramError', message: '/nonexistent/prog: cannot read: no such file' });
  const src = join(PROGRAMS, 'clock.c');
  assert.throws(() => runUserProgram({ isa: 'x86', program: src }), { name: 'UserProgramError', message: `${src}: not an ELF file (bad magic number)` });
  const mips = join(PROGRAMS, 'clock.mipsel');
  assert.throws(() => runUserProgram({ isa: 'x86', program: mips }), { name: 'UserProgramError', message: /wrong machine EM_MIPS/ });
});

// The same sources built for mipsel, through the same Linux layer with the o32 ABI, against
// qemu-mipsel. qemu-mipsel's getdents64 returns no entries on this host, so the directory
// listing program is held to the native i386 run of the same source instead.
const haveQemuMipsel = spawnSync('sh', ['-c', 'command -v qemu-mipsel']).status === 0;

function qemuRun(program: string, args: string[], stdin: string, cwd: string) {
  const r = spawnSync('qemu-mipsel', [program, ...args], { input: stdin, cwd, env: Object.fromEntries(DEFAULT_ENVIRONMENT.map((e) => e.split('='))) });
  const signal = r.signal ? constants.signals[r.signal] : 0;
  // qemu's own report of the signal is not the program's output
  const stderr = r.stderr.toString('latin1').replace(/^qemu: uncaught target signal .*\n/m, '');
  return { stdout: r.stdout.toString('latin1'), stderr, exitCode: r.signal ? 128 + signal : r.status ?? -1 };
}

const MIPS_CASES: Case[] = [
  { name: 'freestanding hello', program: 'hello-freestanding.mipsel' },
  { name: 'file I/O', program: 'fileio.mipsel', args: (d) => [d], stdin: 'line one\nline two\n'.repeat(700) },
  { name: 'heap and mappings', program: 'memory.mipsel' },
  { name: 'clocks, uname, arguments', program: 'clock.mipsel', args: () => ['first', 'with space', ''] },
  { name: 'everyday stdio (oracle: native i386 run)', program: 'stdio.mipsel', args: (d) => [d], stdin: 'a\nbb\n\nlonger line here\nno newline at end' },
  { name: 'segmentation fault', program: 'fault.mipsel', args: () => ['segv'] },
  { name: 'abort', program: 'fault.mipsel', args: () => ['abort'] },
  { name: 'exit', program: 'fault.mipsel', args: () => ['exit'] },
];

for (const c of MIPS_CASES) {
  const oracleIsNative = c.program === 'stdio.mipsel';
  const skip = oracleIsNative ? (canRunNative ? false : 'cannot run i386 natively') : haveQemuMipsel ? false : 'qemu-mipsel missing';
  test(`mipsel ${c.name}: emulated run matches ${oracleIsNative ? 'the native i386 run' : 'qemu-mipsel'}`, { skip }, () => {
    const oracleDir = mkdtempSync(join(tmpdir(), 'ukcf-oracle-'));
    const emuDir = mkdtempSync(join(tmpdir(), 'ukcf-emu-'));
    try {
      const program = join(PROGRAMS, c.program);
      const expected = oracleIsNative
        ? nativeRun(join(PROGRAMS, 'stdio.i386'), c.args?.(oracleDir) ?? [], c.stdin ?? '', oracleDir)
        : qemuRun(program, c.args?.(oracleDir) ?? [], c.stdin ?? '', oracleDir);
      const out: Uint8Array[] = [], err: Uint8Array[] = [], notes: string[] = [];
      const result = runUserProgram({
        isa: 'mips', program, args: c.args?.(emuDir) ?? [], stdin: Buffer.from(c.stdin ?? '', 'latin1'), cwd: emuDir,
        stdout: (b) => out.push(Uint8Array.from(b)), stderr: (b) => err.push(Uint8Array.from(b)),
        diagnostic: (l) => notes.push(l), maxInstructions: 500_000_000,
      });
      assert.equal(Buffer.concat(out).toString('latin1'), expected.stdout, 'stdout');
      assert.equal(Buffer.concat(err).toString('latin1'), expected.stderr, 'stderr');
      assert.equal(result.exitCode, expected.exitCode, `exit status (${result.message ?? 'no message'})`);
      assert.deepEqual(notes, [], 'no unsupported system calls');
    } finally {
      rmSync(oracleDir, { recursive: true });
      rmSync(emuDir, { recursive: true });
    }
  });
}
