// The kernel side of the user-space translator in the whole system: the three UKCF_USER_*
// hypercalls the host kernel makes for an i386 process (workloads/kernel/kernel.h), decoded
// here and handed to whatever translator is attached (a `UserTranslator`).
//
//   0x20 UKCF_USER_START     a0 = struct ukcf_user_start * (kseg0), a1 = the first trap frame;
//                            the translator says where and with which registers the process
//                            enters its translated code; written into the frame; v0 = 0 / -errno;
//                            its fault fixups go into the kernel's table (fixups, fixup_count),
//                            the part of its area no system call may touch into protect_end
//   0x21 UKCF_USER_EXIT      a0 = pid, a1 = exit status
//   0x22 UKCF_USER_GUEST_EIP a0 = user pc; v0 = guest eip of the translation holding it, or -1
//   0x23 UKCF_USER_GUEST_ACCESS a0 = user pc (epc), a1 = BadVAddr, a2 = Cause of a memory exception
//                            there; v0 = the guest address (first byte the guest access could not
//                            reach), v1 = 1 for a guest write
import type { MipsCpu } from '../mips/cpu';
import { SystemError, type HostSystem } from './host-system';
import { TRAP_FRAME } from './syscall-trace';

export const HYPERCALL_USER_START = 0x20;
export const HYPERCALL_USER_EXIT = 0x21;
export const HYPERCALL_USER_GUEST_EIP = 0x22;
export const HYPERCALL_USER_GUEST_ACCESS = 0x23;

const KSEG0 = 0x80000000;
const ENOEXEC = 8;
const START_WORDS = 11;
/** struct ukcf_user_start's fixup_count (word index): the translator's answer. */
const START_FIXUP_COUNT = 11;
/** struct ukcf_user_start's protect_end (word index): the translator's answer. */
const START_PROTECT_END = 12;

/** struct ukcf_user_start, as the kernel filled it. */
export interface UserProcessStart {
  pid: number;
  /** Guest eip of the program's entry. */
  entry: number;
  /** Guest esp: argc, argv, envp, auxv. */
  esp: number;
  /** The area the kernel reserved for the translator (user-accessible, never handed out by brk/mmap). */
  areaBase: number;
  areaSize: number;
  /** The process's user window [vbase, vend) (kuseg, mapped onto RAM at windowPhys). */
  vbase: number;
  vend: number;
  windowPhys: number;
  imageLow: number;
  brkStart: number;
  /** The kernel's table for the translator's fault fixups (kseg0 address of struct ukcf_fixup[fixupMax]; 0 = none). */
  fixupTable: number;
  fixupMax: number;
}

/** A user fault at a pc in [start, end) continues at `fixup` (the kernel's exception-table lookup). */
export interface UserFaultFixup {
  start: number;
  end: number;
  fixup: number;
}

/** Where the process enters translated code: user pc and the initial values of some registers (others 0). */
export interface TranslatedEntry {
  pc: number;
  registers: { reg: number; value: number }[];
  /** Fault fixups the kernel applies to this process (its system-call glue's guest-memory accesses). */
  faultFixups?: readonly UserFaultFixup[];
  /** [areaBase, protectedEnd) is no system call's memory: the kernel answers -EFAULT for a pointer there. */
  protectedEnd?: number;
}

export interface UserTranslator {
  /** A new i386 process: prepare its translated execution, or say why not (thrown Error: refused with -ENOEXEC). */
  start(process: UserProcessStart, cpu: MipsCpu): TranslatedEntry;
  exit(pid: number, status: number): void;
  /** Guest eip whose translation holds user pc, or -1. */
  guestEip(pc: number): number;
  /**
   * The guest's side of a memory exception at user pc (cause: CP0 Cause; BD set: the instruction at
   * pc + 4): the first guest byte not reachable and whether the guest wrote. Absent: BadVAddr as it is.
   */
  guestAccess?(pc: number, badVAddr: number, cause: number): { address: number; write: boolean };
}

/** Installs the hypercall handlers of `translator` on the system's machine (the kernel must be told: BOOT_UKCF_USER). */
export function attachUserTranslator(system: HostSystem, translator: UserTranslator): void {
  const m = system.machine;
  const ram = m.ram;
  const kernelWord = (va: number): number => {
    const phys = (va >>> 0) - KSEG0;
    if (phys < 0 || phys + 4 > ram.size) throw new SystemError(`UKCF_USER hypercall: kernel pointer 0x${(va >>> 0).toString(16)} outside RAM`);
    return ram.read32(phys) >>> 0;
  };
  m.hypercalls.set(HYPERCALL_USER_START, (cpu) => {
    const at = cpu.regs[4] >>> 0;
    const frame = cpu.regs[5] >>> 0;
    const w: number[] = [];
    for (let i = 0; i < START_WORDS; i++) w.push(kernelWord(at + 4 * i));
    const window = cpu.readCp0(22, 1) >>> 0;
    const start: UserProcessStart = {
      pid: w[0], entry: w[1], esp: w[2], areaBase: w[3], areaSize: w[4], vbase: w[5], vend: w[6], imageLow: w[7], brkStart: w[8],
      fixupTable: w[9], fixupMax: w[10], windowPhys: window,
    };
    let entry: TranslatedEntry;
    try {
      entry = translator.start(start, cpu);
    } catch (e) {
      if (e instanceof SystemError) throw e;
      system.abort(`UKCF user-space translator cannot start pid ${start.pid}: ${(e as Error).message}`);
      cpu.regs[2] = -ENOEXEC;
      return;
    }
    for (let r = 1; r < 32; r++) ram.write32(frame - KSEG0 + 4 * r, 0);
    for (const { reg, value } of entry.registers) ram.write32(frame - KSEG0 + 4 * reg, value);
    ram.write32(frame - KSEG0 + TRAP_FRAME.epc, entry.pc);
    const fixups = entry.faultFixups ?? [];
    if (fixups.length > 0) {
      // The kernel's table (it set fixup_count to 0; nothing is written without fixups).
      const table = start.fixupTable - KSEG0;
      if (fixups.length > start.fixupMax || table < 0 || table + 12 * fixups.length > ram.size) {
        throw new SystemError(`UKCF user-space translator: ${fixups.length} fault fixups, the kernel's table at 0x${(start.fixupTable >>> 0).toString(16)} holds ${start.fixupMax}`);
      }
      fixups.forEach((f, i) => {
        ram.write32(table + 12 * i, f.start);
        ram.write32(table + 12 * i + 4, f.end);
        ram.write32(table + 12 * i + 8, f.fixup);
      });
      ram.write32(at - KSEG0 + 4 * START_FIXUP_COUNT, fixups.length);
    }
    if (entry.protectedEnd !== undefined) ram.write32(at - KSEG0 + 4 * START_PROTECT_END, entry.protectedEnd);
    cpu.regs[2] = 0;
  });
  m.hypercalls.set(HYPERCALL_USER_EXIT, (cpu) => {
    translator.exit(cpu.regs[4] >>> 0, cpu.regs[5] | 0);
  });
  m.hypercalls.set(HYPERCALL_USER_GUEST_EIP, (cpu) => {
    cpu.regs[2] = translator.guestEip(cpu.regs[4] >>> 0) | 0;
  });
  m.hypercalls.set(HYPERCALL_USER_GUEST_ACCESS, (cpu) => {
    const [pc, badVAddr, cause] = [cpu.regs[4] >>> 0, cpu.regs[5] >>> 0, cpu.regs[6] | 0];
    const code = (cause >>> 2) & 31;
    const access = translator.guestAccess?.(pc, badVAddr, cause) ?? { address: badVAddr, write: code === 1 || code === 3 || code === 5 };
    cpu.regs[2] = access.address | 0;
    cpu.regs[3] = access.write ? 1 : 0;
  });
}
