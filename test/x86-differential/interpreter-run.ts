// Runs a freestanding i386 test program on the x86 reference interpreter.
// TEMPORARY: a minimal loader (PT_LOAD segments, a stack, write/exit system calls)
// until emulator/usermode/run-user-program.ts is committed; then this becomes a
// thin call to runUserProgram.

import { readElfFile, EM_386, PF_R, PF_W, PF_X } from '../../emulator/machine/elf';
import { PagedMemory, PROT_EXEC, PROT_READ, PROT_WRITE } from '../../emulator/machine/paged-memory';
import { REG_EAX, REG_EBX, REG_ECX, REG_EDX, REG_ESP, X86Cpu } from '../../emulator/x86/cpu';

export interface InterpreterRun {
  exitCode: number;
  stdout: Uint8Array;
  message?: string;
  instructions: number;
}

const STACK_TOP = 0xc0000000;
const STACK_SIZE = 0x20000;

/** Exit status a shell would show for each way the CPU can stop with a fault. */
const FAULT_EXIT: Record<string, number> = {
  page: 139, 'general-protection': 139, interrupt: 139, divide: 136, 'invalid-opcode': 132, unsupported: 132, int3: 133,
};

export function runOnInterpreter(path: string, maxInstructions = 50_000_000): InterpreterRun {
  const elf = readElfFile(path, { machines: [EM_386] });
  const memory = new PagedMemory();
  for (const seg of elf.loadSegments) {
    const prot = (seg.flags & PF_R ? PROT_READ : 0) | (seg.flags & PF_W ? PROT_WRITE : 0) | (seg.flags & PF_X ? PROT_EXEC : 0);
    memory.map(seg.vaddr, seg.memsz, prot);
    memory.poke(seg.vaddr, elf.bytes.subarray(seg.offset, seg.offset + seg.filesz));
  }
  memory.map(STACK_TOP - STACK_SIZE, STACK_SIZE, PROT_READ | PROT_WRITE);
  const cpu = new X86Cpu(memory);
  cpu.eip = elf.entry;
  cpu.regs[REG_ESP] = STACK_TOP - 16; // argc = 0, argv/envp empty
  const chunks: Uint8Array[] = [];
  let total = 0;
  const finish = (exitCode: number, message?: string): InterpreterRun => {
    const stdout = new Uint8Array(total);
    let o = 0;
    for (const c of chunks) {
      stdout.set(c, o);
      o += c.length;
    }
    return message === undefined ? { exitCode, stdout, instructions: cpu.instructionCount } : { exitCode, stdout, message, instructions: cpu.instructionCount };
  };
  for (;;) {
    const left = maxInstructions - cpu.instructionCount;
    if (left <= 0) return finish(-1, `instruction budget of ${maxInstructions} exhausted at eip=0x${(cpu.eip >>> 0).toString(16)}`);
    const stop = cpu.run(left);
    if (stop.kind === 'limit') continue;
    if (stop.kind === 'syscall') {
      const nr = cpu.regs[REG_EAX];
      if (nr === 1) return finish(cpu.regs[REG_EBX] & 0xff);
      if (nr === 4) {
        const len = cpu.regs[REG_EDX];
        const bytes = memory.readBytes(cpu.regs[REG_ECX], len);
        if (cpu.regs[REG_EBX] === 1) {
          chunks.push(bytes);
          total += len;
        }
        cpu.regs[REG_EAX] = len;
        continue;
      }
      return finish(-1, `unexpected system call ${nr} at eip=0x${(cpu.eip >>> 0).toString(16)}`);
    }
    if (stop.kind === 'halt') return finish(139, 'hlt in user mode');
    if (stop.kind === 'fault') return finish(FAULT_EXIT[stop.fault] ?? -1, stop.message);
    return finish(-1, `unexpected stop ${stop.kind}`);
  }
}
