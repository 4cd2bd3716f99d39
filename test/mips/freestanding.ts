// Runs a freestanding static mipsel ELF (entry __start; syscall 4004 write, 4001 exit) on the MIPS
// CPU in user mode with exceptionsToHost: for tests and the benchmark.
import { readFileSync } from 'node:fs';
import { parseElf, PF_W, PF_X } from '../../emulator/machine/elf';
import { PagedMemory, PROT_EXEC, PROT_READ, PROT_WRITE } from '../../emulator/machine/paged-memory';
import { MipsCpu, type MipsStopReason } from '../../emulator/mips/cpu';

export interface FreestandingRun {
  cpu: MipsCpu;
  memory: PagedMemory;
  output: string;
  exitCode: number | null;
  stop: MipsStopReason;
}

export function loadFreestanding(path: string, blockCompiler: boolean): { cpu: MipsCpu; memory: PagedMemory } {
  const elf = parseElf(new Uint8Array(readFileSync(path)), path);
  const memory = new PagedMemory();
  for (const seg of elf.loadSegments) {
    const prot = PROT_READ | (seg.flags & PF_W ? PROT_WRITE : 0) | (seg.flags & PF_X ? PROT_EXEC : 0);
    memory.map(seg.vaddr, seg.memsz, prot);
    memory.poke(seg.vaddr, elf.bytes.subarray(seg.offset, seg.offset + seg.filesz));
  }
  memory.map(0x7ff00000, 0x100000, PROT_READ | PROT_WRITE);
  const cpu = new MipsCpu(memory, { exceptionsToHost: true, blockCompiler, userMode: true });
  cpu.pc = elf.entry;
  cpu.regs[29] = 0x7fff0000;
  return { cpu, memory };
}

/** Runs until exit (or another stop); write(1, ...) output is collected. */
export function runFreestanding(cpu: MipsCpu, memory: PagedMemory, maxInstructions: number): FreestandingRun {
  let output = '';
  let exitCode: number | null = null;
  const end = cpu.instructionCount + maxInstructions;
  for (;;) {
    const stop = cpu.run(end - cpu.instructionCount);
    if (stop.kind === 'exception' && stop.code === 8) {
      const nr = cpu.regs[2];
      if (nr === 4001) {
        exitCode = cpu.regs[4];
        cpu.skipInstruction();
        return { cpu, memory, output, exitCode, stop };
      }
      if (nr === 4004) {
        output += Buffer.from(memory.readBytes(cpu.regs[5], cpu.regs[6])).toString('latin1');
        cpu.regs[2] = cpu.regs[6];
        cpu.regs[7] = 0;
        cpu.skipInstruction();
        continue;
      }
    }
    return { cpu, memory, output, exitCode, stop };
  }
}
