// An i386 Linux process on the x86 reference interpreter: the ELF image and initial stack
// (linux/program-image.ts), an X86Cpu, and a run loop that hands `int $0x80` to the Linux
// layer and turns CPU faults into the signals Linux would deliver (no handlers: the process
// ends with 128 + signal, as a shell reports it).
import { PagedMemory } from '../machine/paged-memory';
import type { ElfFile } from '../machine/elf';
import { I386_ABI } from '../linux/i386-abi';
import { startProgram } from '../linux/program-image';
import type { LinuxProcess } from '../linux/process';
import { REG_EAX, REG_EBP, REG_EBX, REG_ECX, REG_EDI, REG_EDX, REG_ESI, REG_ESP, X86Cpu, type X86StopReason } from '../x86/cpu';
import { EmulatorInternalError, hex32 } from './user-program';

/** GDT entries set_thread_area hands out (those of a 64-bit kernel running 32-bit code). */
const TLS_FIRST_ENTRY = 12;
const TLS_ENTRIES = 3;
const RUN_CHUNK = 1 << 22;

export interface X86ProcessOptions {
  elf: ElfFile;
  /** argv[0] first. */
  argv: string[];
  envp?: readonly string[];
  stdin?: Uint8Array;
  stdout: (bytes: Uint8Array) => void;
  stderr: (bytes: Uint8Array) => void;
  diagnostic?: (line: string) => void;
  cwd?: string;
}

/** Why run() returned. */
export type X86ProcessStop =
  | { kind: 'exited'; exitCode: number; message?: string }
  | { kind: 'limit' }
  | { kind: 'breakpoint'; address: number };

export class X86Process {
  readonly memory = new PagedMemory();
  readonly cpu: X86Cpu;
  readonly linux: LinuxProcess;
  readonly elf: ElfFile;
  /** Set when the process has ended. */
  ended: Extract<X86ProcessStop, { kind: 'exited' }> | null = null;
  private readonly tlsEntries = new Set<number>();

  constructor(options: X86ProcessOptions) {
    this.elf = options.elf;
    this.cpu = new X86Cpu(this.memory);
    const cpu = this.cpu;
    const started = startProgram({
      abi: I386_ABI, elf: options.elf, memory: this.memory, argv: options.argv, envp: options.envp,
      stdin: options.stdin, stdout: options.stdout, stderr: options.stderr, diagnostic: options.diagnostic,
      cwd: options.cwd,
      instructions: () => cpu.instructionCount,
      setThreadArea: (args) => this.setThreadArea(args[0] >>> 0),
      onCodeChange: (address, length) => cpu.invalidateCode(address, length),
    });
    this.linux = started.process;
    cpu.eip = started.entry >>> 0;
    cpu.regs[REG_ESP] = started.stackPointer;
  }

  /**
   * Runs at most `limit` instructions (system calls are handled on the way). Returns early on
   * exit (normal or by a fault) or at a breakpoint.
   */
  run(limit: number): X86ProcessStop {
    if (this.ended) return this.ended;
    const cpu = this.cpu;
    const target = cpu.instructionCount + limit;
    while (cpu.instructionCount < target) {
      let stop: X86StopReason;
      try {
        stop = cpu.run(Math.min(RUN_CHUNK, target - cpu.instructionCount));
      } catch (e) {
        throw new EmulatorInternalError(`internal error in the x86 interpreter at eip=${hex32(cpu.eip)}: ${(e as Error).message}`, e);
      }
      switch (stop.kind) {
        case 'limit':
          continue;
        case 'syscall': {
          const r = cpu.regs;
          let result: number;
          try {
            result = this.linux.syscall(r[REG_EAX], [r[REG_EBX], r[REG_ECX], r[REG_EDX], r[REG_ESI], r[REG_EDI], r[REG_EBP]]);
          } catch (e) {
            throw new EmulatorInternalError(`internal error in system call ${r[REG_EAX]} at eip=${hex32(cpu.eip - 2)}: ${(e as Error).message}`, e);
          }
          const exit = this.linux.exit;
          if (exit) return this.end(exit.code, exit.message);
          r[REG_EAX] = result;
          continue;
        }
        case 'breakpoint':
          return { kind: 'breakpoint', address: stop.address };
        case 'halt':
          // hlt is privileged: in user mode it raises #GP, which Linux delivers as SIGSEGV.
          return this.end(139, `segmentation fault: privileged instruction hlt at eip=${hex32(cpu.eip - 1)}`);
        case 'fault':
          return this.end(...this.describeFault(stop));
      }
    }
    return { kind: 'limit' };
  }

  private end(exitCode: number, message?: string): Extract<X86ProcessStop, { kind: 'exited' }> {
    this.ended = message === undefined ? { kind: 'exited', exitCode } : { kind: 'exited', exitCode, message };
    this.linux.release();
    return this.ended;
  }

  private bytesAt(address: number, count: number): string {
    const out: string[] = [];
    for (let i = 0; i < count; i++) {
      try {
        out.push(this.memory.read8((address + i) | 0).toString(16).padStart(2, '0'));
      } catch {
        break;
      }
    }
    return out.join(' ');
  }

  private describeFault(stop: Extract<X86StopReason, { kind: 'fault' }>): [number, string] {
    const eip = hex32(this.cpu.eip);
    const detail = stop.message.replace(/ at eip 0x[0-9a-f]+$/, '');
    switch (stop.fault) {
      case 'page':
        return [139, `segmentation fault at eip=${eip} accessing ${hex32(stop.address ?? 0)}${stop.access === 'execute' ? ' (execute)' : stop.access === 'write' ? ' (write)' : ''}`];
      case 'divide':
        return [136, `divide error at eip=${eip}`];
      case 'invalid-opcode':
        return [132, `invalid instruction at eip=${eip} (bytes ${this.bytesAt(this.cpu.eip, 8)})`];
      case 'unsupported':
        return [132, `${detail} at eip=${eip}`];
      case 'general-protection':
        return [139, `segmentation fault (general protection) at eip=${eip}: ${detail}`];
      case 'int3':
        return [133, `trace/breakpoint trap (int3) at eip=${eip}`];
      case 'interrupt':
        return [139, `segmentation fault: int $0x${(stop.vector ?? 0).toString(16)} at eip=${eip}`];
    }
  }

  /** i386 set_thread_area(struct user_desc *): entry_number, base_addr, limit, flags. */
  private setThreadArea(descAddress: number): number {
    const E = I386_ABI.errno;
    let entry: number;
    let base: number;
    try {
      entry = this.memory.read32(descAddress);
      base = this.memory.read32(descAddress + 4) >>> 0;
    } catch {
      return -E.EFAULT;
    }
    if (entry === -1) {
      entry = -1;
      for (let i = TLS_FIRST_ENTRY; i < TLS_FIRST_ENTRY + TLS_ENTRIES; i++) {
        if (!this.tlsEntries.has(i)) { entry = i; break; }
      }
      if (entry < 0) return -E.ESRCH;
      try {
        this.memory.write32(descAddress, entry);
      } catch {
        return -E.EFAULT;
      }
    } else if (entry < TLS_FIRST_ENTRY || entry >= TLS_FIRST_ENTRY + TLS_ENTRIES) {
      return -E.EINVAL;
    }
    this.tlsEntries.add(entry);
    this.cpu.setDescriptorBase(entry, base);
    return 0;
  }
}
