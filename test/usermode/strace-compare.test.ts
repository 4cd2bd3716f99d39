// glibc takes the same path under the emulated Linux layer as under qemu-user's Linux: the
// sequence of system calls (by name) of each test program equals what `qemu-i386 -strace` /
// `qemu-mipsel -strace` records. Catches answers that make glibc retry, fall back or choose
// another buffering, even when the program output happens to agree.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readElfFile } from '../../emulator/machine/elf';
import { X86Process } from '../../emulator/usermode/x86-process';
import { MipsProcess } from '../../emulator/usermode/mips-process';
import { I386_ABI } from '../../emulator/linux/i386-abi';
import { MIPS_O32_ABI } from '../../emulator/linux/mips-o32-abi';
import { syscallNameTable } from '../../emulator/linux/abi';
import { DEFAULT_ENVIRONMENT } from '../../emulator/linux/program-image';

const PROGRAMS = join(__dirname, 'programs');
const ENV = Object.fromEntries(DEFAULT_ENVIRONMENT.map((e) => e.split('=')));

function qemuTrace(qemu: string, program: string, args: string[], stdin: string, cwd: string, names: Map<number, string>): string[] {
  // -D keeps the trace apart from the program's own stderr
  const log = join(cwd, '.strace.log');
  spawnSync(qemu, ['-strace', '-D', log, program, ...args], { input: stdin, cwd, env: ENV });
  const calls: string[] = [];
  for (const line of readFileSync(log, 'latin1').split('\n')) {
    const unknown = /^\d+ Unknown syscall (\d+)/.exec(line);
    if (unknown) { calls.push(names.get(Number(unknown[1])) ?? unknown[1]); continue; }
    const m = /^\d+ (\w+)\((.*)$/.exec(line);
    if (!m) continue;
    if (m[1] === 'read' || m[1] === 'write') {
      // fd, count and result: glibc's buffering must be the same, not just the call names
      const io = /^(\d+),0x[0-9a-f]+,(\d+)\)(?:.*?) = (-?\d+)/.exec(m[2]);
      // qemu's log file holds the guest's fd 3, so the guest's own files are one higher there
      const fd = io && Number(io[1]) >= 4 ? Number(io[1]) - 1 : io?.[1];
      calls.push(io ? `${m[1]}(${fd},${io[2]})=${io[3]}` : m[1]);
    } else calls.push(m[1]);
  }
  return calls;
}

function emulatedTrace(isa: 'x86' | 'mips', program: string, args: string[], stdin: string, cwd: string, names: Map<number, string>): string[] {
  const options = { elf: readElfFile(program), argv: [program, ...args], stdin: Buffer.from(stdin), cwd, stdout: () => {}, stderr: () => {} };
  const proc = isa === 'x86' ? new X86Process(options) : new MipsProcess(options);
  const calls: string[] = [];
  const original = proc.linux.syscall.bind(proc.linux);
  proc.linux.syscall = (nr, a) => {
    const name = names.get(nr) ?? String(nr);
    const r = original(nr, a);
    calls.push(name === 'read' || name === 'write' ? `${name}(${a[0]},${a[2] >>> 0})=${r}` : name);
    return r;
  };
  const stop = proc.run(500_000_000);
  assert.equal(stop.kind, 'exited');
  return calls;
}

const PROGRAM_ARGS: [string, (dir: string) => string[]][] = [
  ['hello-freestanding', () => []],
  ['clock', () => ['a', 'b']],
  ['memory', () => []],
  ['fileio', (d) => [d]],
  ['fault', () => ['exit']],
];

for (const [isa, suffix, qemu, abi] of [['x86', 'i386', 'qemu-i386', I386_ABI], ['mips', 'mipsel', 'qemu-mipsel', MIPS_O32_ABI]] as const) {
  const missing = spawnSync('sh', ['-c', `command -v ${qemu}`]).status !== 0;
  const names = syscallNameTable(abi) as Map<number, string>;
  for (const [name, args] of PROGRAM_ARGS) {
    test(`${name}.${suffix}: the same system calls as under ${qemu} -strace`, { skip: missing ? `${qemu} missing` : false }, () => {
      const d1 = mkdtempSync(join(tmpdir(), 'ukcf-strace-')), d2 = mkdtempSync(join(tmpdir(), 'ukcf-strace-'));
      try {
        const program = join(PROGRAMS, `${name}.${suffix}`);
        const expected = qemuTrace(qemu, program, args(d1), 'stdin text\n', d1, names);
        const actual = emulatedTrace(isa, program, args(d2), 'stdin text\n', d2, names);
        assert.ok(expected.length > 1);
        assert.deepEqual(actual, expected);
      } finally {
        rmSync(d1, { recursive: true });
        rmSync(d2, { recursive: true });
      }
    });
  }
}
