// A static i386 Linux executable run translated on the standalone runtime: the same image and
// initial stack as the reference interpreter's process (linux/program-image.ts), esp in its pinned
// register. `int 0x80` stops the translated code (no syscall glue here) and is served by the
// TypeScript Linux layer, as the reference X86Process serves it; guest faults end the program with
// 128 + signal and the reference's message. The generated o32 syscall glue of `ukcf user` is
// user-space/ (USER); this runner is the oracle-side harness and the tests' path.

import type { ElfFile } from '../machine/elf';
import { PagedMemory } from '../machine/paged-memory';
import { I386_ABI } from '../linux/i386-abi';
import type { LinuxProcess } from '../linux/process';
import { startProgram } from '../linux/program-image';
import { CONTEXT_BASE, UkcfRuntime, type UkcfOptions, type UkcfStop } from './translated-process';

/** GDT entries set_thread_area hands out on Linux i386 (the first TLS entry of a 64-bit kernel's table). */
const TLS_ENTRY = 12;
const EINVAL = 22;
const EFAULT = 14;

export type StaticProgramStop =
  | Exclude<UkcfStop, { kind: 'syscall' } | { kind: 'fault' }>
  /** Exit (exit_group, a fatal signal, a guest fault: 128 + signal) with the reference's message. */
  | { kind: 'exited'; exitCode: number; message?: string }
  /** An internal error of the translated code (not a guest fault). */
  | Extract<UkcfStop, { kind: 'fault' }>;

export interface StaticProgramOptions extends UkcfOptions {
  stdin?: Uint8Array;
  stdout?: (bytes: Uint8Array) => void;
  stderr?: (bytes: Uint8Array) => void;
  envp?: readonly string[];
}

export class LoadedStaticProgram {
  readonly runtime: UkcfRuntime;
  readonly linux: LinuxProcess;
  readonly entry: number;
  readonly stackPointer: number;
  ended: Extract<StaticProgramStop, { kind: 'exited' }> | null = null;

  constructor(elf: ElfFile, argv: string[], options: StaticProgramOptions = {}) {
    const memory = new PagedMemory();
    let runtime: UkcfRuntime | null = null;
    const started = startProgram({
      abi: I386_ABI, elf, memory, argv, envp: options.envp, stdin: options.stdin,
      stdout: options.stdout ?? (() => {}), stderr: options.stderr ?? (() => {}),
      instructions: () => (runtime === null ? 0 : runtime.cpu.instructionCount),
      setThreadArea: (args) => this.setThreadArea(args[0] >>> 0),
      onCodeChange: (address, length) => {
        if (runtime !== null && length > 0) runtime.invalidateGuestPages(address >>> 12, ((address + length - 1) >>> 12) - (address >>> 12) + 1);
      },
    });
    runtime = new UkcfRuntime(memory, started.entry, options);
    runtime.setGuestRegister(4, started.stackPointer);
    this.runtime = runtime;
    this.linux = started.process;
    this.entry = started.entry;
    this.stackPointer = started.stackPointer;
  }

  get memory(): PagedMemory {
    return this.runtime.memory;
  }

  /** Serves the system call the runtime stopped at (eax = number, ebx.. = arguments); true when the program exited. */
  serviceSyscall(): boolean {
    return this.serve() !== null;
  }

  private serve(): Extract<StaticProgramStop, { kind: 'exited' }> | null {
    const rt = this.runtime;
    const r = rt.guestRegisters();
    const result = this.linux.syscall(r[0], [r[3], r[1], r[2], r[6], r[7], r[5]]);
    const exit = this.linux.exit;
    if (exit) return this.end(exit.code, exit.message);
    rt.setGuestRegister(0, result);
    return null;
  }

  /** Runs at most about `limit` host instructions, serving system calls on the way. */
  run(limit: number): StaticProgramStop {
    if (this.ended !== null) return this.ended;
    const rt = this.runtime;
    const stopAt = rt.cpu.instructionCount + limit;
    for (;;) {
      const stop = rt.run(Math.max(0, stopAt - rt.cpu.instructionCount));
      if (stop.kind === 'syscall') {
        const exited = this.serve();
        if (exited !== null) return exited;
        continue;
      }
      if (stop.kind === 'fault' && stop.fault !== 'internal') return this.end(128 + stop.signal, stop.message);
      return stop;
    }
  }

  private end(exitCode: number, message?: string): Extract<StaticProgramStop, { kind: 'exited' }> {
    this.ended = message === undefined ? { kind: 'exited', exitCode } : { kind: 'exited', exitCode, message };
    this.linux.release();
    return this.ended;
  }

  /** i386 set_thread_area(struct user_desc *): one TLS entry; its base is the context block's %gs base. */
  private setThreadArea(desc: number): number {
    const m = this.runtime.memory;
    let entry: number;
    let base: number;
    try {
      entry = m.read32(desc);
      base = m.read32(desc + 4) >>> 0;
      if (entry === -1) {
        entry = TLS_ENTRY;
        m.write32(desc, entry);
      }
    } catch {
      return -EFAULT;
    }
    if (entry !== TLS_ENTRY) return -EINVAL;
    m.write32(CONTEXT_BASE, base);
    return 0;
  }
}

export function loadStaticProgram(elf: ElfFile, argv: string[], options: StaticProgramOptions = {}): LoadedStaticProgram {
  return new LoadedStaticProgram(elf, argv, options);
}
