// The simulated host CPU: MIPS32 release 2, little-endian, integer only, with CP0.
//
// API
// ---
//   new MipsCpu(memory, { exceptionsToHost?, blockCompiler?, userMode?, compileThreshold? })
//     memory: a PagedMemory or PagedAddressSpace (flat address space, see address-space.ts), or
//             { ram: PhysicalMemory, bus: MmioBus } or a SystemAddressSpace (the machine behind the fixed-mapping MMU).
//   regs: Int32Array(32) (regs[0] is kept 0), hi, lo (signed 32-bit numbers)
//   pc: address (unsigned) of the next instruction to execute. When inDelaySlot is true, that
//       instruction is a delay slot and execution continues at branchTarget after it.
//   instructionCount: instructions executed (exact; see "What counts" below)
//   regions: RegionMap — per-region instruction counts (counted per block execution)
//   run(limit): MipsStopReason — executes at most `limit` instructions:
//       { kind: 'limit' }                                   the limit was reached
//       { kind: 'breakpoint', pc }                          about to execute a breakpoint address
//                                                          (run() never stops at the pc it starts from)
//       { kind: 'exception', code, name, pc, badVAddr?, inDelaySlot, coprocessor? }   exceptionsToHost mode
//                                                          only (coprocessor = Cause.CE for CpU)
//       { kind: 'idle' }                                    `wait` with no interrupt that could ever come
//       { kind: 'stopped', reason }                         requestStop() from a hypercall or device handler
//   step(): MipsStopReason — run(1), always interpreted.
//   addBreakpoint(pc) / removeBreakpoint(pc) / clearBreakpoints(): free when none are set; with some
//       set, compiled blocks end before breakpoint addresses, so the stop is exact. Setting or removing
//       one drops only the compiled code that holds its address.
//   useBlockCompiler: boolean — the block compiler (default on) or the interpreter alone; both count exactly.
//       Code is compiled once control has reached its PC compileThreshold times (counted at control
//       transfers); until then it is interpreted.
//   setInterruptLine(line 0..5, asserted): hardware interrupts → Cause.IP2..IP7 (IP7 is also the timer).
//   readCp0(reg, sel) / writeCp0(reg, sel, value): what mfc0/mtc0 see (for loaders and the debugger).
//   skipInstruction(): completes the instruction at pc without executing it (counts it; honours a
//       pending delay slot) — how a host that emulated a syscall resumes after it.
//   reset(): registers 0, pc = 0xbfc00000, Status = BEV|ERL, kernel mode.
//   readVirtual/writeVirtual(address, size): debugger access through the current mapping (no MMIO).
//
// exceptionsToHost: syscall, break, traps, address errors, TLB misses (unmapped), RI, CpU, Ov ... end run()
//   with { kind: 'exception' } and the state exactly as before the faulting instruction (pc = that
//   instruction, inDelaySlot/branchTarget kept), instead of vectoring. Interrupts are still taken normally.
//
// What counts: every instruction that completes, and every instruction that raises an exception in
//   vectoring mode (it is issued; the handler starts after it). An annulled branch-likely delay slot does
//   not count. In exceptionsToHost mode the faulting instruction is not counted; skipInstruction() counts it.
//
// CP0 (mfc0/mtc0): BadVAddr (8), Count (9), Compare (11), Status (12), IntCtl (12,1: IPTI=7, read only),
//   Cause (13), EPC (14), PRId (15), EBase (15,1), Config (16; 16,1..3), LLAddr (17), UserLocal (4,2),
//   HWREna (7), ErrorEPC (30). Other registers read 0 and ignore writes.
//   Count advances by one per counted instruction, plus the idle cycles `wait` skips until the next
//   event (deterministic simulated time: cycles = instructionCount + idleCycles). Count == Compare sets
//   Cause.TI and IP7. Status.KSU=2 (or 1) with EXL=ERL=0 is user mode. CU1..3 read 0: every COP1
//   instruction raises CpU (CE=1), COP2 CpU (CE=2); CP0 instructions in user mode without CU0 raise CpU (CE=0).
//   Vectors: Status.BEV ? 0xbfc00200 : EBase, + 0x180 (+0x200 for interrupts when Cause.IV); no TLB, so
//   TLBL/TLBS (unmapped kuseg, kseg2/3) use the general vector too.
//   rdhwr: 0 CPUNum (0), 1 SYNCI_Step (32), 2 CC (Count), 3 CCRes (1), 29 UserLocal; in user mode only the
//   registers enabled in HWREna (reset value 0, as a 24Kc: Linux emulates rdhwr $29 on the RI), else RI.
//
// The fixed-mapping MMU's user window (system memory only) is CP0 register 22 (implementation-specific):
//   22,0 UserVBase, 22,1 UserPBase, 22,2 UserSize — kuseg [UserVBase, UserVBase+UserSize) maps to RAM
//   [UserPBase, ...). All 4 KiB aligned. Writing UserSize applies the window (write the bases first);
//   a bad window leaves kuseg unmapped and reads back UserSize = 0.
//
// Hypercalls: `sdbbp code` (SPECIAL2 function 0x3f) is the machine's hypercall instruction. With an
//   onHypercall handler installed, executing it calls handler(code, cpu) and continues at cpu.pc, which
//   is the next instruction unless the handler changed it (it may change registers, memory, pc; it
//   counts as one instruction, the handler's own modelled cost is its business). A handler returning
//   false, no handler, or sdbbp in a delay slot raise RI. MipsMachine.hypercalls dispatches by code.
//
// Division by zero is UNPREDICTABLE in MIPS32; this CPU gives the R3000's results (HI = rs; LO = -1,
//   or 1 for DIV with a negative dividend). Differential programs against qemu should avoid it.

import { type MemoryPage, PhysicalMemory } from '../machine/physical-memory';
import { MmioBus } from '../machine/mmio-bus';
import { PagedMemory, type PageDirectory } from '../machine/paged-memory';
import {
  Access,
  type MipsAddressSpace,
  type PageTables,
  PagedAddressSpace,
  RESOLVE_HOST,
  RESOLVE_PAGE,
  SystemAddressSpace,
} from './address-space';
import {
  CA_BD,
  CA_CE,
  CA_EXCCODE,
  CA_IP7,
  CA_IV,
  CA_TI,
  CA_WRITABLE,
  CONFIG1_VALUE,
  CONFIG2_VALUE,
  CONFIG3_VALUE,
  CONFIG_VALUE,
  EBASE_RESET,
  ExcCode,
  exceptionName,
  PRID_VALUE,
  RESET_VECTOR,
  ST_BEV,
  ST_CU0,
  ST_ERL,
  ST_EXL,
  ST_IE,
  ST_KSU,
  ST_WRITABLE,
} from './cp0';
import { RegionMap } from './regions';
import { BlockCache, type CompiledBlock } from './block-compiler';

export type MipsStopReason =
  | { kind: 'limit' }
  | { kind: 'breakpoint'; pc: number }
  | { kind: 'exception'; code: number; name: string; pc: number; badVAddr?: number; inDelaySlot: boolean; coprocessor?: number }
  | { kind: 'idle' }
  | { kind: 'stopped'; reason: string };

export interface MipsCpuOptions {
  /** Vector nothing: end run() at every exception but interrupts (default false). */
  exceptionsToHost?: boolean;
  /** Use the block compiler (default true); false runs the interpreter alone. */
  blockCompiler?: boolean;
  /** Start in user mode (Status.KSU = 2, EXL = ERL = 0) instead of the reset state. */
  userMode?: boolean;
  /** Times the dispatcher reaches a PC before the block compiler compiles the code there (default 128; 1: at once). */
  compileThreshold?: number;
}

/** What the CPU's memory is: an address space, a flat PagedMemory, or the machine's RAM and MMIO bus. */
export type MipsMemory = MipsAddressSpace | PagedMemory | { ram: PhysicalMemory; bus: MmioBus };

const LIMIT: MipsStopReason = { kind: 'limit' };
const EMPTY_WORDS: Int32Array = new Int32Array(1024);
const EMPTY_HALVES: Uint16Array = new Uint16Array(2048);
const EMPTY_BYTES: Uint8Array = new Uint8Array(4096);
const TWO32 = 0x100000000;

/** High 32 bits of the unsigned 64-bit product of two 32-bit values (as unsigned numbers). */
export function mulHighUnsigned(a: number, b: number): number {
  const a0 = a & 0xffff;
  const a1 = a >>> 16;
  const b0 = b & 0xffff;
  const b1 = b >>> 16;
  const p01 = a0 * b1;
  const p10 = a1 * b0;
  const mid = ((a0 * b0) >>> 16) + (p01 & 0xffff) + (p10 & 0xffff);
  return (a1 * b1 + Math.floor(p01 / 65536) + Math.floor(p10 / 65536) + Math.floor(mid / 65536)) >>> 0;
}

/** High 32 bits (signed) of the signed 64-bit product. */
export function mulHighSigned(a: number, b: number): number {
  let h = mulHighUnsigned(a >>> 0, b >>> 0);
  if (a < 0) h -= b >>> 0;
  if (b < 0) h -= a >>> 0;
  return h | 0;
}

export class MipsCpu {
  readonly regs = new Int32Array(32);
  hi = 0;
  lo = 0;
  pc = RESET_VECTOR;
  inDelaySlot = false;
  branchTarget = 0;
  instructionCount = 0;
  /** Cycles `wait` skipped (simulated time = instructionCount + idleCycles). */
  idleCycles = 0;
  readonly regions = new RegionMap();
  readonly space: MipsAddressSpace;
  readonly exceptionsToHost: boolean;
  useBlockCompiler: boolean;
  onHypercall: ((code: number, cpu: MipsCpu) => boolean) | null = null;
  /** Machine events (device timers) in simulated cycles; onEvent is called when the time comes. */
  eventAt = Infinity;
  onEvent: (() => void) | null = null;

  // CP0
  status = ST_BEV | ST_ERL;
  cause = 0;
  epc = 0;
  errorEpc = 0;
  badVAddr = 0;
  compare = 0;
  ebase = EBASE_RESET;
  userLocal = 0;
  hwrEna = 0;
  llAddr = 0;
  llBit = false;
  /** Count = (cycles + countBias) mod 2^32. */
  private countBias = 0;
  /** Simulated cycle at which Count next equals Compare. */
  compareAt = TWO32;
  private hardwareLines = 0; // Cause.IP2..IP7 from devices (bits 10..15)
  private userVBase = 0;
  private userPBase = 0;
  private userSize = 0;

  // Mode-dependent page tables (the fast paths index these directly).
  kernelMode = true;
  rtab: PageDirectory<MemoryPage>;
  wtab: PageDirectory<MemoryPage>;
  xtab: PageDirectory<MemoryPage>;

  /** Set by the slow memory paths: an exception code, or -1. */
  faultCode = -1;
  /** Set when something may have changed what happens next (interrupt state, code): leave the inner loop. */
  recheck = false;
  stopReason: MipsStopReason | null = null;
  readonly breakpoints = new Set<number>();
  readonly blocks: BlockCache;
  private compiledRegionVersion = -1;

  constructor(memory: MipsMemory, options: MipsCpuOptions = {}) {
    if (memory instanceof PagedMemory) this.space = new PagedAddressSpace(memory);
    else if (memory instanceof PagedAddressSpace || memory instanceof SystemAddressSpace) this.space = memory;
    else if ('ram' in memory && 'bus' in memory) this.space = new SystemAddressSpace(memory.ram, memory.bus);
    else this.space = memory;
    this.exceptionsToHost = options.exceptionsToHost ?? false;
    this.useBlockCompiler = options.blockCompiler ?? true;
    if (options.userMode) this.status = 2 << 3;
    const t = this.space.kernelTables;
    this.rtab = t.read;
    this.wtab = t.write;
    this.xtab = t.exec;
    this.updateMode();
    this.blocks = new BlockCache(this);
    if (options.compileThreshold !== undefined) this.blocks.hotThreshold = Math.max(1, Math.floor(options.compileThreshold));
    this.space.onCodeInvalid = (page, offset, length) => {
      if (offset === undefined || length === undefined) this.blocks.invalidatePage(page);
      else this.blocks.invalidateRange(page, offset, length);
    };
    this.space.onTablesChanged = () => this.updateMode();
  }

  reset(): void {
    this.regs.fill(0);
    this.hi = this.lo = 0;
    this.pc = RESET_VECTOR;
    this.inDelaySlot = false;
    this.status = ST_BEV | ST_ERL;
    this.cause = 0;
    this.llBit = false;
    this.updateMode();
  }

  // ---- mode, interrupts, time -----------------------------------------------------------------

  /** Recomputes kernel/user mode and the page tables after Status changes. */
  updateMode(): void {
    const user = (this.status & (ST_EXL | ST_ERL)) === 0 && (this.status & ST_KSU) !== 0;
    this.kernelMode = !user;
    const t: PageTables = user ? this.space.userTables : this.space.kernelTables;
    this.rtab = t.read;
    this.wtab = t.write;
    this.xtab = t.exec;
  }

  get cycles(): number {
    return this.instructionCount + this.idleCycles;
  }

  get count(): number {
    return (this.cycles + this.countBias) >>> 0;
  }

  private recomputeCompare(): void {
    const delta = (this.compare - this.count) >>> 0;
    this.compareAt = this.cycles + (delta === 0 ? TWO32 : delta);
  }

  setInterruptLine(line: number, asserted: boolean): void {
    if (!Number.isInteger(line) || line < 0 || line > 5) throw new RangeError(`interrupt line ${line} (0..5 are IP2..IP7)`);
    const bit = 1 << (10 + line);
    this.hardwareLines = asserted ? this.hardwareLines | bit : this.hardwareLines & ~bit;
    this.refreshCauseIp();
    this.recheck = true;
  }

  private refreshCauseIp(): void {
    const ti = this.cause & CA_TI ? CA_IP7 : 0;
    this.cause = (this.cause & ~0xfc00) | this.hardwareLines | ti;
  }

  private interruptPending(): boolean {
    return (this.status & (ST_IE | ST_EXL | ST_ERL)) === ST_IE && (this.cause & this.status & 0xff00) !== 0;
  }

  /** Checks Count/Compare and machine events at an instruction boundary. */
  private serviceTime(): void {
    const c = this.instructionCount + this.idleCycles;
    if (c >= this.compareAt) {
      this.cause |= CA_TI;
      this.refreshCauseIp();
      this.compareAt += TWO32;
    }
    if (c >= this.eventAt && this.onEvent !== null) this.onEvent();
  }

  // ---- exceptions ----------------------------------------------------------------------------

  private vectorBase(): number {
    return this.status & ST_BEV ? 0xbfc00200 : this.ebase & 0xfffff000;
  }

  /**
   * Raises an exception for the instruction at `pc` (in a delay slot when inDelay; `target` is the
   * pending branch target then). Returns true when the instruction counts (vectoring mode).
   */
  raise(code: number, pc: number, inDelay: boolean, target: number, badVAddr: number | undefined, ce = 0): boolean {
    if (this.exceptionsToHost && code !== ExcCode.Int) {
      this.pc = pc >>> 0;
      this.inDelaySlot = inDelay;
      this.branchTarget = target >>> 0;
      const stop: MipsStopReason = { kind: 'exception', code, name: exceptionName(code), pc: pc >>> 0, inDelaySlot: inDelay };
      if (badVAddr !== undefined) stop.badVAddr = badVAddr >>> 0;
      if (code === ExcCode.CpU) stop.coprocessor = ce;
      this.stopReason = stop;
      this.recheck = true;
      if (badVAddr !== undefined) this.badVAddr = badVAddr | 0;
      return false;
    }
    if (badVAddr !== undefined) this.badVAddr = badVAddr | 0;
    if (!(this.status & ST_EXL)) {
      this.epc = (inDelay ? pc - 4 : pc) | 0;
      this.cause = inDelay ? this.cause | CA_BD : this.cause & ~CA_BD;
    }
    this.cause = (this.cause & ~(CA_EXCCODE | CA_CE)) | (code << 2) | (ce << 28);
    this.status |= ST_EXL;
    const offset = code === ExcCode.Int && this.cause & CA_IV && !(this.status & ST_BEV) ? 0x200 : 0x180;
    this.pc = (this.vectorBase() + offset) >>> 0;
    this.inDelaySlot = false;
    this.updateMode();
    this.recheck = true;
    return true;
  }

  /** A compiled block's exception: `executed` instructions of the block completed before it. */
  blockFault(code: number, pc: number, inDelay: boolean, target: number, badVAddr: number | undefined, executed: number, regionId: number): void {
    this.instructionCount += executed;
    this.regions.counts[regionId] += executed;
    if (this.raise(code, pc, inDelay, target, badVAddr)) {
      this.instructionCount++;
      this.regions.counts[regionId]++;
    }
  }

  private takeInterrupt(): void {
    this.raise(ExcCode.Int, this.pc, false, 0, undefined);
  }

  /** Completes the instruction at pc without executing it (after the host emulated it). */
  skipInstruction(): void {
    const pc = this.pc;
    this.countOne(pc);
    if (this.inDelaySlot) {
      this.pc = this.branchTarget >>> 0;
      this.inDelaySlot = false;
    } else this.pc = (pc + 4) >>> 0;
  }

  private countOne(pc: number): void {
    this.instructionCount++;
    this.regions.counts[this.regions.lookup(pc).id]++;
  }

  // ---- CP0 -----------------------------------------------------------------------------------

  readCp0(reg: number, sel: number): number {
    switch (reg * 8 + sel) {
      case 4 * 8 + 2: return this.userLocal | 0;
      case 7 * 8: return this.hwrEna | 0;
      case 8 * 8: return this.badVAddr | 0;
      case 9 * 8: return this.count | 0;
      case 11 * 8: return this.compare | 0;
      case 12 * 8: return this.status | 0;
      case 12 * 8 + 1: return (7 << 29) | 0; // IntCtl: IPTI = 7 (timer on IP7), no vectored interrupts
      case 13 * 8: return this.cause | 0;
      case 14 * 8: return this.epc | 0;
      case 15 * 8: return PRID_VALUE;
      case 15 * 8 + 1: return this.ebase | 0;
      case 16 * 8: return CONFIG_VALUE | 0;
      case 16 * 8 + 1: return CONFIG1_VALUE | 0;
      case 16 * 8 + 2: return CONFIG2_VALUE | 0;
      case 16 * 8 + 3: return CONFIG3_VALUE | 0;
      case 17 * 8: return this.llAddr | 0;
      case 22 * 8: return this.userVBase | 0;
      case 22 * 8 + 1: return this.userPBase | 0;
      case 22 * 8 + 2: return this.userSize | 0;
      case 30 * 8: return this.errorEpc | 0;
      default: return 0;
    }
  }

  writeCp0(reg: number, sel: number, value: number): void {
    value |= 0;
    switch (reg * 8 + sel) {
      case 4 * 8 + 2: this.userLocal = value; break;
      case 7 * 8: this.hwrEna = value & (0xf | (1 << 29)); break;
      case 9 * 8:
        // Takes effect after this instruction: the next one reads `value`.
        this.countBias = (value >>> 0) - (this.cycles + 1);
        this.recomputeCompare();
        break;
      case 11 * 8:
        this.compare = value;
        this.cause &= ~CA_TI;
        this.refreshCauseIp();
        this.recomputeCompare();
        break;
      case 12 * 8:
        this.status = ((this.status & ~ST_WRITABLE) | (value & ST_WRITABLE)) | 0;
        this.updateMode();
        break;
      case 13 * 8:
        this.cause = ((this.cause & ~CA_WRITABLE) | (value & CA_WRITABLE)) | 0;
        break;
      case 14 * 8: this.epc = value; break;
      case 15 * 8 + 1: this.ebase = (0x80000000 | (value & 0x3ffff000)) | 0; break;
      case 17 * 8: this.llAddr = value; break;
      case 22 * 8: this.userVBase = value >>> 0; break;
      case 22 * 8 + 1: this.userPBase = value >>> 0; break;
      case 22 * 8 + 2: {
        this.userSize = value >>> 0;
        if (this.space instanceof SystemAddressSpace) {
          const err = this.space.setUserWindow(this.userVBase, this.userPBase, this.userSize);
          if (err !== null) {
            this.userSize = 0;
            this.space.setUserWindow(0, 0, 0);
          }
          this.updateMode();
        }
        break;
      }
      case 30 * 8: this.errorEpc = value; break;
      default: break;
    }
    this.recheck = true;
  }

  // ---- breakpoints ---------------------------------------------------------------------------

  addBreakpoint(pc: number): void {
    if (this.breakpoints.has(pc >>> 0)) return;
    this.breakpoints.add(pc >>> 0);
    this.dropCodeAt(pc >>> 0);
  }

  removeBreakpoint(pc: number): void {
    if (this.breakpoints.delete(pc >>> 0)) this.dropCodeAt(pc >>> 0);
  }

  clearBreakpoints(): void {
    if (this.breakpoints.size === 0) return;
    const all = [...this.breakpoints];
    this.breakpoints.clear();
    for (const pc of all) this.dropCodeAt(pc);
  }

  /**
   * Drops the compiled code that holds the instruction at virtual `pc`: code compiled before a
   * breakpoint was set there would run through it. The rest stays compiled.
   */
  private dropCodeAt(pc: number): void {
    this.blocks.invalidateAt(pc);
    this.recheck = true;
  }

  requestStop(reason: string): void {
    this.stopReason = { kind: 'stopped', reason };
    this.recheck = true;
  }

  // ---- memory slow paths (also used by compiled blocks) ---------------------------------------

  /** A read the page table did not satisfy; zero-extended for sizes 1 and 2. Sets faultCode on a fault. */
  loadSlow(address: number, size: 1 | 2 | 4): number {
    const k = this.space.resolve(address, Access.Read, this.kernelMode);
    if (k === RESOLVE_PAGE) {
      const p = this.space.resolvedPage as MemoryPage;
      const o = address & 4095;
      return size === 4 ? p.i32[o >> 2] : size === 2 ? p.u16[o >> 1] : p.u8[o];
    }
    if (k === RESOLVE_HOST) {
      const v = this.space.hostRead(this.space.resolvedAddress, size);
      return size === 4 ? v | 0 : v;
    }
    this.faultCode = k;
    return 0;
  }

  /** A write the page table did not satisfy (MMIO, code page, fault). Always sets recheck. */
  storeSlow(address: number, size: 1 | 2 | 4, value: number): void {
    this.recheck = true;
    const k = this.space.resolve(address, Access.Write, this.kernelMode);
    if (k === RESOLVE_PAGE) {
      const p = this.space.resolvedPage as MemoryPage;
      if (p.blocks !== null) this.blocks.invalidateRange(p, address & 4095, size);
      const o = address & 4095;
      if (size === 4) p.i32[o >> 2] = value;
      else if (size === 2) p.u16[o >> 1] = value;
      else p.u8[o] = value;
      return;
    }
    if (k === RESOLVE_HOST) {
      this.space.hostWrite(this.space.resolvedAddress, size, value);
      return;
    }
    this.faultCode = k;
  }

  /** swl/swr (word = the instruction) when the fast tables miss: read-modify-write through the slow paths. */
  storePartialSlow(word: number, address: number, x: number): void {
    this.recheck = true;
    const al = address & ~3;
    const k = this.space.resolve(al, Access.Write, this.kernelMode);
    if (k >= 0) {
      this.faultCode = k;
      return;
    }
    const old = this.loadSlow(al, 4);
    if (this.faultCode >= 0) {
      this.faultCode = this.faultCode === ExcCode.TLBL ? ExcCode.TLBS : ExcCode.AdES;
      return;
    }
    const sh = (address & 3) * 8;
    let v: number;
    if (word & 0x10000000) v = sh === 0 ? x : (old & ((1 << sh) - 1)) | (x << sh); // swr
    else v = sh === 24 ? x : (old & ~(-1 >>> (24 - sh))) | (x >>> (24 - sh)); // swl
    this.storeSlow(al, 4, v);
  }

  /** Instruction fetch the page table did not satisfy; sets faultCode on a fault. */
  fetchSlow(address: number): number {
    const k = this.space.resolve(address, Access.Execute, this.kernelMode);
    if (k === RESOLVE_PAGE) return (this.space.resolvedPage as MemoryPage).i32[(address & 4095) >> 2];
    this.faultCode = k === RESOLVE_HOST ? ExcCode.IBE : k;
    return 0;
  }

  /** Debugger read through the current mapping: a value, or null where there is no RAM (MMIO is not touched). */
  readVirtual(address: number, size: 1 | 2 | 4): number | null {
    const k = this.space.resolve(address, Access.Read, this.kernelMode);
    if (k !== RESOLVE_PAGE) return null;
    const p = this.space.resolvedPage as MemoryPage;
    const o = address & 4095;
    if (size === 1) return p.u8[o];
    if (o + size > 4096) {
      const lo = this.readVirtual(address, 1);
      const rest = this.readVirtual((address + 1) >>> 0, size === 2 ? 1 : 2);
      const last = size === 4 ? this.readVirtual((address + 3) >>> 0, 1) : 0;
      if (lo === null || rest === null || last === null) return null;
      return size === 2 ? lo | (rest << 8) : (lo | (rest << 8) | (last << 24)) >>> 0;
    }
    let v = 0;
    for (let i = size - 1; i >= 0; i--) v = (v << 8) | p.u8[o + i];
    return v >>> 0;
  }

  /** Debugger write through the current mapping; false where there is no RAM. */
  writeVirtual(address: number, size: 1 | 2 | 4, value: number): boolean {
    for (let i = 0; i < size; i++) {
      const a = (address + i) >>> 0;
      const k = this.space.resolve(a, Access.Read, this.kernelMode);
      if (k !== RESOLVE_PAGE) return false;
      const p = this.space.resolvedPage as MemoryPage;
      if (p.blocks !== null) this.blocks.invalidateRange(p, a & 4095, 1);
      p.u8[a & 4095] = value >>> (8 * i);
    }
    return true;
  }

  // ---- running -------------------------------------------------------------------------------

  step(): MipsStopReason {
    const saved = this.useBlockCompiler;
    this.useBlockCompiler = false;
    try {
      return this.run(1);
    } finally {
      this.useBlockCompiler = saved;
    }
  }

  run(limit: number): MipsStopReason {
    this.stopReason = null;
    this.pc >>>= 0;
    this.branchTarget >>>= 0;
    if (this.regions.version !== this.compiledRegionVersion) {
      // Blocks count into the region ids they were compiled for: new ranges, new blocks.
      this.blocks.flush();
      this.compiledRegionVersion = this.regions.version;
    }
    const end = this.instructionCount + Math.max(0, Math.floor(limit));
    let first = true;
    for (;;) {
      this.recheck = false;
      this.serviceTime();
      if (this.stopReason !== null) return this.stopReason;
      if (!this.inDelaySlot && this.interruptPending()) {
        this.takeInterrupt();
        first = false;
      }
      if (this.instructionCount >= end) return LIMIT;
      const idle = this.idleCycles;
      let stopAt = end;
      if (this.compareAt - idle < stopAt) stopAt = this.compareAt - idle;
      if (this.eventAt - idle < stopAt) stopAt = this.eventAt - idle;
      // An interrupt that arrived in a delay slot is taken right after it: step just that one.
      if (this.inDelaySlot && stopAt > this.instructionCount + 1 && this.interruptPending()) stopAt = this.instructionCount + 1;
      const bps = this.breakpoints.size !== 0 ? this.breakpoints : null;
      if (bps !== null && !first && bps.has(this.pc)) return { kind: 'breakpoint', pc: this.pc };
      let block: CompiledBlock | null = null;
      if (this.useBlockCompiler && !this.inDelaySlot) {
        // Blocks back to back while nothing needs the outer loop; a block's successor is cached on it.
        block = this.blocks.lookup(this.pc);
        while (block !== null && block.maxCount <= stopAt - this.instructionCount) {
          block.run(this, stopAt - this.instructionCount);
          first = false;
          if (this.recheck) break;
          const pc = this.pc;
          if (bps !== null && bps.has(pc)) break;
          let next = block.next0;
          if (next === null || next.start !== pc || !next.valid) {
            next = block.next1;
            if (next === null || next.start !== pc || !next.valid) {
              next = this.blocks.lookup(pc);
              // Only compiled code is remembered: a placeholder must be looked up (counted) each time.
              if (next !== null && next.maxCount !== Infinity) {
                block.next1 = block.next0;
                block.next0 = next;
              }
            }
          }
          block = next;
        }
        if (this.stopReason !== null) return this.stopReason;
        // (A breakpoint on the pc run() started from is stepped off by the interpreter below.)
        if (this.recheck || this.instructionCount >= stopAt || (bps !== null && !first && bps.has(this.pc))) continue;
        if (block !== null && block.maxCount <= stopAt - this.instructionCount) continue;
      }
      // The interpreter runs what the compiler cannot or has not yet: up to a control transfer to
      // compiled or newly hot code (it counts the others' visits), or the rest of the budget when
      // the compiled code at pc needs more than is left.
      const compiledHere = block !== null && block.maxCount !== Infinity;
      this.interpret(stopAt - this.instructionCount, first, this.useBlockCompiler && !compiledHere);
      first = false;
      if (this.stopReason !== null) return this.stopReason;
    }
  }

  /** `wait`: idles until an interrupt is pending (Status.IE not required) or stops when none can come. */
  private idle(): void {
    for (;;) {
      if ((this.cause & this.status & 0xff00) !== 0) return;
      let next = this.eventAt;
      if (this.status & CA_IP7 && this.compareAt < next) next = this.compareAt; // IM7 lets the timer wake us
      if (next === Infinity) {
        this.stopReason = { kind: 'idle' };
        return;
      }
      const c = this.cycles;
      if (next > c) this.idleCycles += next - c;
      this.serviceTime();
      if (this.stopReason !== null) return;
    }
  }

  /**
   * The reference interpreter: executes up to `max` instructions (fewer when something needs the
   * dispatcher's attention). The first instruction is not checked against breakpoints when skipFirst.
   */
  interpret(max: number, skipFirst: boolean, untilTransfer = false): void {
    const r = this.regs;
    let pc = this.pc | 0;
    let inDelay = this.inDelaySlot;
    let target = this.branchTarget | 0;
    // Constant for the call: every instruction that changes the mode or the tables leaves the loop.
    const X = this.xtab;
    const R = this.rtab;
    const W = this.wtab;
    const bps = this.breakpoints.size !== 0 ? this.breakpoints : null;
    const regions = this.regions;
    // Instructions of the current region are counted as `executed - regionFrom`.
    let span = regions.lookup(pc >>> 0);
    let regId = span.id;
    let regionFrom = 0;
    // The fetch window: the part of one executable page inside the current region, as int32
    // [winBase, winBase+winLen), with the page's words. An aligned PC inside it is fetched with one
    // subtraction and two tests; everything else (page or region change, misaligned PC, unmapped
    // code, breakpoints set) goes through the checks below the fast test. With breakpoints set the
    // window stays empty, so every instruction is checked against them.
    let winBase = 0;
    let winLen = 0;
    let words = EMPTY_WORDS;
    // The last page loaded from and stored to (base address and views; base -1: none). The tables
    // are constant for the call, and a page that gains compiled code is never in the write table.
    let lpBase = -1;
    let lpB = EMPTY_BYTES;
    let lpH = EMPTY_HALVES;
    let lpW = EMPTY_WORDS;
    let spBase = -1;
    let spB = EMPTY_BYTES;
    let spH = EMPTY_HALVES;
    let spW = EMPTY_WORDS;
    let p: MemoryPage | null = null;
    const startCount = this.instructionCount;
    let executed = 0;
    let raised = false;
    // Returning early is allowed (the caller loops), so the limit can be a small integer.
    const limit = max < 0x3fffffff ? Math.ceil(max) | 0 : 0x3fffffff;
    while (executed < limit) {
      const cur = pc;
      const wasDelay = inDelay;
      let exc = -1;
      let bad = 0;
      let hasBad = false;
      let ce = 0;
      let leave = false;
      let w = 0;
      const off = (cur - winBase) | 0;
      if (off >>> 0 < winLen && (off & 3) === 0) w = words[(cur & 4095) >> 2];
      else {
        if (bps !== null && bps.has(cur >>> 0) && !(skipFirst && executed === 0)) {
          this.stopReason = { kind: 'breakpoint', pc: cur >>> 0 };
          break;
        }
        const ucur = cur >>> 0;
        if (ucur < span.start || ucur >= span.end) span = regions.lookup(ucur);
        if (span.id !== regId) {
          regions.counts[regId] += executed - regionFrom;
          regionFrom = executed;
          regId = span.id;
        }
        if (cur & 3) {
          exc = ExcCode.AdEL;
          bad = cur;
          hasBad = true;
        } else {
          const page = X[ucur >>> 22][(ucur >>> 12) & 1023];
          if (page !== null) {
            words = page.i32;
            w = words[(cur & 4095) >> 2];
            if (bps === null) {
              const pageStart = ucur - (ucur & 4095);
              const from = Math.max(pageStart, span.start);
              winBase = from | 0;
              winLen = Math.min(pageStart + 4096, span.end) - from;
            }
          } else {
            w = this.fetchSlow(cur);
            if (this.faultCode >= 0) {
              exc = this.faultCode;
              this.faultCode = -1;
              bad = cur;
              hasBad = true;
            }
          }
        }
      }
      if (inDelay) {
        pc = target;
        inDelay = false;
      } else pc = (cur + 4) | 0;
      if (exc < 0) {
        const rs = (w >>> 21) & 31;
        const rt = (w >>> 16) & 31;
        const imm = (w << 16) >> 16;
        let a = 0;
        let v = 0;
        switch (w >>> 26) {
          case 0x00: {
            const rd = (w >>> 11) & 31;
            const sa = (w >>> 6) & 31;
            let dst = 0;
            switch (w & 63) {
              case 0x00: v = r[rt] << sa; dst = rd; break;
              case 0x01: exc = ExcCode.CpU; ce = 1; break; // movf/movt
              case 0x02: v = rs === 1 ? (r[rt] >>> sa) | (r[rt] << (32 - sa)) : (r[rt] >>> sa) | 0; dst = rd; break;
              case 0x03: v = r[rt] >> sa; dst = rd; break;
              case 0x04: v = r[rt] << (r[rs] & 31); dst = rd; break;
              case 0x06: {
                const s = r[rs] & 31;
                v = sa === 1 ? (r[rt] >>> s) | (r[rt] << (32 - s)) : (r[rt] >>> s) | 0;
                dst = rd;
                break;
              }
              case 0x07: v = r[rt] >> (r[rs] & 31); dst = rd; break;
              case 0x08: // jr
                if (wasDelay) { exc = ExcCode.RI; break; }
                inDelay = true;
                target = r[rs];
                break;
              case 0x09: // jalr
                if (wasDelay) { exc = ExcCode.RI; break; }
                inDelay = true;
                target = r[rs];
                if (rd !== 0) r[rd] = cur + 8;
                break;
              case 0x0a: if (r[rt] === 0 && rd !== 0) r[rd] = r[rs]; break;
              case 0x0b: if (r[rt] !== 0 && rd !== 0) r[rd] = r[rs]; break;
              case 0x0c: exc = ExcCode.Sys; break;
              case 0x0d: exc = ExcCode.Bp; break;
              case 0x0f: break; // sync
              case 0x10: v = this.hi; dst = rd; break;
              case 0x11: this.hi = r[rs]; break;
              case 0x12: v = this.lo; dst = rd; break;
              case 0x13: this.lo = r[rs]; break;
              case 0x18: this.lo = Math.imul(r[rs], r[rt]); this.hi = mulHighSigned(r[rs], r[rt]); break;
              case 0x19: this.lo = Math.imul(r[rs], r[rt]); this.hi = mulHighUnsigned(r[rs] >>> 0, r[rt] >>> 0) | 0; break;
              case 0x1a: {
                const x = r[rs];
                const y = r[rt];
                if (y === 0) {
                  this.hi = x;
                  this.lo = x < 0 ? 1 : -1;
                } else {
                  this.lo = (x / y) | 0;
                  this.hi = x % y | 0;
                }
                break;
              }
              case 0x1b: {
                const x = r[rs] >>> 0;
                const y = r[rt] >>> 0;
                if (y === 0) {
                  this.hi = x | 0;
                  this.lo = -1;
                } else {
                  this.lo = (x / y) | 0;
                  this.hi = x % y | 0;
                }
                break;
              }
              case 0x20: {
                v = (r[rs] + r[rt]) | 0;
                if ((r[rs] ^ v) & (r[rt] ^ v) & 0x80000000) exc = ExcCode.Ov;
                dst = rd;
                break;
              }
              case 0x21: v = (r[rs] + r[rt]) | 0; dst = rd; break;
              case 0x22: {
                v = (r[rs] - r[rt]) | 0;
                if ((r[rs] ^ r[rt]) & (r[rs] ^ v) & 0x80000000) exc = ExcCode.Ov;
                dst = rd;
                break;
              }
              case 0x23: v = (r[rs] - r[rt]) | 0; dst = rd; break;
              case 0x24: v = r[rs] & r[rt]; dst = rd; break;
              case 0x25: v = r[rs] | r[rt]; dst = rd; break;
              case 0x26: v = r[rs] ^ r[rt]; dst = rd; break;
              case 0x27: v = ~(r[rs] | r[rt]); dst = rd; break;
              case 0x2a: v = r[rs] < r[rt] ? 1 : 0; dst = rd; break;
              case 0x2b: v = r[rs] >>> 0 < r[rt] >>> 0 ? 1 : 0; dst = rd; break;
              case 0x30: if (r[rs] >= r[rt]) exc = ExcCode.Tr; break;
              case 0x31: if (r[rs] >>> 0 >= r[rt] >>> 0) exc = ExcCode.Tr; break;
              case 0x32: if (r[rs] < r[rt]) exc = ExcCode.Tr; break;
              case 0x33: if (r[rs] >>> 0 < r[rt] >>> 0) exc = ExcCode.Tr; break;
              case 0x34: if (r[rs] === r[rt]) exc = ExcCode.Tr; break;
              case 0x36: if (r[rs] !== r[rt]) exc = ExcCode.Tr; break;
              default: exc = ExcCode.RI; break;
            }
            if (exc < 0 && dst !== 0) r[dst] = v;
            break;
          }
          case 0x01: {
            const x = r[rs];
            switch (rt) {
              case 0x00: case 0x01: case 0x02: case 0x03:
              case 0x10: case 0x11: case 0x12: case 0x13: {
                if (wasDelay) { exc = ExcCode.RI; break; }
                const taken = rt & 1 ? x >= 0 : x < 0;
                if (rt & 0x10) r[31] = cur + 8;
                if (taken) {
                  inDelay = true;
                  target = (cur + 4 + (imm << 2)) | 0;
                } else if (rt & 2) pc = (cur + 8) | 0; // likely: annul the slot
                else {
                  inDelay = true;
                  target = (cur + 8) | 0;
                }
                break;
              }
              case 0x08: if (x >= imm) exc = ExcCode.Tr; break;
              case 0x09: if (x >>> 0 >= imm >>> 0) exc = ExcCode.Tr; break;
              case 0x0a: if (x < imm) exc = ExcCode.Tr; break;
              case 0x0b: if (x >>> 0 < imm >>> 0) exc = ExcCode.Tr; break;
              case 0x0c: if (x === imm) exc = ExcCode.Tr; break;
              case 0x0e: if (x !== imm) exc = ExcCode.Tr; break;
              case 0x1f: break; // synci
              default: exc = ExcCode.RI; break;
            }
            break;
          }
          case 0x02: case 0x03:
            if (wasDelay) { exc = ExcCode.RI; break; }
            if (w & 0x04000000) r[31] = cur + 8;
            inDelay = true;
            target = ((cur + 4) & 0xf0000000) | ((w & 0x3ffffff) << 2);
            break;
          case 0x04: case 0x05: case 0x06: case 0x07:
          case 0x14: case 0x15: case 0x16: case 0x17: {
            if (wasDelay) { exc = ExcCode.RI; break; }
            const x = r[rs];
            const k = (w >>> 26) & 3;
            const taken = k === 0 ? x === r[rt] : k === 1 ? x !== r[rt] : k === 2 ? x <= 0 : x > 0;
            if (taken) {
              inDelay = true;
              target = (cur + 4 + (imm << 2)) | 0;
            } else if (w & 0x40000000) pc = (cur + 8) | 0;
            else {
              inDelay = true;
              target = (cur + 8) | 0;
            }
            break;
          }
          case 0x08: {
            v = (r[rs] + imm) | 0;
            if ((r[rs] ^ v) & (imm ^ v) & 0x80000000) exc = ExcCode.Ov;
            else if (rt !== 0) r[rt] = v;
            break;
          }
          case 0x09: if (rt !== 0) r[rt] = (r[rs] + imm) | 0; break;
          case 0x0a: if (rt !== 0) r[rt] = r[rs] < imm ? 1 : 0; break;
          case 0x0b: if (rt !== 0) r[rt] = r[rs] >>> 0 < imm >>> 0 ? 1 : 0; break;
          case 0x0c: if (rt !== 0) r[rt] = r[rs] & (w & 0xffff); break;
          case 0x0d: if (rt !== 0) r[rt] = r[rs] | (w & 0xffff); break;
          case 0x0e: if (rt !== 0) r[rt] = r[rs] ^ (w & 0xffff); break;
          case 0x0f: if (rt !== 0) r[rt] = w << 16; break;
          case 0x10: {
            // COP0 (Count and the idle logic need the exact count of instructions before this one)
            this.instructionCount = startCount + executed;
            if (!this.kernelMode && !(this.status & ST_CU0)) {
              exc = ExcCode.CpU;
              break;
            }
            const rd = (w >>> 11) & 31;
            if (rs === 0x00 && (w & 0x7f8) === 0) {
              if (rt !== 0) r[rt] = this.readCp0(rd, w & 7);
            } else if (rs === 0x04 && (w & 0x7f8) === 0) {
              this.writeCp0(rd, w & 7, r[rt]);
              leave = true;
            } else if (rs === 0x0b && (w & 0xffff) === 0x6000) {
              if (rt !== 0) r[rt] = this.status;
              this.status &= ~ST_IE;
              leave = true;
            } else if (rs === 0x0b && (w & 0xffff) === 0x6020) {
              if (rt !== 0) r[rt] = this.status;
              this.status |= ST_IE;
              leave = true;
            } else if ((rs === 0x0a || rs === 0x0e) && (w & 0x7ff) === 0) {
              const rdd = (w >>> 11) & 31;
              if (rdd !== 0) r[rdd] = r[rt]; // rdpgpr/wrpgpr: one shadow set, the current one
            } else if (w === 0x42000018) {
              if (wasDelay) { exc = ExcCode.RI; break; }
              if (this.status & ST_ERL) {
                pc = this.errorEpc;
                this.status &= ~ST_ERL;
              } else {
                pc = this.epc;
                this.status &= ~ST_EXL;
              }
              this.llBit = false;
              this.updateMode();
              leave = true;
            } else if ((w & 0xfe00003f) === 0x42000020) {
              // wait: the next instruction runs after an interrupt (or never).
              this.pc = pc >>> 0;
              this.inDelaySlot = false;
              this.idle();
              leave = true;
            } else exc = ExcCode.RI; // TLB operations, deret, anything else
            break;
          }
          case 0x11: case 0x13: case 0x31: case 0x35: case 0x39: case 0x3d: exc = ExcCode.CpU; ce = 1; break;
          case 0x12: case 0x32: case 0x36: case 0x3a: case 0x3e: exc = ExcCode.CpU; ce = 2; break;
          case 0x1c: {
            const rd = (w >>> 11) & 31;
            switch (w & 63) {
              case 0x00: case 0x01: case 0x04: case 0x05: {
                const x = r[rs];
                const y = r[rt];
                const fn = w & 63;
                const plo = Math.imul(x, y) >>> 0;
                const phi = fn & 1 ? mulHighUnsigned(x >>> 0, y >>> 0) : mulHighSigned(x, y) >>> 0;
                const lo = this.lo >>> 0;
                if (fn < 4) {
                  const s = lo + plo;
                  this.lo = s | 0;
                  this.hi = (this.hi + phi + (s >= TWO32 ? 1 : 0)) | 0;
                } else {
                  this.lo = (lo - plo) | 0;
                  this.hi = (this.hi - phi - (lo < plo ? 1 : 0)) | 0;
                }
                break;
              }
              case 0x02: if (rd !== 0) r[rd] = Math.imul(r[rs], r[rt]); break;
              case 0x20: if (rd !== 0) r[rd] = Math.clz32(r[rs]); break;
              case 0x21: if (rd !== 0) r[rd] = Math.clz32(~r[rs]); break;
              case 0x3f:
                if (this.onHypercall === null || wasDelay) exc = ExcCode.RI;
                else {
                  this.pc = pc >>> 0;
                  this.inDelaySlot = false;
                  this.instructionCount = startCount + executed;
                  if (!this.onHypercall((w >>> 6) & 0xfffff, this)) {
                    exc = ExcCode.RI;
                    break;
                  }
                  pc = this.pc | 0;
                  inDelay = this.inDelaySlot;
                  target = this.branchTarget | 0;
                  leave = true;
                }
                break;
              default: exc = ExcCode.RI; break;
            }
            break;
          }
          case 0x1f: {
            const rd = (w >>> 11) & 31;
            const sa = (w >>> 6) & 31;
            switch (w & 63) {
              case 0x00: { // ext
                const size = rd + 1;
                if (rt !== 0) r[rt] = size >= 32 ? r[rs] >>> sa : (r[rs] >>> sa) & ((1 << size) - 1);
                break;
              }
              case 0x04: { // ins
                if (rd >= sa && rt !== 0) {
                  const size = rd - sa + 1;
                  const mask = (size >= 32 ? -1 : (1 << size) - 1) << sa;
                  r[rt] = (r[rt] & ~mask) | ((r[rs] << sa) & mask);
                }
                break;
              }
              case 0x20: {
                const x = r[rt];
                if (sa === 0x02) v = ((x & 0x00ff00ff) << 8) | ((x >>> 8) & 0x00ff00ff);
                else if (sa === 0x10) v = (x << 24) >> 24;
                else if (sa === 0x18) v = (x << 16) >> 16;
                else { exc = ExcCode.RI; break; }
                if (rd !== 0) r[rd] = v;
                break;
              }
              case 0x3b: { // rdhwr
                this.instructionCount = startCount + executed;
                if (!this.kernelMode && !(this.status & ST_CU0) && !((this.hwrEna >>> rd) & 1)) { exc = ExcCode.RI; break; }
                if (rd === 0) v = 0;
                else if (rd === 1) v = 32;
                else if (rd === 2) v = this.count | 0;
                else if (rd === 3) v = 1;
                else if (rd === 29) v = this.userLocal;
                else { exc = ExcCode.RI; break; }
                if (rt !== 0) r[rt] = v;
                break;
              }
              default: exc = ExcCode.RI; break;
            }
            break;
          }
          case 0x20: case 0x24: { // lb, lbu
            a = (r[rs] + imm) | 0;
            if ((a & -4096) === lpBase) v = lpB[a & 4095];
            else if ((p = R[a >>> 22][(a >>> 12) & 1023]) !== null) {
              lpBase = a & -4096; lpB = p.u8; lpH = p.u16; lpW = p.i32;
              v = lpB[a & 4095];
            } else {
              leave = true;
              this.instructionCount = startCount + executed; // devices see the exact time
              v = this.loadSlow(a, 1);
              if (this.faultCode >= 0) { exc = this.faultCode; this.faultCode = -1; bad = a; hasBad = true; break; }
            }
            if (rt !== 0) r[rt] = w & 0x10000000 ? v : (v << 24) >> 24;
            break;
          }
          case 0x21: case 0x25: { // lh, lhu
            a = (r[rs] + imm) | 0;
            if ((a & -4095) === lpBase) v = lpH[(a & 4095) >> 1];
            else if (a & 1) { exc = ExcCode.AdEL; bad = a; hasBad = true; break; }
            else if ((p = R[a >>> 22][(a >>> 12) & 1023]) !== null) {
              lpBase = a & -4096; lpB = p.u8; lpH = p.u16; lpW = p.i32;
              v = lpH[(a & 4095) >> 1];
            } else {
              leave = true;
              this.instructionCount = startCount + executed; // devices see the exact time
              v = this.loadSlow(a, 2);
              if (this.faultCode >= 0) { exc = this.faultCode; this.faultCode = -1; bad = a; hasBad = true; break; }
            }
            if (rt !== 0) r[rt] = w & 0x10000000 ? v : (v << 16) >> 16;
            break;
          }
          case 0x23: case 0x30: { // lw, ll
            a = (r[rs] + imm) | 0;
            if ((a & -4093) === lpBase) v = lpW[(a & 4095) >> 2];
            else if (a & 3) { exc = ExcCode.AdEL; bad = a; hasBad = true; break; }
            else if ((p = R[a >>> 22][(a >>> 12) & 1023]) !== null) {
              lpBase = a & -4096; lpB = p.u8; lpH = p.u16; lpW = p.i32;
              v = lpW[(a & 4095) >> 2];
            } else {
              leave = true;
              this.instructionCount = startCount + executed; // devices see the exact time
              v = this.loadSlow(a, 4);
              if (this.faultCode >= 0) { exc = this.faultCode; this.faultCode = -1; bad = a; hasBad = true; break; }
            }
            if (rt !== 0) r[rt] = v;
            if (w & 0x40000000) {
              this.llBit = true;
              this.llAddr = a;
            }
            break;
          }
          case 0x22: case 0x26: { // lwl, lwr
            a = (r[rs] + imm) | 0;
            const al = a & ~3;
            const p = R[al >>> 22][(al >>> 12) & 1023];
            if (p !== null) v = p.i32[(al & 4095) >> 2];
            else {
              leave = true;
              this.instructionCount = startCount + executed; // devices see the exact time
              v = this.loadSlow(al, 4);
              if (this.faultCode >= 0) { exc = this.faultCode; this.faultCode = -1; bad = a; hasBad = true; break; }
            }
            const sh = (a & 3) * 8;
            if (rt !== 0) {
              if (w & 0x10000000) r[rt] = sh === 0 ? v : (v >>> sh) | (r[rt] & ~(-1 >>> sh)); // lwr
              else r[rt] = sh === 24 ? v : (v << (24 - sh)) | (r[rt] & ((1 << (24 - sh)) - 1)); // lwl
            }
            break;
          }
          case 0x28: { // sb
            a = (r[rs] + imm) | 0;
            if ((a & -4096) === spBase) spB[a & 4095] = r[rt];
            else if ((p = W[a >>> 22][(a >>> 12) & 1023]) !== null) {
              spBase = a & -4096; spB = p.u8; spH = p.u16; spW = p.i32;
              spB[a & 4095] = r[rt];
            } else {
              this.instructionCount = startCount + executed; // devices see the exact time
              this.storeSlow(a, 1, r[rt] & 0xff);
              if (this.faultCode >= 0) { exc = this.faultCode; this.faultCode = -1; bad = a; hasBad = true; break; }
              leave = true;
            }
            break;
          }
          case 0x29: { // sh
            a = (r[rs] + imm) | 0;
            if ((a & -4095) === spBase) spH[(a & 4095) >> 1] = r[rt];
            else if (a & 1) { exc = ExcCode.AdES; bad = a; hasBad = true; break; }
            else if ((p = W[a >>> 22][(a >>> 12) & 1023]) !== null) {
              spBase = a & -4096; spB = p.u8; spH = p.u16; spW = p.i32;
              spH[(a & 4095) >> 1] = r[rt];
            } else {
              this.instructionCount = startCount + executed; // devices see the exact time
              this.storeSlow(a, 2, r[rt] & 0xffff);
              if (this.faultCode >= 0) { exc = this.faultCode; this.faultCode = -1; bad = a; hasBad = true; break; }
              leave = true;
            }
            break;
          }
          case 0x2b: { // sw
            a = (r[rs] + imm) | 0;
            if ((a & -4093) === spBase) spW[(a & 4095) >> 2] = r[rt];
            else if (a & 3) { exc = ExcCode.AdES; bad = a; hasBad = true; break; }
            else if ((p = W[a >>> 22][(a >>> 12) & 1023]) !== null) {
              spBase = a & -4096; spB = p.u8; spH = p.u16; spW = p.i32;
              spW[(a & 4095) >> 2] = r[rt];
            } else {
              this.instructionCount = startCount + executed; // devices see the exact time
              this.storeSlow(a, 4, r[rt]);
              if (this.faultCode >= 0) { exc = this.faultCode; this.faultCode = -1; bad = a; hasBad = true; break; }
              leave = true;
            }
            break;
          }
          case 0x38: { // sc
            a = (r[rs] + imm) | 0;
            if (a & 3) { exc = ExcCode.AdES; bad = a; hasBad = true; break; }
            if (this.llBit) {
              const p = W[a >>> 22][(a >>> 12) & 1023];
              if (p !== null) p.i32[(a & 4095) >> 2] = r[rt];
              else {
                this.instructionCount = startCount + executed; // devices see the exact time
                this.storeSlow(a, 4, r[rt]);
                if (this.faultCode >= 0) { exc = this.faultCode; this.faultCode = -1; bad = a; hasBad = true; break; }
                leave = true;
              }
            }
            if (rt !== 0) r[rt] = this.llBit ? 1 : 0;
            this.llBit = false;
            break;
          }
          case 0x2a: case 0x2e: { // swl, swr
            a = (r[rs] + imm) | 0;
            const al = a & ~3;
            // Read-modify-write of the aligned word; a fault is a store fault.
            const rp = R[al >>> 22][(al >>> 12) & 1023];
            let old: number;
            if (rp !== null && W[al >>> 22][(al >>> 12) & 1023] !== null) old = rp.i32[(al & 4095) >> 2];
            else {
              const k = this.space.resolve(al, Access.Write, this.kernelMode);
              if (k >= 0) { exc = k; bad = a; hasBad = true; break; }
              leave = true;
              this.instructionCount = startCount + executed; // devices see the exact time
              old = this.loadSlow(al, 4);
              if (this.faultCode >= 0) { exc = this.faultCode === ExcCode.TLBL ? ExcCode.TLBS : ExcCode.AdES; this.faultCode = -1; bad = a; hasBad = true; break; }
            }
            const sh = (a & 3) * 8;
            const x = r[rt];
            if (w & 0x10000000) v = sh === 0 ? x : (old & ((1 << sh) - 1)) | (x << sh); // swr
            else v = sh === 24 ? x : (old & ~(-1 >>> (24 - sh))) | (x >>> (24 - sh)); // swl
            const p = W[al >>> 22][(al >>> 12) & 1023];
            if (p !== null) p.i32[(al & 4095) >> 2] = v;
            else {
              this.instructionCount = startCount + executed; // devices see the exact time
              this.storeSlow(al, 4, v);
              if (this.faultCode >= 0) { exc = this.faultCode; this.faultCode = -1; bad = a; hasBad = true; break; }
              leave = true;
            }
            break;
          }
          case 0x2f: // cache
            if (!this.kernelMode && !(this.status & ST_CU0)) exc = ExcCode.CpU;
            break;
          case 0x33: break; // pref
          default: exc = ExcCode.RI; break;
        }
      }
      if (exc >= 0) {
        // Precise: nothing of this instruction happened (fetch faults, loads, stores and traps check first).
        if (this.raise(exc, cur, wasDelay, wasDelay ? target : 0, hasBad ? bad : undefined, ce)) executed++;
        raised = true;
        break;
      }
      executed++;
      // Whatever may need the dispatcher (a slow memory access — MMIO devices, code invalidation —,
      // CP0 writes, hypercalls) sets `leave`: the loop needs no other test of cpu state.
      if (leave || (untilTransfer && pc !== ((cur + 4) | 0) && this.blocks.dispatchAt(pc >>> 0))) break;
    }
    if (!raised) {
      this.pc = pc >>> 0;
      this.inDelaySlot = inDelay;
      this.branchTarget = target >>> 0;
    }
    regions.counts[regId] += executed - regionFrom;
    this.instructionCount = startCount + executed;
  }
}
