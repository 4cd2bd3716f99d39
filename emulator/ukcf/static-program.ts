// Loading a static i386 Linux executable for translated execution: the same image and initial stack
// as the reference interpreter's process (linux/program-image.ts), with esp set in the pinned register.
// System calls are not converted yet: `int 0x80` stops as an untranslated instruction.

import type { ElfFile } from '../machine/elf';
import { PagedMemory } from '../machine/paged-memory';
import { I386_ABI } from '../linux/i386-abi';
import { startProgram } from '../linux/program-image';
import { UkcfRuntime, type UkcfOptions } from './translated-process';

export interface LoadedStaticProgram {
  readonly runtime: UkcfRuntime;
  readonly entry: number;
  readonly stackPointer: number;
}

export function loadStaticProgram(elf: ElfFile, argv: string[], options: UkcfOptions = {}): LoadedStaticProgram {
  const memory = new PagedMemory();
  let runtime: UkcfRuntime | null = null;
  const started = startProgram({
    abi: I386_ABI, elf, memory, argv,
    stdout: () => {}, stderr: () => {},
    instructions: () => (runtime === null ? 0 : runtime.cpu.instructionCount),
  });
  runtime = new UkcfRuntime(memory, started.entry, options);
  runtime.setGuestRegister(4, started.stackPointer);
  return { runtime, entry: started.entry, stackPointer: started.stackPointer };
}
