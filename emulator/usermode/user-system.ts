// A debuggable user-program system: one Linux process (i386 on the x86 reference interpreter,
// or mipsel on the MIPS simulator) that can be stepped, continued, paused and inspected, and
// that reports what happens through events. This is what createSystem() returns for a 'user'
// launch; the debug adapter and the CLI drive it through emulator/index.ts.
import { EventEmitter } from 'node:events';
import { EM_386, EM_MIPS, ElfError, readElfFile, symbolAt, type ElfFile, type ElfSymbol } from '../machine/elf';
import { MemoryFault, type PagedMemory } from '../machine/paged-memory';
import { DEFAULT_ENVIRONMENT } from '../linux/program-image';
import type { SyscallEvent } from '../linux/process';
import { formatSyscall } from '../linux/syscall-format';
import { I386_ABI } from '../linux/i386-abi';
import { MIPS_O32_ABI } from '../linux/mips-o32-abi';
import { X86Process } from './x86-process';
import { MipsProcess } from './mips-process';
import { disassemble as disassembleX86 } from '../x86/disassembler';
import { disassembleWord } from '../mips/disassembler';
import { BUDGET_EXIT_CODE, DEFAULT_MAX_INSTRUCTIONS, UserProgramError, hex32, type UserProgramResult } from './user-program';

export interface UserLaunch {
  kind: 'user';
  isa: 'x86' | 'mips';
  program: string;
  args?: string[];
  env?: string[];
  stdin?: Uint8Array;
  /** Instead of `stdin`: input pulled when the guest reads fd 0 (an empty result is end of input). */
  stdinReader?: (maxBytes: number) => Uint8Array;
  cwd?: string;
  maxInstructions?: number;
}

export type StopReason = 'entry' | 'step' | 'breakpoint' | 'pause';

export interface StopEvent {
  reason: StopReason;
  /** Address of the next instruction. */
  address: number;
  instructions: number;
}

export interface OutputEvent {
  stream: 'stdout' | 'stderr' | 'diagnostic';
  bytes: Uint8Array;
}

/** Events: 'output' (OutputEvent), 'syscall' (SyscallEvent), 'stopped' (StopEvent), 'exited' (UserProgramResult). */
export interface UserSystemEvents {
  output: [OutputEvent];
  syscall: [SyscallEvent];
  stopped: [StopEvent];
  exited: [UserProgramResult];
}

export interface DisassemblyLine {
  address: number;
  /** Instruction bytes as objdump prints them ("8b 44 24 04"; MIPS: the word's 4 bytes). */
  bytes: string;
  text: string;
  /** Symbol containing the address, with offset ("main+12"). */
  symbol?: string;
}

export interface Register {
  name: string;
  value: number;
}

/** Instructions run between two looks at the event loop while continuing. */
const SLICE = 1_000_000;

type Process = X86Process | MipsProcess;

export class UserSystem extends EventEmitter<UserSystemEvents> {
  readonly isa: 'x86' | 'mips';
  readonly elf: ElfFile;
  readonly memory: PagedMemory;
  private readonly process: Process;
  private readonly budget: number;
  private readonly breakpoints = new Set<number>();
  private pauseRequested = false;
  private running = false;
  private result: UserProgramResult | null = null;

  constructor(readonly launch: UserLaunch) {
    super();
    let elf: ElfFile;
    try {
      elf = readElfFile(launch.program, { machines: [EM_386, EM_MIPS] });
    } catch (e) {
      if (e instanceof ElfError) throw new UserProgramError(e.message);
      throw e;
    }
    const wanted = launch.isa === 'x86' ? EM_386 : EM_MIPS;
    if (elf.machine !== wanted) {
      const expected = launch.isa === 'x86' ? 'an i386 executable' : 'a mipsel executable';
      throw new UserProgramError(`${launch.program}: wrong machine ${elf.machine === EM_386 ? 'EM_386' : 'EM_MIPS'} for isa ${launch.isa} (expected ${expected})`);
    }
    if (elf.type !== 2) throw new UserProgramError(`${launch.program}: a relocatable object (ET_REL) cannot be run; link it into an executable`);
    this.isa = launch.isa;
    this.elf = elf;
    this.budget = launch.maxInstructions ?? DEFAULT_MAX_INSTRUCTIONS;
    const options = {
      elf,
      argv: [launch.program, ...(launch.args ?? [])],
      envp: launch.env ?? DEFAULT_ENVIRONMENT,
      stdin: launch.stdin,
      cwd: launch.cwd,
      stdout: (bytes: Uint8Array) => this.emit('output', { stream: 'stdout', bytes: Uint8Array.from(bytes) }),
      stderr: (bytes: Uint8Array) => this.emit('output', { stream: 'stderr', bytes: Uint8Array.from(bytes) }),
      diagnostic: (line: string) => this.emit('output', { stream: 'diagnostic', bytes: Buffer.from(line + '\n') }),
    };
    this.process = launch.isa === 'x86' ? new X86Process(options) : new MipsProcess(options);
    this.memory = this.process.memory;
    if (launch.stdinReader) this.process.linux.setStdinSource(launch.stdinReader);
    this.process.linux.onSyscall = (event) => {
      if (this.listenerCount('syscall') > 0) this.emit('syscall', event);
    };
  }

  /** Address of the next instruction. */
  get pc(): number {
    return this.process instanceof X86Process ? this.process.cpu.eip >>> 0 : this.process.cpu.pc >>> 0;
  }

  get instructions(): number {
    return this.process.cpu.instructionCount;
  }

  get state(): 'stopped' | 'running' | 'exited' {
    return this.result !== null ? 'exited' : this.running ? 'running' : 'stopped';
  }

  /** The end of the run, once it has ended. */
  get exitResult(): UserProgramResult | null {
    return this.result;
  }

  registers(): Register[] {
    const p = this.process;
    if (p instanceof X86Process) {
      const names = ['eax', 'ecx', 'edx', 'ebx', 'esp', 'ebp', 'esi', 'edi'];
      const segs = ['es', 'cs', 'ss', 'ds', 'fs', 'gs'];
      return [
        ...names.map((name, i) => ({ name, value: p.cpu.regs[i] >>> 0 })),
        { name: 'eip', value: p.cpu.eip >>> 0 },
        { name: 'eflags', value: p.cpu.getEflags() >>> 0 },
        ...segs.map((name, i) => ({ name, value: p.cpu.segmentSelectors[i] })),
        { name: 'fs_base', value: p.cpu.segmentBases[4] >>> 0 },
        { name: 'gs_base', value: p.cpu.segmentBases[5] >>> 0 },
      ];
    }
    const names = ['zero', 'at', 'v0', 'v1', 'a0', 'a1', 'a2', 'a3', 't0', 't1', 't2', 't3', 't4', 't5', 't6', 't7',
      's0', 's1', 's2', 's3', 's4', 's5', 's6', 's7', 't8', 't9', 'k0', 'k1', 'gp', 'sp', 'fp', 'ra'];
    return [
      ...names.map((name, i) => ({ name, value: p.cpu.regs[i] >>> 0 })),
      { name: 'pc', value: p.cpu.pc >>> 0 },
      { name: 'hi', value: p.cpu.hi >>> 0 },
      { name: 'lo', value: p.cpu.lo >>> 0 },
    ];
  }

  /** Guest bytes, or null when any of them is unmapped or unreadable. */
  readMemory(address: number, length: number): Uint8Array | null {
    try {
      return this.memory.readBytes(address >>> 0, length);
    } catch (e) {
      if (e instanceof MemoryFault) return null;
      throw e;
    }
  }

  /** Writes guest bytes (ignoring write protection, as a debugger does); false if unmapped. */
  writeMemory(address: number, bytes: Uint8Array): boolean {
    for (let i = 0; i < bytes.length; i++) if (!this.memory.isMapped((address + i) >>> 0)) return false;
    this.memory.poke(address >>> 0, bytes);
    if (this.process instanceof X86Process) this.process.cpu.invalidateCode(address >>> 0, bytes.length);
    return true;
  }

  /** A system-call event as one strace-style line (paths shown as strings). */
  describeSyscall(event: SyscallEvent): string {
    return formatSyscall(this.isa === 'x86' ? I386_ABI : MIPS_O32_ABI, event, (a) => {
      try {
        return this.memory.readCString(a, 4096);
      } catch {
        return null;
      }
    });
  }

  symbolAt(address: number): ElfSymbol | undefined {
    return symbolAt(this.elf, address >>> 0);
  }

  /** `count` instructions from `address` (AT&T syntax for x86, objdump's for MIPS); unreadable memory says so. */
  disassemble(address: number, count: number): DisassemblyLine[] {
    const symbolOf = (a: number): string | undefined => {
      const s = symbolAt(this.elf, a);
      return s ? (a === s.value ? s.name : `${s.name}+${a - s.value}`) : undefined;
    };
    const withSymbol = (line: DisassemblyLine): DisassemblyLine => {
      const symbol = symbolOf(line.address);
      return symbol === undefined ? line : { ...line, symbol };
    };
    if (this.isa === 'x86') {
      return disassembleX86((a) => this.memory.read8(a), address >>> 0, count)
        .map((l) => withSymbol({ address: l.address, bytes: l.bytes, text: l.text }));
    }
    const lines: DisassemblyLine[] = [];
    for (let i = 0, a = (address & ~3) >>> 0; i < count; i++, a = (a + 4) >>> 0) {
      const bytes = this.readMemory(a, 4);
      if (bytes === null) {
        lines.push(withSymbol({ address: a, bytes: '', text: `(unreadable memory at 0x${a.toString(16).padStart(8, '0')})` }));
        continue;
      }
      const word = (bytes[0] | (bytes[1] << 8) | (bytes[2] << 16) | (bytes[3] << 24)) >>> 0;
      const hexBytes = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join(' ');
      lines.push(withSymbol({ address: a, bytes: hexBytes, text: disassembleWord(word, a) }));
    }
    return lines;
  }

  /** Replaces the instruction breakpoints. */
  setBreakpoints(addresses: number[]): void {
    const cpu = this.process.cpu;
    cpu.clearBreakpoints();
    this.breakpoints.clear();
    for (const a of addresses) {
      this.breakpoints.add(a >>> 0);
      cpu.addBreakpoint(a >>> 0);
    }
  }

  /** Announces the stop at the entry point (a launch with stopOnEntry). */
  reportEntry(): StopEvent {
    return this.stopped('entry');
  }

  /**
   * Runs the process; a breakpoint at the current pc is lifted for the first instruction (a
   * debugger resuming from a breakpoint must execute it, not report it again).
   */
  private runProcess(limit: number): ReturnType<Process['run']> {
    const pc = this.pc;
    if (limit > 0 && this.breakpoints.has(pc)) {
      const cpu = this.process.cpu;
      cpu.removeBreakpoint(pc);
      let first: ReturnType<Process['run']>;
      try {
        first = this.process.run(1);
      } finally {
        cpu.addBreakpoint(pc);
      }
      if (first.kind !== 'limit' || limit === 1) return first;
      return this.process.run(limit - 1);
    }
    return this.process.run(limit);
  }

  /** Executes one instruction. */
  stepInstruction(): StopEvent | UserProgramResult {
    this.assertStopped();
    const stop = this.runProcess(1);
    if (stop.kind === 'exited') return this.exited(stop.exitCode, stop.message);
    return this.stopped('step');
  }

  /** Requests that a running continue() stop at its next look at the event loop. */
  pause(): void {
    if (this.running) this.pauseRequested = true;
  }

  /**
   * Runs until a breakpoint, a pause request, the end of the program or the instruction budget
   * (which ends it), yielding to the event loop between slices so pause() can arrive.
   */
  async continue(): Promise<StopEvent | UserProgramResult> {
    this.assertStopped();
    this.running = true;
    this.pauseRequested = false;
    try {
      for (;;) {
        const left = this.budget - this.instructions;
        if (left <= 0) return this.exited(BUDGET_EXIT_CODE, `instruction budget of ${this.budget} exhausted at ${this.isa === 'x86' ? 'eip' : 'pc'}=${hex32(this.pc)}`);
        const stop = this.runProcess(Math.min(SLICE, left));
        if (stop.kind === 'exited') return this.exited(stop.exitCode, stop.message);
        if (stop.kind === 'breakpoint') return this.stopped('breakpoint');
        await new Promise<void>((resolve) => setImmediate(resolve));
        if (this.pauseRequested) return this.stopped('pause');
      }
    } finally {
      this.running = false;
      this.pauseRequested = false;
    }
  }

  /** Runs to the end synchronously, ignoring breakpoints. */
  runToEnd(): UserProgramResult {
    this.assertStopped();
    this.process.cpu.clearBreakpoints();
    const stop = this.process.run(Math.max(0, this.budget - this.instructions));
    for (const a of this.breakpoints) this.process.cpu.addBreakpoint(a);
    if (stop.kind === 'exited') return this.exited(stop.exitCode, stop.message);
    return this.exited(BUDGET_EXIT_CODE, `instruction budget of ${this.budget} exhausted at ${this.isa === 'x86' ? 'eip' : 'pc'}=${hex32(this.pc)}`);
  }

  private assertStopped(): void {
    if (this.result !== null) throw new UserProgramError('the program has already exited');
    if (this.running) throw new UserProgramError('the program is running');
  }

  private stopped(reason: StopReason): StopEvent {
    const event: StopEvent = { reason, address: this.pc, instructions: this.instructions };
    this.emit('stopped', event);
    return event;
  }

  private exited(exitCode: number, message?: string): UserProgramResult {
    const result: UserProgramResult = message === undefined
      ? { exitCode, instructions: this.instructions }
      : { exitCode, message, instructions: this.instructions };
    if (!this.process.ended) this.process.linux.release();
    this.result = result;
    this.emit('exited', result);
    return result;
  }
}

/** What to run. Today: one Linux user program; later launches add the UKCF system. */
export type LaunchDescription = UserLaunch;

export function createSystem(launch: LaunchDescription): UserSystem {
  if (launch.kind !== 'user') throw new UserProgramError(`unknown launch kind '${String((launch as { kind: unknown }).kind)}'`);
  if (launch.isa !== 'x86' && launch.isa !== 'mips') throw new UserProgramError(`unknown isa '${String(launch.isa)}' (expected x86 or mips)`);
  return new UserSystem(launch);
}
