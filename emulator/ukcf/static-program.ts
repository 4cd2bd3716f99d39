// A static i386 Linux executable run translated on the standalone runtime: the same image and
// initial stack as the reference interpreter's process (linux/program-image.ts), esp in its pinned
// register. `int 0x80` stops the translated code (no syscall glue here) and is served by the
// TypeScript Linux layer, as the reference X86Process serves it (set_thread_area fills the context
// block's TLS table, laid out as USER's glue does); guest faults end the program with
// 128 + signal and the reference's message. The generated o32 syscall glue of `ukcf user` is
// user-space/ (USER); this runner is the oracle-side harness and the tests' path.

import type { ElfFile } from '../machine/elf';
import { PagedMemory } from '../machine/paged-memory';
import { I386_ABI } from '../linux/i386-abi';
import type { LinuxProcess } from '../linux/process';
import { startProgram } from '../linux/program-image';
import { CONTEXT_BASE, UkcfRuntime, type UkcfOptions, type UkcfStop } from './translated-process';
import { CONTEXT_TLS_BASES, CONTEXT_TLS_USED } from './user-space/syscall-glue';

/** GDT entries set_thread_area hands out (those of a 64-bit kernel running 32-bit code). */
const TLS_FIRST_ENTRY = 12;
const TLS_ENTRIES = 3;
const EINVAL = 22;
const EFAULT = 14;
const ESRCH = 3;

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

  /**
   * i386 set_thread_area(struct user_desc *): GDT entries 12..14 as Linux hands them out; the base
   * goes to the context block's TLS table (the translated `mov gs` reads it), as USER's glue does.
   */
  private setThreadArea(desc: number): number {
    const m = this.runtime.memory;
    let entry: number;
    let base: number;
    try {
      entry = m.read32(desc);
      base = m.read32(desc + 4) >>> 0;
      const used = m.read32(CONTEXT_BASE + CONTEXT_TLS_USED);
      if (entry === -1) {
        entry = -1;
        for (let i = 0; i < TLS_ENTRIES; i++) {
          if (!(used & (1 << i))) {
            entry = TLS_FIRST_ENTRY + i;
            break;
          }
        }
        if (entry < 0) return -ESRCH;
        m.write32(desc, entry);
      } else if (entry < TLS_FIRST_ENTRY || entry >= TLS_FIRST_ENTRY + TLS_ENTRIES) return -EINVAL;
      m.write32(CONTEXT_BASE + CONTEXT_TLS_BASES + 4 * (entry - TLS_FIRST_ENTRY), base);
      m.write32(CONTEXT_BASE + CONTEXT_TLS_USED, used | (1 << (entry - TLS_FIRST_ENTRY)));
    } catch {
      return -EFAULT;
    }
    return 0;
  }
}

export function loadStaticProgram(elf: ElfFile, argv: string[], options: StaticProgramOptions = {}): LoadedStaticProgram {
  return new LoadedStaticProgram(elf, argv, options);
}
