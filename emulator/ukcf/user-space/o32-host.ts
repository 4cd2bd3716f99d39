// The host side of a translated user process: what the MIPS o32 Linux kernel does for the
// exceptions the translator's own MIPS code raises. The CPU runs in user mode with exceptionsToHost;
// this module serves
//   Sys                      → the o32 system call (Linux layer with MIPS_O32_ABI: v0 number,
//                              a0-a3 + sp+16/20, result v0 with the a3 error flag)
//   TLBL/TLBS/Mod/AdEL/AdES  → at a pc in the syscall glue's fault table: continue at its fixup
//                              (as a kernel's exception table does for its user accesses)
// and reports every other exception to the caller (a guest fault in translated code, or a bug).

import { syscallNameTable } from '../../linux/abi';
import { I386_ABI } from '../../linux/i386-abi';
import { o32Result, o32SyscallArguments } from '../../linux/mips-o32-abi';
import type { LinuxProcess } from '../../linux/process';
import { ExcCode } from '../../mips/cp0';
import type { MipsCpu, MipsStopReason } from '../../mips/cpu';
import type { EmittedSyscallGlue } from './syscall-glue';

const V0 = 2, A0 = 4, A3 = 7, SP = 29, GUEST_EAX = 16;
const I386_NAMES = syscallNameTable(I386_ABI);

/**
 * The Linux layer's note about an unsupported call, in the guest's terms: the i386 number and name
 * the guest used (the host saw the o32 call the glue made of it).
 */
export function guestDiagnostic(line: string, i386Number: number): string {
  if (!/^ukcf: unsupported system call /.test(line)) return line;
  const name = I386_NAMES.get(i386Number);
  return `ukcf: unsupported system call ${i386Number}${name ? ` (${name})` : ''}: returning -ENOSYS`;
}

export type HostOutcome =
  | { kind: 'continue' }
  | { kind: 'exited' }
  /** Not the host's business: a guest fault in translated code (or a translator bug). */
  | { kind: 'unhandled' };

export class O32Host {
  /** Host system calls served (each guest call is one or two of them). */
  hostSyscalls = 0;
  /** Glue accesses to guest memory that faulted and went to their fixup. */
  fixupsTaken = 0;
  private readonly fixups: EmittedSyscallGlue['faultFixups'];

  constructor(readonly linux: LinuxProcess, readonly cpu: MipsCpu, glue: EmittedSyscallGlue) {
    this.fixups = glue.faultFixups;
  }

  /** The guest's syscall number (eax) while a host call made for it runs. */
  guestSyscallNumber(): number {
    return this.cpu.regs[GUEST_EAX];
  }

  /** Is `pc` inside the glue's guest-memory accesses? Returns the fixup address or -1. */
  fixupFor(pc: number): number {
    for (const f of this.fixups) if (pc >= f.start && pc < f.end) return f.fixup;
    return -1;
  }

  handle(stop: Extract<MipsStopReason, { kind: 'exception' }>): HostOutcome {
    const cpu = this.cpu;
    const regs = cpu.regs;
    switch (stop.code) {
      case ExcCode.Sys: {
        this.hostSyscalls++;
        const nr = regs[V0];
        const args = o32SyscallArguments(regs[A0], regs[A0 + 1], regs[A0 + 2], regs[A3], regs[SP], this.linux.memory);
        const value = this.linux.syscall(nr, args);
        if (this.linux.exit !== null) return { kind: 'exited' };
        const r = o32Result(value);
        regs[V0] = r.v0;
        regs[A3] = r.a3;
        cpu.skipInstruction();
        return { kind: 'continue' };
      }
      case ExcCode.TLBL:
      case ExcCode.TLBS:
      case ExcCode.Mod:
      case ExcCode.AdEL:
      case ExcCode.AdES: {
        const fixup = stop.inDelaySlot ? -1 : this.fixupFor(stop.pc);
        if (fixup < 0) return { kind: 'unhandled' };
        this.fixupsTaken++;
        cpu.pc = fixup;
        cpu.inDelaySlot = false;
        return { kind: 'continue' };
      }
      default:
        return { kind: 'unhandled' };
    }
  }
}
