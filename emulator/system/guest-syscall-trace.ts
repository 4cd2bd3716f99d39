// The i386 process's own system calls, as the guest makes them (`int 0x80`) and sees their
// effects, recorded at the user-space translator's syscall glue without costing a simulated
// instruction: MIPS breakpoints on the glue's entry (guest eax..edi pinned in s0..s7, v0 = the
// guest eip after the int) and on its one way out (`returnJump`: s0 = the result eax). Between the
// two, every store into the guest's part of the window is collected (WindowCodeMemory's
// recording), whoever makes it: the host kernel's system call, the glue's structure conversions.
// So any call the glue supports is recorded with its exact effects — including the calls the glue
// answers without the kernel (set_thread_area, -EFAULT of a bad pointer) — and no list of what each
// call writes is needed. The guest's other input from outside is the time: each rdtsc's EDX:EAX
// (the translated run's simulated time, hypercall 7) is recorded with its eip, in order. The
// reference replay (reference-replay.ts) feeds all of these to the x86 reference interpreter.
import { syscallNameTable } from '../linux/abi';
import { I386_ABI } from '../linux/i386-abi';
import type { HostSystem } from './host-system';
import type { StartedUserProcess } from './ukcf-user-translator';

const I386_NAMES = syscallNameTable(I386_ABI);
const S0 = 16, V0 = 2;

export interface GuestMemoryWrite {
  address: number;
  bytes: Uint8Array;
}

export interface GuestSyscall {
  /** i386 number (eax at the `int 0x80`) and its name in the i386 ABI table (`syscall_N` if none). */
  number: number;
  name: string;
  /** eax..edi at the `int 0x80`. */
  registers: Int32Array;
  /** Guest eip after the `int 0x80`. */
  eip: number;
  /** eax after the call (value or -errno, i386 numbering); null: never returned (exit, or killed inside). */
  result: number | null;
  /** The guest memory the call changed: merged byte ranges stored to, with their bytes after the call. */
  writes: GuestMemoryWrite[];
}

/** One time-stamp read (rdtsc) of the translated run. */
export interface GuestTimeStamp {
  /** Guest eip of the rdtsc. */
  eip: number;
  /** EDX:EAX it gave (the MIPS CPU's simulated cycles at that point). */
  value: number;
  /** System calls made before it. */
  afterCalls: number;
}

export class GuestSyscallTrace {
  readonly calls: GuestSyscall[] = [];
  readonly timeStamps: GuestTimeStamp[] = [];

  constructor(private readonly system: HostSystem) {}

  /** The translator's onTimeStamp. */
  recordTimeStamp(eip: number, value: number): void {
    this.timeStamps.push({ eip: eip >>> 0, value, afterCalls: this.calls.length });
  }

  /** The translator's onStart: breakpoints on this process's glue. */
  attach(p: StartedUserProcess): void {
    const system = this.system;
    const regs = system.machine.cpu.regs;
    const guestFrom = p.start.vbase, guestTo = p.start.areaBase;
    let pending: GuestSyscall | null = null;
    system.onBreakpoint(p.glue.entry, () => {
      const number = regs[S0] >>> 0;
      pending = { number, name: I386_NAMES.get(number) ?? `syscall_${number}`, registers: Int32Array.from(regs.subarray(S0, S0 + 8)), eip: regs[V0] >>> 0, result: null, writes: [] };
      this.calls.push(pending);
      p.code.startRecordingWrites(guestFrom, guestTo);
    });
    system.onBreakpoint(p.glue.returnJump, () => {
      if (pending === null) return;
      pending.result = regs[S0] | 0;
      pending.writes = p.code.stopRecordingWrites();
      pending = null;
    });
  }
}
