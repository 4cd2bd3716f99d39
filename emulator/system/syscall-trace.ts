// The system calls of the user process as the host kernel sees them, recorded without costing a
// single simulated instruction: MIPS breakpoints on the kernel's `exception_dispatch` (entry: the
// trap frame of the call) and `restore_frame` (exit: the same frame with the result), both in
// workloads/kernel. For each call: the o32 number and arguments, the user registers at the call
// (for a translated i386 process s0..s7 hold the guest's eax..edi), the result, and the bytes the
// kernel wrote into user memory (known per call: read's buffer, clock_gettime's timespec, an ioctl
// whose request number says READ...), read through the process's user window.
//
// The host's view (the stats' host system calls, traceSyscalls); the reference replay uses the
// guest's own view instead (guest-syscall-trace.ts).
import { MIPS_O32_ABI } from '../linux/mips-o32-abi';
import { SystemError, type HostSystem } from './host-system';

/** Trap frame layout (workloads/kernel/trap.h): regs[32], hi, lo, then these words (byte offsets). */
export const TRAP_FRAME = { epc: 136, status: 140, cause: 144 } as const;
const KSEG0 = 0x80000000;
const EXC_SYSCALL = 8;
const K0 = 26;

/**
 * At the kernel's `exception_dispatch` (a0 = the trap frame): the frame and the 32 user registers of
 * a system call made in user mode, or null for any other exception.
 */
export function userSyscallAtDispatch(system: HostSystem): { frame: number; registers: Int32Array; epc: number } | null {
  const ram = system.machine.ram;
  const word = (va: number) => ram.read32((va >>> 0) - KSEG0);
  const frame = system.machine.cpu.regs[4] >>> 0;
  const status = word(frame + TRAP_FRAME.status);
  const cause = word(frame + TRAP_FRAME.cause);
  if ((status & 0x18) !== 0x10 || ((cause >>> 2) & 31) !== EXC_SYSCALL) return null;
  const registers = new Int32Array(32);
  for (let r = 1; r < 32; r++) registers[r] = word(frame + 4 * r);
  return { frame, registers, epc: word(frame + TRAP_FRAME.epc) >>> 0 };
}

export interface UserWrite {
  address: number;
  bytes: Uint8Array;
}

export interface TracedSyscall {
  /** o32 number (v0 at the `syscall`). */
  number: number;
  /** Name in the o32 ABI's table, or `sys_N`. */
  name: string;
  /** All 32 user registers at the `syscall` instruction. */
  registers: Int32Array;
  /** Result as the kernel returns it: value, or -errno (o32 errno numbering). null: never returned (exit). */
  result: number | null;
  /** What the kernel wrote into user memory (in order). */
  writes: UserWrite[];
  /** false: a call whose user-memory effects this recorder does not know (a replay must refuse it). */
  effectsKnown: boolean;
}

const O32_NAME = new Map<number, string>(Object.entries(MIPS_O32_ABI.syscallNumbers).map(([name, n]) => [n, name]));
const IOC_READ = 2; // x86-style _IOC direction bits of the /dev/gfx requests (workloads/include/gfx.h)

export class SyscallTrace {
  readonly calls: TracedSyscall[] = [];
  private pending: { frame: number; call: TracedSyscall } | null = null;

  constructor(private readonly system: HostSystem) {
    const ram = system.machine.ram;
    const word = (va: number) => ram.read32((va >>> 0) - KSEG0);
    system.onBreakpoint(system.kernelSymbol('exception_dispatch'), () => {
      const call = userSyscallAtDispatch(system);
      if (call === null) return; // not a user system call
      const { frame, registers } = call;
      const number = registers[2] >>> 0;
      this.pending = { frame, call: { number, name: O32_NAME.get(number) ?? `sys_${number}`, registers, result: null, writes: [], effectsKnown: true } };
      this.calls.push(this.pending.call);
    });
    system.onBreakpoint(system.kernelSymbol('restore_frame'), () => {
      const p = this.pending;
      const cpu = system.machine.cpu;
      if (p === null || (cpu.regs[K0] >>> 0) !== p.frame) return;
      this.pending = null;
      const v0 = word(p.frame + 8);
      const failed = word(p.frame + 28) !== 0;
      p.call.result = failed ? -v0 : v0;
      this.recordWrites(p.call);
    });
  }

  /** Bytes of user memory through the current user window (the process is still mapped). */
  private user(address: number, length: number): Uint8Array {
    const cpu = this.system.machine.cpu;
    const vbase = cpu.readCp0(22, 0) >>> 0;
    const pbase = cpu.readCp0(22, 1) >>> 0;
    const size = cpu.readCp0(22, 2) >>> 0;
    const off = (address >>> 0) - vbase;
    if (off < 0 || length < 0 || off + length > size) throw new SystemError(`system call trace: user range 0x${(address >>> 0).toString(16)}+${length} outside the window`);
    return this.system.machine.ram.readBytes(pbase + off, length);
  }

  private recordWrites(c: TracedSyscall): void {
    const r = c.registers;
    const a0 = r[4] >>> 0, a1 = r[5] >>> 0, a2 = r[6] >>> 0;
    const ok = c.result !== null && c.result >= 0;
    const add = (address: number, length: number) => {
      if (length > 0) c.writes.push({ address, bytes: this.user(address, length) });
    };
    if (!ok) return;
    switch (c.name) {
      case 'read': add(a1, c.result as number); break;
      case 'clock_gettime': add(a1, 8); break;
      case 'gettimeofday': if (a0 !== 0) add(a0, 8); break;
      case 'time': if (a0 !== 0) add(a0, 4); break;
      case 'nanosleep': if (a1 !== 0) add(a1, 8); break;
      case 'uname': add(a0, 390); break;
      case 'ioctl':
        if (((a1 >>> 30) & IOC_READ) !== 0) add(a2, (a1 >>> 16) & 0x3fff);
        break;
      case 'exit': case 'exit_group': case 'write': case 'writev': case 'open': case 'openat': case 'close': case 'lseek':
      case 'brk': case 'mmap2': case 'munmap': case 'getpid': case 'set_thread_area':
        break; // no user memory written
      default:
        c.effectsKnown = false;
    }
  }
}
