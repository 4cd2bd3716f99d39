// Runs a static mipsel (o32) Linux executable on the MIPS simulator with the system calls
// emulated by the ISA-neutral Linux layer: the MIPS wiring of runUserProgram.
//
// The CPU runs in user mode with exceptionsToHost: every exception ends run() with the state
// precise at the faulting instruction, and this module does what the Linux kernel would:
//   Sys             → the o32 system call (number in v0, a0-a3 + sp+16.., v0/a3 result)
//   CpU, CE=1       → the FPU emulator (a 24Kc has no FPU; Linux's math-emu stands in). Only the
//                     data moves glibc performs (lwc1/swc1/ldc1/sdc1, mfc1/mtc1/mfhc1/mthc1,
//                     cfc1/ctc1, mov.fmt) are emulated; other FPU arithmetic is reported.
//   RI on rdhwr $29 → UserLocal (the thread pointer set by set_thread_area), as Linux emulates it
//   Tr, Bp          → SIGTRAP (qemu-mipsel's choice also for the divide-by-zero/overflow codes)
//   Ov              → SIGFPE
//   AdEL/AdES       → SIGBUS for a misaligned user address, SIGSEGV for a kernel address
//   TLBL/TLBS/Mod   → SIGSEGV
//   RI, CpU (CE≠1)  → SIGILL
// Exit statuses are the shell's: 128 + signal number.
// One knowing difference from a real kernel: returning from a handled exception does not clear
// the LL link (Linux's eret does), as in qemu-user, so an SC after a system call can succeed.

import type { ElfFile } from '../machine/elf';
import { MemoryFault, PagedMemory } from '../machine/paged-memory';
import { MIPS_O32_ABI, o32Result, o32SyscallArguments } from '../linux/mips-o32-abi';
import { startProgram } from '../linux/program-image';
import type { LinuxProcess } from '../linux/process';
import { MipsCpu, type MipsStopReason } from '../mips/cpu';
import { ExcCode, exceptionName } from '../mips/cp0';
import { decodeForExecution } from '../mips/decoder';
import { disassembleWord } from '../mips/disassembler';
import { EmulatorInternalError, hex32 } from './user-program';

const SIGILL = 4;
const SIGTRAP = 5;
const SIGBUS = 7;
const SIGFPE = 8;
const SIGSEGV = 11;

const REG_V0 = 2;
const REG_A0 = 4;
const REG_A3 = 7;
const REG_SP = 29;

/** FCSR bits a write keeps (a 24Kf's, as qemu-mipsel models it: FCC, FS, cause, enables, flags, RM). */
const FCSR_WRITABLE = 0xff83ffff | 0;
/** FIR of a 24Kf: has W, L, D, S formats; implementation 0x93. */
const FIR_VALUE = 0x00739300;

/** The o32 FPU state Linux keeps per thread (FR=0: a double lives in an even/odd pair). */
class FpuEmulator {
  readonly fpr = new Int32Array(32);
  fcsr = 0;

  /** Emulates one COP1 instruction; returns false when it is not one this emulator knows. */
  execute(word: number, regs: Int32Array, memory: PagedMemory, fault: (signal: number, address: number) => void): boolean {
    const opcode = word >>> 26;
    const base = (word >>> 21) & 31;
    const ft = (word >>> 16) & 31;
    const address = (regs[base] + ((word << 16) >> 16)) | 0;
    const aligned = (size: number) => {
      if ((address & (size - 1)) === 0) return true;
      fault(SIGBUS, address);
      return false;
    };
    const guarded = (action: () => void) => {
      try {
        action();
      } catch (e) {
        if (!(e instanceof MemoryFault)) throw e;
        fault(SIGSEGV, e.address);
      }
    };
    switch (opcode) {
      case 0x31: // lwc1
        if (aligned(4)) guarded(() => (this.fpr[ft] = memory.read32(address)));
        return true;
      case 0x39: // swc1
        if (aligned(4)) guarded(() => memory.write32(address, this.fpr[ft]));
        return true;
      case 0x35: // ldc1
        if (aligned(8)) guarded(() => {
          const lo = memory.read32(address);
          const hi = memory.read32((address + 4) | 0);
          this.fpr[ft & ~1] = lo;
          this.fpr[ft | 1] = hi;
        });
        return true;
      case 0x3d: // sdc1
        if (aligned(8)) guarded(() => {
          memory.checkWrite(address, 8);
          memory.write32(address, this.fpr[ft & ~1]);
          memory.write32((address + 4) | 0, this.fpr[ft | 1]);
        });
        return true;
      case 0x11:
        return this.cop1(word, regs, fault);
      default:
        return false;
    }
  }

  private cop1(word: number, regs: Int32Array, fault: (signal: number, address: number) => void): boolean {
    const fmt = (word >>> 21) & 31;
    const rt = (word >>> 16) & 31;
    const fs = (word >>> 11) & 31;
    const fd = (word >>> 6) & 31;
    const setGpr = (v: number) => {
      if (rt !== 0) regs[rt] = v;
    };
    if ((word & 0x7ff) === 0) {
      switch (fmt) {
        case 0x00: setGpr(this.fpr[fs]); return true; // mfc1
        case 0x04: this.fpr[fs] = regs[rt]; return true; // mtc1
        case 0x03: setGpr(this.fpr[fs | 1]); return true; // mfhc1
        case 0x07: this.fpr[fs | 1] = regs[rt]; return true; // mthc1
        case 0x02: // cfc1
          if (fs === 31) setGpr(this.fcsr);
          else if (fs === 0) setGpr(FIR_VALUE);
          else return false;
          return true;
        case 0x06: // ctc1
          if (fs !== 31) return false;
          this.fcsr = regs[rt] & FCSR_WRITABLE;
          // A cause bit whose exception is enabled (or Unimplemented) traps at once: SIGFPE.
          if (((this.fcsr >>> 12) & (this.fcsr >>> 7) & 0x1f) !== 0 || this.fcsr & (1 << 17)) fault(SIGFPE, 0);
          return true;
      }
    }
    const funct = word & 0x3f;
    if (funct === 0x06 && rt === 0 && (fmt === 0x10 || fmt === 0x11)) {
      // mov.s / mov.d
      this.fpr[fd] = this.fpr[fs];
      if (fmt === 0x11) this.fpr[fd | 1] = this.fpr[fs | 1];
      return true;
    }
    return false;
  }
}

const RUN_CHUNK = 1 << 22;

export interface MipsProcessOptions {
  elf: ElfFile;
  /** argv[0] first. */
  argv: string[];
  envp?: readonly string[];
  stdin?: Uint8Array;
  stdout: (bytes: Uint8Array) => void;
  stderr: (bytes: Uint8Array) => void;
  diagnostic?: (line: string) => void;
  cwd?: string;
  /** The CPU's block compiler (default on); off = the interpreter alone. */
  blockCompiler?: boolean;
}

/** Why run() returned. */
export type MipsProcessStop =
  | { kind: 'exited'; exitCode: number; message?: string }
  | { kind: 'limit' }
  | { kind: 'breakpoint'; address: number };

/** A mipsel o32 Linux process on the MIPS simulator (user mode, exceptions handled here). */
export class MipsProcess {
  readonly memory = new PagedMemory();
  readonly cpu: MipsCpu;
  readonly linux: LinuxProcess;
  readonly elf: ElfFile;
  readonly fpu = new FpuEmulator();
  /** UserLocal, the thread pointer set_thread_area sets and rdhwr $29 reads. */
  userLocal = 0;
  ended: Extract<MipsProcessStop, { kind: 'exited' }> | null = null;

  constructor(options: MipsProcessOptions) {
    this.elf = options.elf;
    let cpu: MipsCpu | null = null;
    const started = startProgram({
      abi: MIPS_O32_ABI,
      elf: options.elf,
      memory: this.memory,
      argv: options.argv,
      envp: options.envp,
      stdin: options.stdin,
      stdout: options.stdout,
      stderr: options.stderr,
      diagnostic: options.diagnostic,
      cwd: options.cwd,
      instructions: () => (cpu === null ? 0 : cpu.instructionCount),
      setThreadArea: (args) => {
        this.userLocal = args[0] | 0;
        return 0;
      },
    });
    this.linux = started.process;
    cpu = new MipsCpu(this.memory, { exceptionsToHost: true, userMode: true, blockCompiler: options.blockCompiler });
    this.cpu = cpu;
    // Linux on a MIPS32r2 core lets user mode read CPUNum, SYNCI_Step, CC and CCRes directly;
    // UserLocal only when the core has the register, which a 24Kc lacks (rdhwr $29 traps: see RI).
    cpu.hwrEna = 0xf;
    cpu.regs[REG_SP] = started.stackPointer | 0;
    cpu.pc = started.entry >>> 0;
  }

  /**
   * Runs at most `limit` instructions (system calls and emulated instructions are handled on
   * the way). Returns early on exit (normal or by a signal) or at a breakpoint.
   */
  run(limit: number): MipsProcessStop {
    if (this.ended) return this.ended;
    const cpu = this.cpu;
    const target = cpu.instructionCount + limit;
    while (cpu.instructionCount < target) {
      let stop: MipsStopReason;
      try {
        stop = cpu.run(Math.min(RUN_CHUNK, target - cpu.instructionCount));
      } catch (e) {
        throw new EmulatorInternalError(`internal error in the MIPS simulator at pc=${hex32(cpu.pc)}: ${(e as Error).message}`, e);
      }
      switch (stop.kind) {
        case 'limit':
          continue;
        case 'breakpoint':
          return { kind: 'breakpoint', address: stop.pc };
        case 'idle':
          return this.end(128 + SIGILL, `wait instruction in user mode at pc=${hex32(cpu.pc)}`);
        case 'stopped':
          return this.end(128 + SIGILL, `the simulator stopped at pc=${hex32(cpu.pc)}: ${stop.reason}`);
        case 'exception': {
          const ended = this.exception(stop);
          if (ended !== null) return ended;
        }
      }
    }
    return { kind: 'limit' };
  }

  private end(exitCode: number, message?: string): Extract<MipsProcessStop, { kind: 'exited' }> {
    this.ended = message === undefined ? { kind: 'exited', exitCode } : { kind: 'exited', exitCode, message };
    this.linux.release();
    return this.ended;
  }

  private killed(signal: number, what: string): Extract<MipsProcessStop, { kind: 'exited' }> {
    return this.end(128 + signal, what);
  }

  /** Handles one exception as Linux would; returns the end of the process, or null to go on. */
  private exception(stop: Extract<MipsStopReason, { kind: 'exception' }>): Extract<MipsProcessStop, { kind: 'exited' }> | null {
    const cpu = this.cpu;
    const regs = cpu.regs;
    const pc = stop.pc;
    const where = `pc=${hex32(pc)}${stop.inDelaySlot ? ' (delay slot)' : ''}`;
    switch (stop.code) {
      case ExcCode.Sys: {
        const nr = regs[REG_V0];
        const args = o32SyscallArguments(regs[REG_A0], regs[REG_A0 + 1], regs[REG_A0 + 2], regs[REG_A3], regs[REG_SP], this.memory);
        let value: number;
        try {
          value = this.linux.syscall(nr, args);
        } catch (e) {
          throw new EmulatorInternalError(`internal error in system call ${nr} at pc=${hex32(pc)}: ${(e as Error).message}`, e);
        }
        const exit = this.linux.exit;
        if (exit !== null) return this.end(exit.code, exit.message);
        const r = o32Result(value);
        regs[REG_V0] = r.v0;
        regs[REG_A3] = r.a3;
        cpu.skipInstruction();
        return null;
      }
      case ExcCode.RI: {
        const word = this.memory.read32(pc);
        // rdhwr rt, $29 (UserLocal): a 24Kc has no UserLocal register; Linux emulates the read.
        if ((word & 0xffe0ffff) === 0x7c00e83b) {
          const rt = (word >>> 16) & 31;
          if (rt !== 0) regs[rt] = this.userLocal;
          cpu.skipInstruction();
          return null;
        }
        return this.killed(SIGILL, `illegal instruction ${describe(word, pc)} at ${where}`);
      }
      case ExcCode.CpU: {
        const word = this.memory.read32(pc);
        if (stop.coprocessor !== 1) return this.killed(SIGILL, `privileged instruction ${describe(word, pc)} at ${where}`);
        let fault: { signal: number; address: number } | null = null;
        const known = this.fpu.execute(word, regs, this.memory, (signal, address) => (fault = { signal, address }));
        if (!known) return this.killed(SIGILL, `FPU instruction ${describe(word, pc)} at ${where} is not emulated (no FPU here; only FPU loads, stores and moves are emulated)`);
        if (fault !== null) {
          const f: { signal: number; address: number } = fault;
          if (f.signal === SIGFPE) return this.killed(SIGFPE, `floating-point exception (${describe(word, pc)} set an enabled cause bit) at ${where}`);
          return this.killed(f.signal, `${f.signal === SIGBUS ? 'bus error (misaligned FPU access)' : 'segmentation fault'} at ${where} accessing ${hex32(f.address)}`);
        }
        cpu.skipInstruction();
        return null;
      }
      case ExcCode.Tr:
        return this.killed(SIGTRAP, `trap (${describe(this.memory.read32(pc), pc)}) at ${where}`);
      case ExcCode.Bp:
        return this.killed(SIGTRAP, `break (${describe(this.memory.read32(pc), pc)}) at ${where}`);
      case ExcCode.Ov:
        return this.killed(SIGFPE, `integer overflow (${describe(this.memory.read32(pc), pc)}) at ${where}`);
      case ExcCode.AdEL:
      case ExcCode.AdES: {
        const address = stop.badVAddr ?? pc;
        const access = stop.code === ExcCode.AdES ? 'writing' : address === pc ? 'fetching' : 'reading';
        if (address >>> 0 >= 0x80000000) return this.killed(SIGSEGV, `segmentation fault at ${where} ${access} kernel address ${hex32(address)}`);
        return this.killed(SIGBUS, `bus error at ${where}: misaligned address ${hex32(address)} (${access})`);
      }
      case ExcCode.TLBL:
      case ExcCode.TLBS:
      case ExcCode.Mod: {
        const address = stop.badVAddr ?? pc;
        const access = stop.code === ExcCode.TLBL ? (address === pc ? 'fetching' : 'reading') : 'writing';
        return this.killed(SIGSEGV, `segmentation fault at ${where} ${access} ${hex32(address)}${stop.code === ExcCode.Mod ? ' (read-only)' : ''}`);
      }
      default:
        return this.killed(SIGILL, `unexpected ${exceptionName(stop.code)} exception at ${where}`);
    }
  }
}

function describe(word: number, address: number): string {
  const text = decodeForExecution(word) === null ? 'reserved' : disassembleWord(word, address);
  return `${hex32(word)} (${text})`;
}
