// Runs small freestanding i386 programs two ways: natively on this x86-64 machine (the real
// CPU is the oracle) and on the emulator's X86Cpu, and returns what each wrote to stdout.
// Programs talk through `int $0x80` only: eax=4 write(fd, buf, len), eax=1 exit(code).

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseElf } from '../../emulator/machine/elf';
import { loadImage } from '../../emulator/linux/program-image';
import { PagedMemory, PROT_READ, PROT_WRITE } from '../../emulator/machine/paged-memory';
import { X86Cpu, X86StopReason, REG_EAX, REG_EBX, REG_ECX, REG_EDX, REG_ESP, REG_ESI, REG_EDI, REG_EBP } from '../../emulator/x86/cpu';
import { startProgram } from '../../emulator/linux/program-image';
import { I386_ABI } from '../../emulator/linux/i386-abi';

export const I686_GCC = 'i686-linux-gnu-gcc';

export function haveCrossCompiler(): boolean {
  const r = spawnSync(I686_GCC, ['--version'], { encoding: 'utf8' });
  return r.status === 0;
}

let nativeOk: boolean | null = null;
/** True when this machine runs i386 binaries (checked once with a tiny program). */
export function canRunNative(): boolean {
  if (nativeOk !== null) return nativeOk;
  if (!haveCrossCompiler()) return (nativeOk = false);
  const dir = mkdtempSync(join(tmpdir(), 'x86-native-probe-'));
  try {
    const exe = buildAssembly('.globl _start\n_start: movl $1,%eax\nmovl $7,%ebx\nint $0x80\n', dir, 'probe');
    const r = spawnSync(exe, [], {});
    nativeOk = r.status === 7;
  } catch {
    nativeOk = false;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return nativeOk;
}

/** Assembles and links a freestanding static i386 program from AT&T source. */
export function buildAssembly(source: string, dir: string, name: string): string {
  const src = join(dir, `${name}.S`);
  const exe = join(dir, name);
  writeFileSync(src, source);
  const r = spawnSync(I686_GCC, ['-m32', '-static', '-nostdlib', '-nostartfiles', '-no-pie', '-Wl,--build-id=none', '-o', exe, src], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`assembling ${name} failed:\n${r.stderr}`);
  return exe;
}

export interface NativeResult {
  stdout: Buffer;
  status: number | null;
  signal: string | null;
}

export function runNative(exe: string): NativeResult {
  const r = spawnSync(exe, [], { maxBuffer: 256 * 1024 * 1024 });
  return { stdout: r.stdout, status: r.status, signal: r.signal };
}

export interface EmulatedResult {
  stdout: Buffer;
  exitCode: number | null;
  stop: X86StopReason;
  cpu: X86Cpu;
  instructions: number;
}

/** Loads the ELF's PT_LOAD segments, gives it a 1 MiB stack, and runs it until exit or a stop. */
export function runEmulated(exe: string, maxInstructions = 2_000_000_000): EmulatedResult {
  const elf = parseElf(readFileSync(exe), exe);
  const memory = new PagedMemory();
  loadImage(elf, memory);
  const stackTop = 0xbfff0000;
  memory.map(stackTop - 0x100000, 0x100000, PROT_READ | PROT_WRITE);
  const cpu = new X86Cpu(memory);
  cpu.regs[REG_ESP] = stackTop - 64;
  cpu.eip = elf.entry;
  const out: Buffer[] = [];
  let budget = maxInstructions;
  for (;;) {
    const before = cpu.instructionCount;
    const stop = cpu.run(budget);
    budget -= cpu.instructionCount - before;
    if (stop.kind !== 'syscall') return { stdout: Buffer.concat(out), exitCode: null, stop, cpu, instructions: cpu.instructionCount };
    const nr = cpu.regs[REG_EAX];
    if (nr === 1) return { stdout: Buffer.concat(out), exitCode: cpu.regs[REG_EBX] & 0xff, stop, cpu, instructions: cpu.instructionCount };
    if (nr === 4) {
      const len = cpu.regs[REG_EDX] >>> 0;
      out.push(Buffer.from(memory.readBytes(cpu.regs[REG_ECX], len)));
      cpu.regs[REG_EAX] = len;
      continue;
    }
    if (nr === 243) {
      // set_thread_area(struct user_desc *): entry -1 picks the first TLS slot (12 on x86-64 kernels).
      const desc = cpu.regs[REG_EBX];
      let entry = memory.read32(desc) >>> 0;
      if (entry === 0xffffffff) entry = 12;
      memory.write32(desc, entry);
      cpu.setDescriptorBase(entry, memory.read32(desc + 4));
      cpu.regs[REG_EAX] = 0;
      continue;
    }
    throw new Error(`unexpected syscall ${nr} at eip 0x${cpu.eip.toString(16)}`);
  }
}

export { Xorshift32 } from '../fixed-seed-random';

/** Assembles AT&T source (GNU as, 32-bit) into raw .text bytes placed at `origin`. */
export function assembleBytes(source: string, origin = 0x1000): Uint8Array {
  const dir = mkdtempSync(join(tmpdir(), 'x86-as-'));
  try {
    writeFileSync(join(dir, 'a.s'), `.text\n${source}\n`);
    const as = spawnSync('i686-linux-gnu-as', ['--32', '-o', join(dir, 'a.o'), join(dir, 'a.s')], { encoding: 'utf8' });
    if (as.status !== 0) throw new Error(`as failed:\n${as.stderr}`);
    const ld = spawnSync('i686-linux-gnu-ld', ['-m', 'elf_i386', '-Ttext', '0x' + origin.toString(16), '--oformat', 'binary', '-o', join(dir, 'a.bin'), join(dir, 'a.o')], { encoding: 'utf8' });
    if (ld.status !== 0) throw new Error(`ld failed:\n${ld.stderr}`);
    return new Uint8Array(readFileSync(join(dir, 'a.bin')));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface LinuxRunResult {
  stdout: Buffer;
  stderr: Buffer;
  exitCode: number | null;
  stop: X86StopReason | null;
  instructions: number;
}

/** Runs a static i386 Linux executable on the emulator with the Linux syscall layer. */
export function runEmulatedLinux(exe: string, argv: string[] = [exe], maxInstructions = 5_000_000_000): LinuxRunResult {
  const elf = parseElf(readFileSync(exe), exe);
  const memory = new PagedMemory();
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  let cpu: X86Cpu | null = null;
  const started = startProgram({
    abi: I386_ABI,
    elf,
    memory,
    argv,
    stdout: (b) => out.push(Buffer.from(b)),
    stderr: (b) => err.push(Buffer.from(b)),
    instructions: () => cpu?.instructionCount ?? 0,
    setThreadArea: (args) => {
      const desc = args[0];
      let entry = memory.read32(desc) >>> 0;
      if (entry === 0xffffffff) entry = 12;
      memory.write32(desc, entry);
      cpu!.setDescriptorBase(entry, memory.read32(desc + 4));
      return 0;
    },
    onCodeChange: (address, length) => cpu?.invalidateCode(address, length),
    diagnostic: () => {},
  });
  cpu = new X86Cpu(memory);
  cpu.eip = started.entry;
  cpu.regs[REG_ESP] = started.stackPointer;
  const proc = started.process;
  let budget = maxInstructions;
  try {
    for (;;) {
      const before = cpu.instructionCount;
      const stop = cpu.run(budget);
      budget -= cpu.instructionCount - before;
      if (stop.kind !== 'syscall') return { stdout: Buffer.concat(out), stderr: Buffer.concat(err), exitCode: null, stop, instructions: cpu.instructionCount };
      const r = cpu.regs;
      const result = proc.syscall(r[REG_EAX], [r[REG_EBX], r[REG_ECX], r[REG_EDX], r[REG_ESI], r[REG_EDI], r[REG_EBP]]);
      if (proc.exit !== null) return { stdout: Buffer.concat(out), stderr: Buffer.concat(err), exitCode: proc.exit.code, stop: null, instructions: cpu.instructionCount };
      r[REG_EAX] = result;
    }
  } finally {
    proc.release();
  }
}

/** Addresses of the labels of AT&T source assembled at `origin` (via GNU as, ld and nm). */
export function assembleLabels(source: string, origin = 0x1000): Map<string, number> {
  const dir = mkdtempSync(join(tmpdir(), 'x86-as-'));
  try {
    writeFileSync(join(dir, 'a.s'), `.text\n${source}\n`);
    const as = spawnSync('i686-linux-gnu-as', ['--32', '-o', join(dir, 'a.o'), join(dir, 'a.s')], { encoding: 'utf8' });
    if (as.status !== 0) throw new Error(`as failed:\n${as.stderr}`);
    const ld = spawnSync('i686-linux-gnu-ld', ['-m', 'elf_i386', '-e', '0', '-Ttext', '0x' + origin.toString(16), '-o', join(dir, 'a.elf'), join(dir, 'a.o')], { encoding: 'utf8' });
    if (ld.status !== 0) throw new Error(`ld failed:\n${ld.stderr}`);
    const nm = spawnSync('i686-linux-gnu-nm', [join(dir, 'a.elf')], { encoding: 'utf8' });
    const out = new Map<string, number>();
    for (const line of nm.stdout.split('\n')) {
      const [addr, , name] = line.trim().split(/\s+/);
      if (name) out.set(name, parseInt(addr, 16));
    }
    return out;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
