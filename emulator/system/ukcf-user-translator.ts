// The UKCF user-space translator attached to the whole system: for the i386 process the kernel
// starts (UKCF_USER_START), a translation runtime (emulator/ukcf/translated-process.ts) on the
// machine's own MIPS CPU, its code cache, lookup table, context block and host stack laid out in
// the area the kernel reserved at the top of the process's window, guest code read through the
// window's RAM pages, hypercalls through MipsMachine.hypercalls, and USER's generated system-call
// glue (emulator/ukcf/user-space/syscall-glue.ts) turning `int 0x80` into o32 `syscall`s to the
// host kernel. The process runs in user mode; the kernel sees an ordinary process.
//
// Area layout (4 KiB pages, top down): host stack 64 KiB | context block + glue data (one page) |
// lookup table (4096 entries, 32 KiB) | block entry counters 64 KiB (only with countGuestInstructions)
// | code cache (the rest, ~3.8 MiB: entry/dispatch/flags/syscall glue, block bodies, exit stubs).
import type { MipsCpu } from '../mips/cpu';
import { SystemAddressSpace } from '../mips/address-space';
import { GPR } from '../mips/encoder';
import { ExcCode } from '../mips/cp0';
import { UkcfRuntime, USER_HYPERCALLS, type UkcfEnvironment, type UkcfEvent, type UkcfLayout, type UkcfStatistics } from '../ukcf/translated-process';
import { guestAccess, guestRegister } from '../ukcf/mips-back-end';
import { emitSyscallGlue, GLUE_DATA_BYTES, GLUE_FRAME_BYTES, type EmittedSyscallGlue } from '../ukcf/user-space/syscall-glue';
import { SystemError, type HostSystem } from './host-system';
import type { TranslatedEntry, UserProcessStart, UserTranslator } from './user-translator-port';
import { WindowCodeMemory } from './window-code-memory';
import type { GuestImage } from './reference-replay';

const HOST_STACK_BYTES = 64 * 1024;
const CONTEXT_PAGE = 4096;
const GLUE_DATA_OFFSET = 2048;
const TABLE_ENTRIES = 4096;
const COUNTER_BYTES = 64 * 1024;
const MIN_CACHE_BYTES = 64 * 1024;
if (GLUE_FRAME_BYTES > 4096) throw new Error('the syscall glue\'s frame must fit the host stack\'s top page');

export interface AreaLayout extends UkcfLayout {
  glueDataBase: number;
}

/** Where the runtime's parts go in the kernel's reserved area [base, base + size). */
export function areaLayout(base: number, size: number, counters: boolean): AreaLayout {
  const end = base + size;
  const contextBase = end - HOST_STACK_BYTES - CONTEXT_PAGE;
  const tableBase = contextBase - TABLE_ENTRIES * 8;
  const countersBase = counters ? tableBase - COUNTER_BYTES : tableBase;
  if ((base & 0xfff) !== 0 || (size & 0xfff) !== 0 || countersBase - base < MIN_CACHE_BYTES) {
    throw new SystemError(`the UKCF area 0x${base.toString(16)}+0x${size.toString(16)} is misaligned or too small`);
  }
  if (GLUE_DATA_OFFSET + GLUE_DATA_BYTES > CONTEXT_PAGE) throw new SystemError('syscall glue data does not fit the context page');
  return {
    cacheBase: base, cacheBytes: countersBase - base, tableBase, tableEntries: TABLE_ENTRIES, contextBase,
    hostStackTop: end, glueDataBase: contextBase + GLUE_DATA_OFFSET,
    ...(counters ? { counters: { base: countersBase, bytes: COUNTER_BYTES } } : {}),
  };
}

/** What the stats report about the user-space translation of one run. */
export interface UserTranslationReport {
  pid: number;
  exitStatus: number | null;
  layout: AreaLayout;
  statistics: UkcfStatistics;
  /** Host instructions spent on block entry counters (countGuestInstructions), inside the code region's count. */
  countingOverhead: number;
  /** The guest fault the process was killed for (as the kernel reported it), or null. */
  fault: GuestFault | null;
}

export interface UkcfUserTranslatorOptions {
  /** Exact dynamic guest counts from block entry counters (4 host instructions per block entry). */
  countGuestInstructions?: boolean;
  /** Also told every runtime event (the debugger's session: blocks translated, chains, flushes). */
  onEvent?: (e: UkcfEvent) => void;
  /** Told once the process's runtime and glue exist, before it runs (the guest system-call trace). */
  onStart?: (started: StartedUserProcess) => void;
  /** Told each time-stamp read (guest rdtsc): its guest eip and the EDX:EAX it gave (the reference replay feeds them back). */
  onTimeStamp?: (eip: number, value: number) => void;
}

/** How the kernel's user-fault path saw a guest fault (UKCF_USER_GUEST_EIP, UKCF_USER_GUEST_ACCESS). */
export interface GuestFault {
  eip: number;
  /** The first guest byte the access could not reach (memory exceptions), as i386 Linux's si_addr. */
  address: number | null;
  write: boolean;
}

/** What an i386 process's translation was set up with. */
export interface StartedUserProcess {
  start: UserProcessStart;
  glue: EmittedSyscallGlue;
  /** The process's window (guest memory and the area), write-watchable. */
  code: WindowCodeMemory;
}

export class UkcfUserTranslator implements UserTranslator {
  private code: WindowCodeMemory | null = null;
  private started: UserProcessStart | null = null;
  private exitStatus: number | null = null;
  private layout: AreaLayout | null = null;
  runtime: UkcfRuntime | null = null;
  glue: EmittedSyscallGlue | null = null;
  /** The guest's memory as the kernel built it (for the reference replay). */
  guestImage: GuestImage | null = null;

  constructor(
    private readonly system: HostSystem,
    private readonly options: UkcfUserTranslatorOptions = {},
  ) {}

  start(s: UserProcessStart, cpu: MipsCpu): TranslatedEntry {
    if (this.started !== null) throw new Error('one i386 process per boot (the kernel runs one process at a time)');
    this.started = s;
    const system = this.system;
    const space = cpu.space;
    if (!(space instanceof SystemAddressSpace)) throw new Error('the user-space translator needs the machine\'s address space');
    const code = new WindowCodeMemory(system.machine.ram, space, s.vbase, s.windowPhys, s.vend - s.vbase);
    this.code = code;
    this.guestImage = { base: s.vbase, bytes: code.fetch(s.vbase, s.areaBase - s.vbase), entry: s.entry, esp: s.esp };
    const counting = this.options.countGuestInstructions === true;
    const layout = areaLayout(s.areaBase, s.areaSize, counting);
    this.layout = layout;
    const env: UkcfEnvironment = {
      cpu,
      code,
      layout,
      installHypercall: (number, handler) => {
        if (system.machine.hypercalls.has(number)) throw new SystemError(`hypercall ${number} is taken twice (user-space translator)`);
        const onTimeStamp = this.options.onTimeStamp;
        if (number === USER_HYPERCALLS.timeStamp && onTimeStamp !== undefined) {
          // rdtsc: the value the guest got, at its eip (the sdbbp, at c.pc - 4, is that instruction's code).
          const regs = cpu.regs, eax = guestRegister(0), edx = guestRegister(2);
          system.machine.hypercalls.set(number, (c) => {
            if (!handler(c)) system.abort(`the user-space translator refused hypercall ${number} at host pc 0x${(c.pc >>> 0).toString(16)}`);
            onTimeStamp(this.runtime === null ? -1 : this.runtime.guestEipAt((c.pc - 4) >>> 0), (regs[edx] >>> 0) * 0x100000000 + (regs[eax] >>> 0));
          });
          return;
        }
        system.machine.hypercalls.set(number, (c) => {
          if (!handler(c)) system.abort(`the user-space translator refused hypercall ${number} at host pc 0x${(c.pc >>> 0).toString(16)}`);
        });
      },
      syscallGlue: (asm, glueEnv) => {
        // A guest pointer into the area is -EFAULT in the glue (nothing is mapped there on i386 Linux).
        this.glue = emitSyscallGlue(asm, {
          dispatch: glueEnv.dispatch, contextBase: glueEnv.contextBase, dataBase: layout.glueDataBase,
          translatorArea: { start: s.areaBase, end: s.areaBase + s.areaSize },
        });
      },
      onEvent: (e) => {
        this.options.onEvent?.(e);
        if (e.kind !== 'stop') return;
        // The runtime stopped the shared CPU (untranslated instruction, ...): the run cannot go on correctly.
        const stop = this.runtime?.stopFor({ kind: 'stopped', reason: e.reason });
        const what = stop !== undefined && 'message' in stop ? stop.message : `${e.reason} at eip 0x${(e.eip >>> 0).toString(16)}`;
        system.abort(`translated player stopped: ${what}`);
      },
    };
    const runtime = new UkcfRuntime(env, { countBlockEntries: counting });
    this.runtime = runtime;
    if (this.glue === null) throw new Error('the runtime did not emit the system-call glue');
    const ep = runtime.entryPoint(s.entry);
    // Translated code and lookup table are written from TypeScript only: a user-mode store there is a
    // guest's wild store, which faults (Mod → SIGSEGV) as a store where nothing is mapped on i386 Linux.
    // So is the host stack below its top page: the syscall glue's frame (GLUE_FRAME_BYTES) is all it holds.
    code.denyUserStores([
      { start: layout.cacheBase, end: layout.cacheBase + layout.cacheBytes },
      { start: layout.tableBase, end: layout.tableBase + TABLE_ENTRIES * 8 },
      { start: layout.hostStackTop - HOST_STACK_BYTES, end: layout.hostStackTop - 4096 },
    ]);
    this.options.onStart?.({ start: s, glue: this.glue, code });
    // The guest's registers start at 0 but esp (pinned in s4), as Linux starts an i386 process.
    // The glue's guest-memory accesses: the kernel continues a fault there at the fixup (-EFAULT).
    // and all of the area but the glue's frame (its scratch structures) is no system call's memory.
    return {
      pc: ep.pc, registers: [...ep.registers, { reg: GPR.s4, value: s.esp }], faultFixups: this.glue.faultFixups,
      protectedEnd: layout.hostStackTop - GLUE_FRAME_BYTES,
    };
  }

  exit(pid: number, status: number): void {
    if (this.started === null || pid !== this.started.pid) return;
    this.exitStatus = status;
    // The window's pages go back to plain RAM (the kernel unmaps the window next).
    this.code?.release();
  }

  guestEip(pc: number): number {
    const eip = this.runtime === null ? -1 : this.runtime.guestEipAt(pc);
    this.lastFaultEip = eip;
    this.lastFault = eip === -1 ? null : { eip, address: null, write: false };
    return eip;
  }

  guestAccess(pc: number, badVAddr: number, cause: number): { address: number; write: boolean } {
    const code = (cause >>> 2) & 31;
    const write = code === ExcCode.Mod || code === ExcCode.TLBS || code === ExcCode.AdES;
    // The MIPS BadVAddr of an unaligned pair's second half is inside the word; the guest's address is
    // the first byte it could not reach (what the runtime reports in `ukcf user`, and i386 Linux's si_addr).
    const at = cause < 0 ? (pc + 4) >>> 0 : pc >>> 0; // BD: the faulting instruction is in the delay slot
    const access = this.code === null || this.runtime === null || this.runtime.guestEipAt(pc) === -1
      ? { address: badVAddr >>> 0, write }
      : guestAccess(this.code.read32(at), write, badVAddr);
    if (this.lastFault !== null) this.lastFault = { ...this.lastFault, ...access };
    return access;
  }

  /** The guest eip of the last fault the kernel asked about (it kills the process right after), or -1. */
  lastFaultEip = -1;
  /** The last guest fault the kernel asked about: eip, and for a memory exception the guest's address. */
  lastFault: GuestFault | null = null;

  get exitedWith(): number | null {
    return this.exitStatus;
  }

  /** null when no i386 process was started. */
  report(): UserTranslationReport | null {
    if (this.started === null || this.runtime === null || this.layout === null) return null;
    const statistics = this.runtime.statistics();
    return {
      pid: this.started.pid,
      exitStatus: this.exitStatus,
      layout: this.layout,
      statistics,
      countingOverhead: statistics.blockEntries === null ? 0 : 4 * statistics.blockEntries,
      fault: (this.exitStatus ?? 0) >= 128 ? this.lastFault : null,
    };
  }
}
