// runUserProgram: one Linux user program from start to exit, synchronously (usermode contract).
// Both ISAs go through the same steps; only the ELF machine and the process class differ.
import { EM_386, EM_MIPS } from '../machine/elf';
import { DEFAULT_ENVIRONMENT } from '../linux/program-image';
import { X86Process } from './x86-process';
import { MipsProcess } from './mips-process';
import {
  readUserExecutable,
  BUDGET_EXIT_CODE, DEFAULT_MAX_INSTRUCTIONS, UserProgramError, defaultOutput, hex32,
  type UserProgramOptions, type UserProgramResult,
} from './user-program';

export * from './user-program';

type ProcessOptions = ConstructorParameters<typeof X86Process>[0] & ConstructorParameters<typeof MipsProcess>[0];

/** What differs between the ISAs: the ELF machine, how to make the process, how to name its pc. */
const ISAS = {
  x86: {
    machine: EM_386,
    wrongMachine: 'EM_MIPS for isa x86 (expected an i386 executable)',
    create: (o: ProcessOptions) => {
      const proc = new X86Process(o);
      return { proc, pcText: () => `eip=${hex32(proc.cpu.eip)}` };
    },
  },
  mips: {
    machine: EM_MIPS,
    wrongMachine: 'EM_386 for isa mips (expected a mipsel executable)',
    create: (o: ProcessOptions) => {
      const proc = new MipsProcess(o);
      return { proc, pcText: () => `pc=${hex32(proc.cpu.pc)}` };
    },
  },
} as const;

export function runUserProgram(options: UserProgramOptions): UserProgramResult {
  const isa = ISAS[options.isa as keyof typeof ISAS];
  if (isa === undefined) throw new UserProgramError(`unknown isa '${String(options.isa)}' (expected x86 or mips)`);
  const elf = readUserExecutable(options.program, isa.machine, isa.wrongMachine);
  const { proc, pcText } = isa.create({
    elf,
    argv: [options.program, ...(options.args ?? [])],
    envp: options.env ?? DEFAULT_ENVIRONMENT,
    stdin: options.stdin,
    stdout: options.stdout ?? defaultOutput(process.stdout),
    stderr: options.stderr ?? defaultOutput(process.stderr),
    diagnostic: options.diagnostic,
    cwd: options.cwd,
  });
  const budget = options.maxInstructions ?? DEFAULT_MAX_INSTRUCTIONS;
  const stop = proc.run(budget);
  const instructions = proc.cpu.instructionCount;
  if (stop.kind === 'exited') {
    return stop.message === undefined ? { exitCode: stop.exitCode, instructions } : { exitCode: stop.exitCode, message: stop.message, instructions };
  }
  if (stop.kind === 'breakpoint') {
    throw new UserProgramError('breakpoint reached in runUserProgram (breakpoints need the debugger facade)');
  }
  proc.linux.release();
  return { exitCode: BUDGET_EXIT_CODE, message: `instruction budget of ${budget} exhausted at ${pcText()}`, instructions };
}
