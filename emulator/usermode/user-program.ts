// The contract for running a Linux user program on a bare CPU (see the usermode contract).
import { readElfFile, ElfError, EM_386, EM_MIPS, type ElfFile } from '../machine/elf';

export interface UserProgramOptions {
  /** x86 = i386 ELF on the x86 reference interpreter; mips = mipsel o32 ELF on the MIPS simulator. */
  isa: 'x86' | 'mips';
  /** Path of the ELF on the host. */
  program: string;
  /** argv[1..]; argv[0] is the program path as given. */
  args?: string[];
  /** Default: a small fixed environment (deterministic), not the host's. */
  env?: string[];
  /** Default: process.stdout. */
  stdout?: (bytes: Uint8Array) => void;
  /** Default: process.stderr. */
  stderr?: (bytes: Uint8Array) => void;
  /** Default: empty. */
  stdin?: Uint8Array;
  /** Safety budget; exceeding it ends the run with a clear message (exit code BUDGET_EXIT_CODE). */
  maxInstructions?: number;
  /** Addition to the contract: where the emulator's own notes go (unsupported system calls). Default: host stderr. */
  diagnostic?: (line: string) => void;
  /** Addition to the contract: host directory for relative paths. Default: the host's current directory. */
  cwd?: string;
}

export interface UserProgramResult {
  /** As a shell would see it: exit status, or 128 + signal (139 SIGSEGV, 132 SIGILL, 136 SIGFPE). */
  exitCode: number;
  /** For abnormal ends, e.g. "segmentation fault at eip=0x08049000 accessing 0x00000000". */
  message?: string;
  /** Guest instructions retired. */
  instructions: number;
}

/** Exit code when the instruction budget runs out (as `timeout` reports a timed-out command). */
export const BUDGET_EXIT_CODE = 124;
export const DEFAULT_MAX_INSTRUCTIONS = 20_000_000_000;

/** A problem with the program given (missing, not an ELF, wrong machine): a clear one-line message. */
export class UserProgramError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UserProgramError';
  }
}

/** The emulator itself failed (a bug): one line with where the guest was. */
export class EmulatorInternalError extends Error {
  constructor(message: string, readonly underlying?: unknown) {
    super(message);
    this.name = 'EmulatorInternalError';
  }
}

export function hex32(n: number): string {
  return '0x' + (n >>> 0).toString(16).padStart(8, '0');
}

export function defaultOutput(stream: NodeJS.WriteStream): (bytes: Uint8Array) => void {
  return (bytes) => { stream.write(bytes); };
}

/**
 * Reads a static executable for `machine` (EM_386 or EM_MIPS): every refusal (unreadable, not ELF,
 * the other ISA, a relocatable object) is a UserProgramError naming the file.
 */
export function readUserExecutable(program: string, machine: number, wrongMachine: string): ElfFile {
  let elf: ElfFile;
  try {
    elf = readElfFile(program, { machines: [EM_386, EM_MIPS] });
  } catch (e) {
    if (e instanceof ElfError) throw new UserProgramError(e.message);
    throw e;
  }
  if (elf.machine !== machine) throw new UserProgramError(`${program}: wrong machine ${wrongMachine}`);
  if (elf.type !== 2) throw new UserProgramError(`${program}: a relocatable object (ET_REL) cannot be run; link it into an executable`);
  return elf;
}
