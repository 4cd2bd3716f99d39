// `ukcf user` translated: a static i386 Linux executable as a user process (MIPS user mode,
// exceptions to the host) of an o32 Linux kernel — the ISA-neutral Linux layer with MIPS_O32_ABI,
// as `ukcf mips` uses it — run by the UKCF runtime. Guest code runs only as translated MIPS code;
// `int 0x80` goes through the generated syscall glue (syscall-glue.ts), which makes o32 calls.
//
// Address space (all kuseg, below 0x80000000, which MIPS user mode cannot reach):
//   ELF segments, brk heap           where the executable is linked (0x08048000...)
//   anonymous mmap                   top-down below 0x77000000 (the o32 layer's placement)
//   guest stack                      8 MiB below GUEST_STACK_TOP (the i386 reference: below 0xc0000000)
//   code cache                       0x7e000000 - 0x7f000000 (reserved; read+execute pages mapped as code is written)
//   lookup table, context, counters, glue data, host stack   0x7f000000 - 0x7f030000
// argv, envp and auxv hold what the reference interpreter's process holds; only addresses differ.

import { EM_386, type ElfFile } from '../../machine/elf';
import { PagedMemory, PROT_EXEC, PROT_READ, PROT_WRITE } from '../../machine/paged-memory';
import { I386_ABI } from '../../linux/i386-abi';
import { MIPS_O32_ABI } from '../../linux/mips-o32-abi';
import { buildInitialStack, DEFAULT_ENVIRONMENT, loadImage } from '../../linux/program-image';
import { LinuxProcess, signalName } from '../../linux/process';
import { formatSyscall } from '../../linux/syscall-format';
import { MipsCpu } from '../../mips/cpu';
import { BUDGET_EXIT_CODE, DEFAULT_MAX_INSTRUCTIONS, readUserExecutable, UserProgramError, EmulatorInternalError, defaultOutput, hex32, type UserProgramOptions, type UserProgramResult } from '../../usermode/user-program';
import { PagedGuestCodeMemory, UkcfRuntime, type UkcfEnvironment, type UkcfEvent, type UkcfStatistics } from '../translated-process';
import { emitSyscallGlue, GLUE_DATA_BYTES, HOST_SIGNAL_TO_GUEST, type EmittedSyscallGlue } from './syscall-glue';
import { guestDiagnostic, O32Host } from './o32-host';

export const CODE_CACHE_BASE = 0x7e000000;
export const CODE_CACHE_BYTES = 0x01000000;
export const LOOKUP_TABLE_BASE = 0x7f000000;
export const LOOKUP_TABLE_ENTRIES = 4096;
export const CONTEXT_BASE = 0x7f008000;
export const GLUE_DATA_BASE = 0x7f009000;
export const COUNTERS_BASE = 0x7f00a000;
export const COUNTERS_BYTES = 0x10000;
export const HOST_STACK_TOP = 0x7f030000;
export const HOST_STACK_BYTES = 0x10000;
/** The guest stack's top: below the code cache, with a guard gap. */
export const GUEST_STACK_TOP = 0x7dff0000;

/** Times the simulator reaches a host PC before compiling the code there (MipsCpuOptions.compileThreshold). */
const COMPILE_THRESHOLD = 8;

/** The i386 ABI with the stack placed in kuseg: the initial stack's contents stay the reference's. */
const GUEST_STACK_ABI = { ...I386_ABI, stackTop: GUEST_STACK_TOP };

export interface TranslatedRunOptions extends UserProgramOptions {
  /** Instead of `stdin`: input pulled when the guest reads fd 0. */
  stdinReader?: (maxBytes: number) => Uint8Array;
  /** Exact guest instruction counts (4 host instructions per block entry), for --stats. */
  countGuestInstructions?: boolean;
  /** Told about every host (o32) system call, as one strace-style line. */
  onHostSyscall?: (line: string) => void;
  /** Told every runtime event (the debugger's session: blocks translated, chains, flushes). */
  onEvent?: (e: UkcfEvent) => void;
}

export interface TranslatedRunResult extends UserProgramResult {
  /** Host (MIPS) instructions executed, all regions. */
  hostInstructions: number;
  /** Exact per-region host instruction counts. */
  regions: Record<string, number>;
  statistics: UkcfStatistics;
  /** Host system calls the syscall glue made (one per guest call; two when a faulting copy-out is undone). */
  hostSyscalls: number;
  /** Host instructions spent counting block entries (countGuestInstructions), to subtract from ratios. */
  countingOverhead: number;
}

/** A guest instruction the translator does not handle yet: the run cannot go on. */
export class NotTranslatedError extends UserProgramError {
  constructor(message: string, readonly eip: number, readonly mnemonic: string) {
    super(message);
  }
}

/** A translated i386 user process, ready to run. */
export class TranslatedUserProcess {
  readonly memory = new PagedMemory();
  readonly cpu: MipsCpu;
  readonly runtime: UkcfRuntime;
  readonly linux: LinuxProcess;
  readonly host: O32Host;
  readonly glue: EmittedSyscallGlue;
  readonly entry: number;
  readonly stackPointer: number;
  private readonly counting: boolean;

  constructor(readonly elf: ElfFile, options: TranslatedRunOptions) {
    const memory = this.memory;
    const image = loadImage(elf, memory);
    const areas: [number, number, number][] = [
      [CODE_CACHE_BASE, CODE_CACHE_BYTES, 0], // reserved, mapped as code is written (PagedGuestCodeMemory)
      [LOOKUP_TABLE_BASE, LOOKUP_TABLE_ENTRIES * 8, PROT_READ | PROT_WRITE],
      [CONTEXT_BASE, 0x1000, PROT_READ | PROT_WRITE],
      [GLUE_DATA_BASE, 0x1000, PROT_READ | PROT_WRITE],
      [COUNTERS_BASE, COUNTERS_BYTES, PROT_READ | PROT_WRITE],
      [HOST_STACK_TOP - HOST_STACK_BYTES, HOST_STACK_BYTES, PROT_READ | PROT_WRITE],
    ];
    for (const [start, bytes] of areas) {
      if (!memory.isFree(start, bytes)) throw new UserProgramError(`${elf.file}: a segment overlaps the translator's area ${hex32(start)}-${hex32(start + bytes)}`);
    }
    for (const [start, bytes, prot] of areas) if (prot !== 0) memory.map(start, bytes, prot);
    if (GLUE_DATA_BYTES > 0x1000) throw new Error('UKCF user space: glue data does not fit its page');

    // Translated code runs hot by nature (a block is translated because it runs; chained blocks
    // loop), and in a fresh process the simulator's own interpreter is still cold JavaScript: hand
    // code to the block compiler early (measured on bench/programs/x86-cpu-loop: 8 best of 2..128).
    const cpu = new MipsCpu(memory, { exceptionsToHost: true, userMode: true, compileThreshold: COMPILE_THRESHOLD });
    this.cpu = cpu;
    let host: O32Host | null = null;
    let runtime: UkcfRuntime | null = null;
    const diagnostic = options.diagnostic ?? ((line: string) => process.stderr.write(line + '\n'));
    this.linux = new LinuxProcess({
      abi: MIPS_O32_ABI, memory, executable: elf.file, brkStart: image.brkStart, cwd: options.cwd,
      stdin: options.stdin,
      stdout: options.stdout ?? defaultOutput(process.stdout), stderr: options.stderr ?? defaultOutput(process.stderr),
      // Simulated time advances with the host's instructions (the guest's are not counted by default).
      instructions: () => cpu.instructionCount,
      diagnostic: (line) => diagnostic(guestDiagnostic(line, host === null ? -1 : host.guestSyscallNumber())),
      onCodeChange: (address, length) => runtime?.invalidateGuestPages(address >>> 12, ((address + length - 1) >>> 12) - (address >>> 12) + 1),
    });
    if (options.stdinReader !== undefined) this.linux.setStdinSource(options.stdinReader);
    this.stackPointer = buildInitialStack({
      abi: GUEST_STACK_ABI, memory, elf, phdrAddress: image.phdrAddress, argv: [options.program, ...(options.args ?? [])],
      envp: options.env ?? DEFAULT_ENVIRONMENT, randomBytes: this.linux.random.bytes(16),
    });
    this.entry = elf.entry >>> 0;

    const handlers = new Map<number, (cpu: MipsCpu) => boolean>();
    cpu.onHypercall = (code, c) => {
      const h = handlers.get(code);
      return h !== undefined && h(c);
    };
    let glue: EmittedSyscallGlue | null = null;
    this.counting = options.countGuestInstructions === true;
    const environment: UkcfEnvironment = {
      cpu,
      code: new PagedGuestCodeMemory(memory, { base: CODE_CACHE_BASE, bytes: CODE_CACHE_BYTES }),
      layout: {
        cacheBase: CODE_CACHE_BASE, cacheBytes: CODE_CACHE_BYTES, tableBase: LOOKUP_TABLE_BASE, tableEntries: LOOKUP_TABLE_ENTRIES,
        contextBase: CONTEXT_BASE, hostStackTop: HOST_STACK_TOP, counters: { base: COUNTERS_BASE, bytes: COUNTERS_BYTES },
      },
      installHypercall: (code, handler) => {
        if (handlers.has(code)) throw new Error(`UKCF: hypercall ${code} is installed twice`);
        handlers.set(code, handler);
      },
      syscallGlue: (asm, env) => {
        glue = emitSyscallGlue(asm, { dispatch: env.dispatch, contextBase: env.contextBase, dataBase: GLUE_DATA_BASE });
      },
      ...(options.onEvent !== undefined ? { onEvent: options.onEvent } : {}),
    };
    runtime = new UkcfRuntime(environment, { countBlockEntries: this.counting });
    this.runtime = runtime;
    if (glue === null) throw new Error('UKCF user space: the runtime did not emit the syscall glue');
    this.glue = glue;
    host = new O32Host(this.linux, cpu, glue);
    this.host = host;
    if (options.onHostSyscall !== undefined) {
      const trace = options.onHostSyscall;
      this.linux.onSyscall = (e) => trace(formatSyscall(MIPS_O32_ABI, e, (a) => {
        try {
          return memory.readCString(a, 4096);
        } catch {
          return null;
        }
      }));
    }
    const ep = runtime.entryPoint(this.entry);
    for (const r of ep.registers) cpu.regs[r.reg] = r.value;
    cpu.pc = ep.pc;
    runtime.setGuestRegister(4, this.stackPointer);
  }

  /** Runs to the end (or the host-instruction budget). */
  run(budget: number): TranslatedRunResult {
    const cpu = this.cpu;
    const linux = this.linux;
    let ended: { exitCode: number; message?: string } | null = null;
    // The simulator compiles MIPS code to JavaScript only once it is hot (its compileThreshold), so
    // code translated and run about once (a program's start) stays interpreted by itself.
    while (ended === null) {
      const left = budget - cpu.instructionCount;
      if (left <= 0) {
        const eip = this.runtime.guestEipAt(cpu.pc);
        const where = eip >= 0 ? `eip=${hex32(eip)}` : `host pc=${hex32(cpu.pc)} (translator glue)`;
        ended = { exitCode: BUDGET_EXIT_CODE, message: `instruction budget of ${budget} host instructions exhausted at ${where}` };
        break;
      }
      const stop = cpu.run(left);
      if (stop.kind === 'limit') continue;
      if (stop.kind === 'exception') {
        let outcome: ReturnType<O32Host['handle']>;
        try {
          outcome = this.host.handle(stop);
        } catch (e) {
          throw new EmulatorInternalError(`internal error in host system call ${cpu.regs[2]} (guest ${this.host.guestSyscallNumber()}): ${(e as Error).message}`, e);
        }
        if (outcome.kind === 'continue') continue;
        if (outcome.kind === 'exited') {
          ended = this.exitOf(linux.exit!);
          break;
        }
      }
      const u = this.runtime.stopFor(stop);
      switch (u.kind) {
        case 'limit':
          continue;
        case 'untranslated':
          linux.release();
          throw new NotTranslatedError(`${u.message}; the translated run stops here (--engine interp runs it)`, u.eip, u.mnemonic);
        case 'fault':
          if (u.fault === 'internal') {
            linux.release();
            throw new EmulatorInternalError(`internal error of the translated code: ${u.message}`);
          }
          ended = { exitCode: 128 + u.signal, message: u.message };
          break;
        default:
          linux.release();
          throw new EmulatorInternalError(`translated run stopped unexpectedly: ${JSON.stringify(u)}`);
      }
    }
    linux.release();
    const statistics = this.runtime.statistics();
    const guest = statistics.guestInstructionsExecuted;
    const base = { exitCode: ended.exitCode, instructions: guest ?? cpu.instructionCount };
    return {
      ...(ended.message === undefined ? base : { ...base, message: ended.message }),
      hostInstructions: cpu.instructionCount,
      regions: this.runtime.regionCounts(),
      statistics,
      hostSyscalls: this.host.hostSyscalls,
      countingOverhead: this.counting ? 4 * (statistics.blockEntries ?? 0) : 0,
    };
  }

  /** The host kernel's end of the process, in guest terms (a signal in i386 numbering). */
  private exitOf(exit: NonNullable<LinuxProcess['exit']>): { exitCode: number; message?: string } {
    if (exit.signal === undefined) return exit.message === undefined ? { exitCode: exit.code } : { exitCode: exit.code, message: exit.message };
    const guestSignal = HOST_SIGNAL_TO_GUEST.apply(exit.signal);
    const hostName = signalName(exit.signal);
    const message = exit.message?.replace(`killed by ${hostName}`, `killed by ${signalName(guestSignal)}`);
    return message === undefined ? { exitCode: 128 + guestSignal } : { exitCode: 128 + guestSignal, message };
  }
}

/** runUserProgram for the translated engine. */
export function runTranslatedUserProgram(options: TranslatedRunOptions): TranslatedRunResult {
  const elf = readUserExecutable(options.program, EM_386, 'EM_MIPS for isa x86 (expected an i386 executable)');
  const proc = new TranslatedUserProcess(elf, options);
  return proc.run(options.maxInstructions ?? DEFAULT_MAX_INSTRUCTIONS);
}
