// runUserProgram: one Linux user program from start to exit, synchronously (usermode contract).
// The MIPS wiring (mips-process.ts, by the MIPS engineers) plugs in through MIPS_RUNNER below.
import { readElfFile, ElfError, EM_386, EM_MIPS } from '../machine/elf';
import { DEFAULT_ENVIRONMENT } from '../linux/program-image';
import { X86Process } from './x86-process';
import { runMipsUserProgram } from './mips-process';
import {
  BUDGET_EXIT_CODE, DEFAULT_MAX_INSTRUCTIONS, UserProgramError, defaultOutput,
  type UserProgramOptions, type UserProgramResult,
} from './user-program';

export * from './user-program';

/** runUserProgram for isa 'mips': the MIPS wiring (mips-process.ts); registerMipsRunner may replace it. */
let MIPS_RUNNER: ((options: UserProgramOptions) => UserProgramResult) | null = runMipsUserProgram;

export function registerMipsRunner(runner: (options: UserProgramOptions) => UserProgramResult): void {
  MIPS_RUNNER = runner;
}

export function runUserProgram(options: UserProgramOptions): UserProgramResult {
  if (options.isa === 'mips') {
    if (MIPS_RUNNER === null) throw new UserProgramError('MIPS user programs are not available yet (the MIPS wiring is not built)');
    return MIPS_RUNNER(options);
  }
  if (options.isa !== 'x86') throw new UserProgramError(`unknown isa '${String(options.isa)}' (expected x86 or mips)`);
  let elf;
  try {
    elf = readElfFile(options.program, { machines: [EM_386, EM_MIPS] });
  } catch (e) {
    if (e instanceof ElfError) throw new UserProgramError(e.message);
    throw e;
  }
  if (elf.machine !== EM_386) throw new UserProgramError(`${options.program}: wrong machine EM_MIPS for isa x86 (expected an i386 executable)`);
  if (elf.type !== 2) throw new UserProgramError(`${options.program}: a relocatable object (ET_REL) cannot be run; link it into an executable`);
  const proc = new X86Process({
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
  return { exitCode: BUDGET_EXIT_CODE, message: `instruction budget of ${budget} exhausted at eip=0x${proc.cpu.eip.toString(16).padStart(8, '0')}`, instructions };
}
