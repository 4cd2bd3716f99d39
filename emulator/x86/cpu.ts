// The guest x86 CPU: IA-32 integer instruction set, 32-bit flat user mode (see
// /work/notes/x86-contract.md for the contract other modules code against).
//
// Execution: code is decoded a trace at a time (a basic block that also follows direct jmp
// and call) and compiled (block-compiler.ts) into one JavaScript function, cached by start
// address. Inside it, guest registers live in JS locals, condition flags are lazy (and not
// computed at all when a later instruction overwrites them before any read or possible
// fault), and a block that branches back to its own start loops internally. Faults are
// precise: each instruction reads and checks before it writes, and the block reports which
// instruction threw.
// Self-modifying code: pages holding compiled code are write-watched; a store to one drops
// its blocks and, if it came from a running block, ends that block right after the storing
// instruction, so the next instruction is decoded afresh (as the CPU snoops its own stores).
// run() dispatches whole blocks while the budget allows and single-instruction blocks for the
// remainder, so `limit` is exact. Breakpoints: when any are set, blocks are cut before every
// breakpoint address and the dispatcher checks the set; with none set it costs one branch per
// block. A breakpoint at the eip where run() starts is not reported (that is how a debugger
// continues from it); one reached later is reported before the instruction executes.
// Known limits: memory accesses with 16-bit addressing (0x67; lea works) and 0x66 near branches
// stop as 'unsupported'. A page whose code keeps being stored to becomes 'volatile': its code
// then runs one byte-verified instruction per block (slower, still exact).

import { MemoryFault, PagedMemory, PAGE_MASK, PAGE_SHIFT } from '../machine/paged-memory';
import { BLOCK_ENDERS, blockFunctionSource, compileBlockSource, isSelfLoop } from './block-compiler';
import { DecodedInstruction, decodeInstruction } from './decoder';
import * as lazy from './lazy-flags';
import * as flagBits from './table';

// Local copies: imported bindings compile to getter calls under CommonJS, too slow here.
const { LF_AUX, LF_DF, LF_KIND, LF_LENGTH, LF_OTHER, LF_RES, LF_A, LF_B, OP_EAGER, OP_SUB, PARITY } = lazy;
const { carryFlag, conditionHolds, lazyKind, materializeStatus } = lazy;
const { AF, CF, DF, OF, PF, SF, STATUS_FLAGS, ZF } = flagBits;

export type X86StopReason =
  | { kind: 'limit' }
  | { kind: 'syscall' }
  | { kind: 'breakpoint'; address: number }
  | { kind: 'halt' }
  | { kind: 'fault'; fault: X86Fault; message: string; address?: number; access?: 'read' | 'write' | 'execute'; vector?: number };
export type X86Fault = 'page' | 'divide' | 'invalid-opcode' | 'unsupported' | 'general-protection' | 'int3' | 'interrupt';

export const REG_EAX = 0, REG_ECX = 1, REG_EDX = 2, REG_EBX = 3, REG_ESP = 4, REG_EBP = 5, REG_ESI = 6, REG_EDI = 7;
export const SEG_ES = 0, SEG_CS = 1, SEG_SS = 2, SEG_DS = 3, SEG_FS = 4, SEG_GS = 5;

const NT = 0x4000;
const AC = 0x40000;
const ID = 0x200000;
const USER_WRITABLE_OTHER = NT | AC | ID;
const EFLAGS_FIXED = 0x2 | 0x200; // reserved bit 1, IF

const MAX_BLOCK_INSTRUCTIONS = 64;
/** Store-invalidations of one page after which it is treated as volatile (see onWatchedWrite). */
const VOLATILE_AFTER_INVALIDATIONS = 16;

/** A CPU exception raised by an instruction (not a memory fault). */
export class X86Exception {
  constructor(
    readonly fault: X86Fault,
    readonly message: string,
    readonly vector?: number,
  ) {}
}

/** Runs the block; self-looping blocks iterate at most maxIter times (count in cpu.iterations). */
type BlockFunction = (maxIter: number) => number;

interface Block {
  readonly start: number;
  readonly count: number;
  /** Address of each instruction (for precise faults). */
  readonly addresses: Int32Array;
  readonly fn: BlockFunction;
  /** Pages holding the block's instruction bytes (a block may follow direct jumps and calls). */
  readonly pages: readonly number[];
  readonly selfLoop: boolean;
  valid: boolean;
  /** For blocks on 'volatile' pages (not write-watched): the instruction bytes, re-checked
   * before every execution. */
  readonly verify: Uint8Array | null;
  /** Successor cache (two most recent distinct next addresses). */
  nextAddress0: number;
  nextBlock0: Block | null;
  nextAddress1: number;
  nextBlock1: Block | null;
}

function hex8(n: number): string {
  return '0x' + (n >>> 0).toString(16).padStart(8, '0');
}

export class X86Cpu {
  readonly regs = new Int32Array(8);
  eip = 0;
  readonly segmentSelectors = new Uint16Array([0x2b, 0x23, 0x2b, 0x2b, 0, 0]);
  readonly segmentBases = new Int32Array(6);
  instructionCount = 0;

  /** Lazy flag state (lazy-flags.ts); internal but shared with compiled blocks. */
  readonly lazyFlags = new Int32Array(LF_LENGTH);
  readonly parityTable = PARITY;

  // Set by compiled blocks.
  faultIndex = 0;
  faultError: unknown = null;
  stopEip = 0;
  stopKind = 0;
  /** Set when a guest store hits a page holding compiled code; the running block then stops
   * after that instruction so the next one is decoded afresh (self-modifying code). */
  smcFlag = 0;
  iterations = 1;

  private readonly descriptorBases = new Map<number, number>();
  private readonly blocks = new Map<number, Block>();
  private readonly singles = new Map<number, Block>();
  private readonly pageBlocks = new Map<number, Block[]>();
  private readonly breakpoints = new Set<number>();
  private readonly invalidationCounts = new Map<number, number>();
  private readonly volatilePages = new Set<number>();
  private blockInstructions: DecodedInstruction[] = [];

  readonly fastRead8: (a: number) => number;
  readonly fastRead16: (a: number) => number;
  readonly fastRead32: (a: number) => number;
  readonly fastWrite8: (a: number, v: number) => void;
  readonly fastWrite16: (a: number, v: number) => void;
  readonly fastWrite32: (a: number, v: number) => void;
  readonly carryFn: () => number;
  readonly mulHighFn = mulHigh32;
  readonly mulHighSignedFn = mulHigh32Signed;
  readonly condFn: (cond: number) => boolean;

  constructor(readonly memory: PagedMemory) {
    const RP = memory.readPages;
    const WP = memory.writePages;
    this.fastRead8 = (a) => {
      const p = RP[a >>> 12];
      return p !== null ? p[a & 4095] : memory.read8(a);
    };
    this.fastRead16 = (a) => {
      const o = a & 4095;
      const p = RP[a >>> 12];
      return p !== null && o < 4095 ? p[o] | (p[o + 1] << 8) : memory.read16(a);
    };
    this.fastRead32 = (a) => {
      const o = a & 4095;
      const p = RP[a >>> 12];
      return p !== null && o < 4093 ? p[o] | (p[o + 1] << 8) | (p[o + 2] << 16) | (p[o + 3] << 24) : memory.read32(a);
    };
    this.fastWrite8 = (a, v) => {
      const p = WP[a >>> 12];
      if (p !== null) p[a & 4095] = v;
      else memory.write8(a, v);
    };
    this.fastWrite16 = (a, v) => {
      const o = a & 4095;
      const p = WP[a >>> 12];
      if (p !== null && o < 4095) {
        p[o] = v;
        p[o + 1] = v >>> 8;
      } else memory.write16(a, v);
    };
    this.fastWrite32 = (a, v) => {
      const o = a & 4095;
      const p = WP[a >>> 12];
      if (p !== null && o < 4093) {
        p[o] = v;
        p[o + 1] = v >>> 8;
        p[o + 2] = v >>> 16;
        p[o + 3] = v >>> 24;
      } else memory.write32(a, v);
    };
    const lf = this.lazyFlags;
    this.carryFn = () => carryFlag(lf);
    this.condFn = (cond) => conditionHolds(cond, materializeStatus(lf));
    this.lazyFlags[LF_KIND] = OP_EAGER;
    const previous = memory.onWatchedWrite;
    memory.onWatchedWrite = (pn) => {
      this.smcFlag = 1;
      // A page whose compiled code keeps being written (data sharing a page with hot code, or
      // a program generating code) stops being watched; its blocks check their bytes instead.
      const n = (this.invalidationCounts.get(pn) ?? 0) + 1;
      this.invalidationCounts.set(pn, n);
      if (n > VOLATILE_AFTER_INVALIDATIONS) this.volatilePages.add(pn);
      this.invalidatePage(pn);
      if (previous !== null) previous(pn);
    };
  }

  // ---------------------------------------------------------------- architectural state

  getEflags(): number {
    const lf = this.lazyFlags;
    return (materializeStatus(lf) | (lf[LF_DF] ? DF : 0) | lf[LF_OTHER] | EFLAGS_FIXED) >>> 0;
  }

  setEflags(value: number): void {
    const lf = this.lazyFlags;
    lf[LF_KIND] = OP_EAGER;
    lf[LF_AUX] = value & STATUS_FLAGS;
    lf[LF_DF] = value & DF ? 1 : 0;
    lf[LF_OTHER] = value & USER_WRITABLE_OTHER;
  }

  /** popf in user mode: IF/IOPL/VM/RF are not writable; TF is not emulated. */
  setEflagsUser(value: number): void {
    this.setEflags(value);
  }

  setDescriptorBase(gdtIndex: number, base: number): void {
    this.descriptorBases.set(gdtIndex, base | 0);
    for (let s = 0; s < 6; s++) if (this.segmentSelectors[s] >> 3 === gdtIndex && this.segmentSelectors[s] & 0xfffc) this.segmentBases[s] = base | 0;
  }

  /** mov/pop to a segment register: flat code/data selectors, null (not SS), or a TLS descriptor. */
  loadSegment(seg: number, selector: number): void {
    selector &= 0xffff;
    let base = 0;
    if ((selector & 0xfffc) === 0) {
      if (seg === SEG_SS) throw new X86Exception('general-protection', `null selector loaded into %ss`, 13);
    } else {
      const index = selector >> 3;
      const known = index === 4 || index === 5 || this.descriptorBases.has(index);
      if (selector & 4 || !known || (seg === SEG_SS && (index !== 5 || (selector & 3) !== 3))) {
        throw new X86Exception('general-protection', `selector 0x${selector.toString(16)} has no usable descriptor`, 13);
      }
      base = this.descriptorBases.get(index) ?? 0;
    }
    this.segmentSelectors[seg] = selector;
    this.segmentBases[seg] = base;
  }

  statusFlags(): number {
    return materializeStatus(this.lazyFlags);
  }

  setStatusFlags(status: number): void {
    this.lazyFlags[LF_KIND] = OP_EAGER;
    this.lazyFlags[LF_AUX] = status & STATUS_FLAGS;
  }

  setCarry(bit: number): void {
    this.setStatusFlags((this.statusFlags() & ~CF) | bit);
  }

  setZero(bit: number): void {
    this.setStatusFlags((this.statusFlags() & ~ZF) | (bit ? ZF : 0));
  }

  checkWrite(address: number, length: number): void {
    this.memory.checkWrite(address, length);
  }

  // ---------------------------------------------------------------- breakpoints and code cache

  addBreakpoint(address: number): void {
    address >>>= 0;
    if (this.breakpoints.has(address)) return;
    this.breakpoints.add(address);
    this.flushAll();
  }

  removeBreakpoint(address: number): void {
    if (this.breakpoints.delete(address >>> 0)) this.flushAll();
  }

  clearBreakpoints(): void {
    if (this.breakpoints.size === 0) return;
    this.breakpoints.clear();
    this.flushAll();
  }

  invalidateCode(address: number, length: number): void {
    if (length <= 0) return;
    const first = address >>> PAGE_SHIFT;
    const last = ((address + length - 1) >>> 0) >>> PAGE_SHIFT;
    for (let pn = first; ; pn = (pn + 1) >>> 0) {
      this.invalidatePage(pn);
      if (pn === last) break;
    }
  }

  private flushAll(): void {
    for (const pn of [...this.pageBlocks.keys()]) this.invalidatePage(pn);
    this.blocks.clear();
    this.singles.clear();
  }

  private invalidatePage(pn: number): void {
    const list = this.pageBlocks.get(pn);
    if (list === undefined) return;
    this.pageBlocks.delete(pn);
    for (const b of list) {
      if (!b.valid) continue;
      b.valid = false;
      const map = b.count === 1 && this.singles.get(b.start) === b ? this.singles : this.blocks;
      if (map.get(b.start) === b) map.delete(b.start);
      if (this.blocks.get(b.start) === b) this.blocks.delete(b.start);
    }
    this.memory.unwatch(pn);
  }

  private register(b: Block): void {
    for (const pn of b.pages) {
      let list = this.pageBlocks.get(pn);
      if (list === undefined) {
        list = [];
        this.pageBlocks.set(pn, list);
        if (!this.volatilePages.has(pn)) this.memory.watch(pn);
      }
      list.push(b);
    }
  }

  private readonly fetchByte = (address: number): number => this.memory.executablePage(address)[address & PAGE_MASK];

  /** Decodes and compiles the block at `start` (at most `max` instructions). Throws MemoryFault
   * when the first instruction cannot be fetched. */
  private compile(start: number, max: number): Block {
    const list = this.blockInstructions;
    list.length = 0;
    let address = start;
    const bps = this.breakpoints;
    const visited = new Set<number>();
    const volatile = this.volatilePages;
    // Code on a volatile page runs one verified instruction per block.
    if (volatile.size !== 0 && volatile.has(start >>> PAGE_SHIFT)) max = 1;
    while (list.length < max) {
      if (list.length > 0 && bps.size !== 0 && bps.has(address)) break;
      visited.add(address);
      let d: DecodedInstruction;
      try {
        d = decodeInstruction(this.fetchByte, address);
      } catch (e) {
        if (list.length === 0) throw e;
        break;
      }
      const bad = d.status !== 'ok' || d.lockInvalid;
      if (bad && list.length > 0) break;
      if (list.length > 0 && volatile.size !== 0 && (volatile.has(address >>> PAGE_SHIFT) || volatile.has(((address + d.length - 1) >>> 0) >>> PAGE_SHIFT))) break;
      list.push(d);
      const op = d.entry?.op ?? 'invalid';
      // Direct jumps and calls are followed (the block continues at the target) unless that
      // closes a loop, which is left to the self-loop form or the next block.
      if ((op === 'jmp' || op === 'call') && !bad && list.length < max && d.target !== start && !visited.has(d.target)) {
        address = d.target;
        continue;
      }
      if (bad || BLOCK_ENDERS.has(op)) break;
      address = (address + d.length) >>> 0;
    }
    const selfLoop = max > 1 && isSelfLoop(list) && !bps.has(start);
    const body = compileBlockSource(list, (d) => this.describeInstruction(d), selfLoop);
    const source = blockFunctionSource(`block_${start.toString(16)}`, body, selfLoop);
    const fn = new Function('c', source)(this) as BlockFunction;
    const pages = new Set<number>();
    for (const d of list) {
      pages.add(d.address >>> PAGE_SHIFT);
      pages.add(((d.address + d.length - 1) >>> 0) >>> PAGE_SHIFT);
    }
    const block: Block = {
      start,
      count: list.length,
      addresses: Int32Array.from(list.map((d) => d.address)),
      fn,
      pages: [...pages],
      selfLoop,
      valid: true,
      verify: [...pages].some((pn) => this.volatilePages.has(pn)) ? Uint8Array.from({ length: list[0].length }, (_, i) => this.fetchByte((start + i) >>> 0)) : null,
      nextAddress0: -1,
      nextBlock0: null,
      nextAddress1: -1,
      nextBlock1: null,
    };
    this.blockInstructions = list;
    this.register(block);
    return block;
  }

  /** 'unsupported instruction (bytes d9 c0): x87 is outside ...' for fault messages. */
  private describeInstruction(d: DecodedInstruction): string {
    const bytes: string[] = [];
    for (let i = 0; i < Math.max(d.length, 1); i++) {
      try {
        bytes.push(this.fetchByte((d.address + i) >>> 0).toString(16).padStart(2, '0'));
      } catch {
        break;
      }
    }
    const what = d.status === 'unsupported' ? 'unsupported instruction' : d.entry?.op === 'ud2' ? `${d.entry.mnemonic}` : 'invalid instruction';
    const why = d.lockInvalid && d.status === 'ok' ? 'lock prefix not allowed here' : d.reason;
    return `${what} (bytes ${bytes.join(' ')}${why ? ': ' + why : ''})`;
  }

  // ---------------------------------------------------------------- the run loop

  run(limit: number): X86StopReason {
    let remaining = Math.floor(limit);
    this.smcFlag = 0;
    let eip = this.eip >>> 0;
    const blocks = this.blocks;
    const bps = this.breakpoints;
    let first = true;
    let prev: Block | null = null;
    while (remaining > 0) {
      if (bps.size !== 0 && !first && bps.has(eip)) {
        this.eip = eip;
        return { kind: 'breakpoint', address: eip };
      }
      first = false;
      // Successor cache first, then the block map.
      let b: Block | undefined | null = null;
      if (prev !== null) {
        if (prev.nextAddress0 === eip) b = prev.nextBlock0;
        else if (prev.nextAddress1 === eip) b = prev.nextBlock1;
        if (b !== null && !b.valid) b = null;
      }
      if (b === null) {
        b = blocks.get(eip);
        if (b !== undefined && prev !== null) {
          prev.nextAddress1 = prev.nextAddress0;
          prev.nextBlock1 = prev.nextBlock0;
          prev.nextAddress0 = eip;
          prev.nextBlock0 = b;
        }
      }
      if (b === undefined || b.count > remaining) {
        try {
          if (b === undefined && remaining >= MAX_BLOCK_INSTRUCTIONS) {
            b = this.compile(eip, MAX_BLOCK_INSTRUCTIONS);
            blocks.set(eip, b);
          } else {
            b = this.singles.get(eip);
            if (b === undefined) {
              b = this.compile(eip, 1);
              this.singles.set(eip, b);
            }
          }
        } catch (e) {
          this.eip = eip;
          return this.faultStop(e);
        }
      }
      if (b.verify !== null && !this.codeUnchanged(b)) {
        // Its bytes changed on a volatile page: drop it and look again (nothing executed).
        this.dropBlock(b);
        prev = null;
        first = true;
        continue;
      }
      this.eip = eip;
      const loops = b.selfLoop;
      const next = b.fn(loops ? Math.floor(remaining / b.count) : 1);
      if (next >= 0) {
        const n = loops ? b.count * this.iterations : b.count;
        this.instructionCount += n;
        remaining -= n;
        eip = next;
        prev = b;
        continue;
      }
      if (next === -3) {
        // A store into compiled code: the instructions up to and including it retired.
        const n = (loops ? b.count * (this.iterations - 1) : 0) + this.faultIndex;
        this.instructionCount += n;
        remaining -= n;
        eip = this.stopEip >>> 0;
        this.smcFlag = 0;
        prev = null;
        continue;
      }
      if (next === -2) {
        this.instructionCount += b.count;
        this.eip = this.stopEip >>> 0;
        return this.stopKind === 1 ? { kind: 'syscall' } : { kind: 'halt' };
      }
      // Fault inside the block: the instructions before it retired.
      this.instructionCount += (loops ? b.count * (this.iterations - 1) : 0) + this.faultIndex;
      this.eip = b.addresses[this.faultIndex] >>> 0;
      const err = this.faultError;
      this.faultError = null;
      return this.faultStop(err);
    }
    this.eip = eip;
    return { kind: 'limit' };
  }

  private codeUnchanged(b: Block): boolean {
    const bytes = b.verify as Uint8Array;
    try {
      for (let i = 0; i < bytes.length; i++) if (this.fetchByte((b.start + i) >>> 0) !== bytes[i]) return false;
    } catch {
      return false; // no longer executable: recompiling reports the fault
    }
    return true;
  }

  private dropBlock(b: Block): void {
    b.valid = false;
    if (this.blocks.get(b.start) === b) this.blocks.delete(b.start);
    if (this.singles.get(b.start) === b) this.singles.delete(b.start);
  }

  /** Called by a block after a store that hit compiled code: `retired` instructions of this
   * pass through the block retired; execution continues at `next`. */
  smcExit(retired: number, next: number): number {
    this.faultIndex = retired;
    this.stopEip = next;
    return -3;
  }

  /** Called by a block's catch clause. */
  blockFault(e: unknown, k: number): number {
    this.faultIndex = k;
    this.faultError = e;
    return -1;
  }

  private faultStop(e: unknown): X86StopReason {
    if (e instanceof MemoryFault) {
      return { kind: 'fault', fault: 'page', message: `${e.message} at eip ${hex8(this.eip)}`, address: e.address >>> 0, access: e.access };
    }
    if (e instanceof X86Exception) {
      const r: X86StopReason = { kind: 'fault', fault: e.fault, message: `${e.message} at eip ${hex8(this.eip)}` };
      if (e.vector !== undefined && e.fault === 'interrupt') r.vector = e.vector;
      return r;
    }
    throw e;
  }

  // ---------------------------------------------------------------- exceptions from blocks

  decodeFault(kind: 'invalid-opcode' | 'unsupported', message: string): X86Exception {
    return new X86Exception(kind, message, kind === 'invalid-opcode' ? 6 : undefined);
  }

  privileged(description: string): X86Exception {
    return new X86Exception('general-protection', `${description.replace(/^unsupported instruction/, 'privileged instruction')}: #GP in user mode`, 13);
  }

  interrupt(vector: number): X86Exception {
    return new X86Exception('interrupt', `int 0x${vector.toString(16)}`, vector);
  }

  int3(): X86Exception {
    return new X86Exception('int3', 'int3 breakpoint trap');
  }

  // ---------------------------------------------------------------- helpers for complex instructions

  cmpxchg8b(ea: number): void {
    const m = this.memory;
    const lo = this.fastRead32(ea);
    const hi = this.fastRead32((ea + 4) | 0);
    m.checkWrite(ea, 8);
    const r = this.regs;
    if (lo === r[REG_EAX] && hi === r[REG_EDX]) {
      this.fastWrite32(ea, r[REG_EBX]);
      this.fastWrite32((ea + 4) | 0, r[REG_ECX]);
      this.setZero(1);
    } else {
      this.fastWrite32(ea, lo);
      this.fastWrite32((ea + 4) | 0, hi);
      r[REG_EAX] = lo;
      r[REG_EDX] = hi;
      this.setZero(0);
    }
  }

  /** pusha/pushaw: the eight registers (ESP as before the first push), `size` bytes each. */
  pusha(size: number): void {
    const r = this.regs;
    const sp = r[REG_ESP];
    const base = (sp - 8 * size) | 0;
    this.memory.checkWrite(base, 8 * size);
    const wr = size === 4 ? this.fastWrite32 : this.fastWrite16;
    for (let i = 0; i < 8; i++) wr((base + size * (7 - i)) | 0, i === REG_ESP ? sp : r[i]);
    r[REG_ESP] = base;
  }

  /** popa/popaw: pops EDI..EAX (skipping the saved ESP); 16-bit form writes the low halves. */
  popa(size: number): void {
    const r = this.regs;
    const sp = r[REG_ESP];
    this.memory.checkRead(sp, 8 * size);
    const v = new Int32Array(8);
    const rd = size === 4 ? this.fastRead32 : this.fastRead16;
    for (let i = 0; i < 8; i++) v[i] = rd((sp + size * (7 - i)) | 0);
    for (let i = 0; i < 8; i++) {
      if (i === REG_ESP) continue;
      r[i] = size === 4 ? v[i] : (r[i] & -65536) | v[i];
    }
    r[REG_ESP] = (sp + 8 * size) | 0;
  }

  /** enter with 32- or 16-bit operand size (the stack itself is always 32-bit). */
  enter(size: number, level: number, operandSize = 4): void {
    level &= 31;
    const r = this.regs;
    const sp = r[REG_ESP];
    const w = operandSize;
    const total = w + (level > 0 ? w * level : 0);
    // Check every access first (precise faults), then push in order: a display entry is read
    // after the preceding pushes, which may have overwritten it (as on hardware).
    this.memory.checkWrite((sp - total) | 0, total);
    for (let i = 1; i < level; i++) this.memory.checkRead((r[REG_EBP] - w * i) | 0, w);
    const wr = w === 4 ? this.fastWrite32 : this.fastWrite16;
    const rd = w === 4 ? this.fastRead32 : this.fastRead16;
    let p = (sp - w) | 0;
    wr(p, r[REG_EBP]);
    const frameTemp = p;
    if (level > 0) {
      let ebp = r[REG_EBP];
      for (let i = 1; i < level; i++) {
        ebp = (ebp - w) | 0;
        const v = rd(ebp);
        p = (p - w) | 0;
        wr(p, v);
      }
      p = (p - w) | 0;
      wr(p, frameTemp);
    }
    r[REG_EBP] = w === 4 ? frameTemp : (r[REG_EBP] & -65536) | (frameTemp & 0xffff);
    r[REG_ESP] = (p - size) | 0;
  }

  // Multiplication and division. Flags: CF = OF = "upper half significant"; SF/ZF/PF from the
  // low half (undefined architecturally); AF cleared.
  private mulFlags(overflow: boolean, low: number, size: number): void {
    const sign = size === 1 ? 0x80 : size === 2 ? 0x8000 : 0x80000000 | 0;
    const mask = size === 4 ? -1 : size === 1 ? 0xff : 0xffff;
    low &= mask;
    let f = PARITY[low & 0xff] ? PF : 0;
    if (low === 0) f |= ZF;
    if (low & sign) f |= SF;
    if (overflow) f |= CF | OF;
    this.setStatusFlags(f);
  }

  mul8(src: number): void {
    const r = this.regs;
    const p = (r[REG_EAX] & 0xff) * src;
    r[REG_EAX] = (r[REG_EAX] & -65536) | p;
    this.mulFlags(p > 0xff, p, 1);
  }
  mul16(src: number): void {
    const r = this.regs;
    const p = (r[REG_EAX] & 0xffff) * src;
    r[REG_EAX] = (r[REG_EAX] & -65536) | (p & 0xffff);
    r[REG_EDX] = (r[REG_EDX] & -65536) | (p >>> 16);
    this.mulFlags(p > 0xffff, p, 2);
  }
  mul32(src: number): void {
    const r = this.regs;
    const a = r[REG_EAX] >>> 0;
    const b = src >>> 0;
    const hi = mulHigh32(a, b);
    r[REG_EAX] = Math.imul(a, b);
    r[REG_EDX] = hi;
    this.mulFlags(hi !== 0, r[REG_EAX], 4);
  }
  imul8(src: number): void {
    const r = this.regs;
    const p = ((r[REG_EAX] << 24) >> 24) * ((src << 24) >> 24);
    r[REG_EAX] = (r[REG_EAX] & -65536) | (p & 0xffff);
    this.mulFlags(p !== (p << 24) >> 24, p, 1);
  }
  imul16(src: number): void {
    const r = this.regs;
    const p = ((r[REG_EAX] << 16) >> 16) * ((src << 16) >> 16);
    r[REG_EAX] = (r[REG_EAX] & -65536) | (p & 0xffff);
    r[REG_EDX] = (r[REG_EDX] & -65536) | ((p >> 16) & 0xffff);
    this.mulFlags(p !== (p << 16) >> 16, p, 2);
  }
  imul32(src: number): void {
    const r = this.regs;
    const a = r[REG_EAX] | 0;
    const b = src | 0;
    const lo = Math.imul(a, b);
    const hi = mulHigh32Signed(a, b);
    r[REG_EAX] = lo;
    r[REG_EDX] = hi;
    this.mulFlags(hi !== lo >> 31, lo, 4);
  }
  /** Two/three-operand imul: the truncated product; sets CF/OF when it does not fit. */
  imulTrunc(size: number, a: number, b: number): number {
    if (size === 2) {
      const p = ((a << 16) >> 16) * ((b << 16) >> 16);
      this.mulFlags(p !== (p << 16) >> 16, p, 2);
      return p & 0xffff;
    }
    const lo = Math.imul(a, b);
    this.mulFlags(mulHigh32Signed(a | 0, b | 0) !== lo >> 31, lo, 4);
    return lo;
  }

  private divideError(): X86Exception {
    return new X86Exception('divide', 'divide error (#DE)', 0);
  }

  div8(src: number): void {
    const r = this.regs;
    if (src === 0) throw this.divideError();
    const n = r[REG_EAX] & 0xffff;
    const q = Math.floor(n / src);
    if (q > 0xff) throw this.divideError();
    r[REG_EAX] = (r[REG_EAX] & -65536) | ((n % src) << 8) | q;
  }
  div16(src: number): void {
    const r = this.regs;
    if (src === 0) throw this.divideError();
    const n = (((r[REG_EDX] & 0xffff) << 16) | (r[REG_EAX] & 0xffff)) >>> 0;
    const q = Math.floor(n / src);
    if (q > 0xffff) throw this.divideError();
    r[REG_EAX] = (r[REG_EAX] & -65536) | q;
    r[REG_EDX] = (r[REG_EDX] & -65536) | n % src;
  }
  div32(src: number): void {
    const r = this.regs;
    const d = src >>> 0;
    if (d === 0) throw this.divideError();
    const hi = r[REG_EDX] >>> 0;
    const lo = r[REG_EAX] >>> 0;
    if (hi === 0) {
      r[REG_EAX] = Math.floor(lo / d);
      r[REG_EDX] = lo % d;
      return;
    }
    if (hi >= d) throw this.divideError();
    const n = (BigInt(hi) << 32n) | BigInt(lo);
    const bd = BigInt(d);
    r[REG_EAX] = Number(n / bd);
    r[REG_EDX] = Number(n % bd);
  }
  idiv8(src: number): void {
    const r = this.regs;
    const d = (src << 24) >> 24;
    if (d === 0) throw this.divideError();
    const n = (r[REG_EAX] << 16) >> 16;
    const q = Math.trunc(n / d);
    if (q > 127 || q < -128) throw this.divideError();
    const rem = n - q * d;
    r[REG_EAX] = (r[REG_EAX] & -65536) | ((rem & 0xff) << 8) | (q & 0xff);
  }
  idiv16(src: number): void {
    const r = this.regs;
    const d = (src << 16) >> 16;
    if (d === 0) throw this.divideError();
    const n = ((r[REG_EDX] & 0xffff) << 16) | (r[REG_EAX] & 0xffff);
    const q = Math.trunc(n / d);
    if (q > 32767 || q < -32768) throw this.divideError();
    const rem = n - q * d;
    r[REG_EAX] = (r[REG_EAX] & -65536) | (q & 0xffff);
    r[REG_EDX] = (r[REG_EDX] & -65536) | (rem & 0xffff);
  }
  idiv32(src: number): void {
    const r = this.regs;
    const d = src | 0;
    if (d === 0) throw this.divideError();
    const lo = r[REG_EAX];
    const hi = r[REG_EDX];
    if (hi === lo >> 31) {
      // The dividend fits in 32 bits: exact in doubles.
      const q = Math.trunc(lo / d);
      if (q > 0x7fffffff || q < -0x80000000) throw this.divideError();
      r[REG_EAX] = q;
      r[REG_EDX] = lo - q * d;
      return;
    }
    const n = (BigInt(hi) << 32n) | BigInt(lo >>> 0);
    const bd = BigInt(d);
    const q = n / bd;
    if (q > 0x7fffffffn || q < -0x80000000n) throw this.divideError();
    r[REG_EAX] = Number(q);
    r[REG_EDX] = Number(n % bd);
  }

  /** Shifts and rotates (op: 0 rol 1 ror 2 rcl 3 rcr 4 shl 5 shr 7 sar). */
  shift(op: number, size: number, v: number, count: number): number {
    count &= 31;
    if (count === 0) return v;
    const bits = size * 8;
    const mask = size === 4 ? -1 : (1 << bits) - 1;
    const sign = size === 4 ? 0x80000000 | 0 : 1 << (bits - 1);
    v &= mask;
    let res: number;
    let cf: number;
    let of: number;
    if (op >= 4) {
      if (op === 4) {
        res = (v << count) & mask;
        cf = count <= bits ? (v >>> (bits - count)) & 1 : 0;
        of = (res & sign ? 1 : 0) ^ cf;
      } else if (op === 5) {
        res = count >= 32 ? 0 : (v >>> count) & mask;
        cf = (v >>> (count - 1)) & 1;
        of = v & sign ? 1 : 0;
      } else {
        const sv = size === 4 ? v | 0 : size === 2 ? (v << 16) >> 16 : (v << 24) >> 24;
        res = (sv >> count) & mask;
        cf = (sv >> (count - 1)) & 1;
        of = 0;
      }
      let f = PARITY[res & 0xff] ? PF : 0;
      if (res === 0) f |= ZF;
      if (res & sign) f |= SF;
      if (cf) f |= CF;
      if (of) f |= OF;
      this.setStatusFlags(f);
      return res;
    }
    const old = this.statusFlags();
    if (op === 0 || op === 1) {
      const t = count & (bits - 1);
      if (op === 0) {
        res = t === 0 ? v : ((v << t) | (v >>> (bits - t))) & mask;
        cf = res & 1;
        of = (res & sign ? 1 : 0) ^ cf;
      } else {
        res = t === 0 ? v : ((v >>> t) | (v << (bits - t))) & mask;
        cf = res & sign ? 1 : 0;
        of = cf ^ (res & (sign >>> 1) ? 1 : 0);
      }
    } else {
      const t = size === 4 ? count : count % (bits + 1);
      const c0 = old & CF;
      if (t === 0) {
        res = v;
        cf = c0;
      } else if (op === 2) {
        res = ((v << t) | (c0 << (t - 1)) | (t > 1 ? v >>> (bits + 1 - t) : 0)) & mask;
        cf = (v >>> (bits - t)) & 1;
      } else {
        res = ((v >>> t) | (c0 << (bits - t)) | (t > 1 ? v << (bits + 1 - t) : 0)) & mask;
        cf = (v >>> (t - 1)) & 1;
      }
      if (op === 2) of = (res & sign ? 1 : 0) ^ cf;
      else of = (res & sign ? 1 : 0) ^ (res & (sign >>> 1) ? 1 : 0);
    }
    this.setStatusFlags((old & ~(CF | OF)) | (cf ? CF : 0) | (of ? OF : 0));
    return res;
  }

  shld(size: number, d: number, s: number, count: number): number {
    count &= 31;
    if (count === 0) return d;
    let res: number;
    let cf: number;
    const sign = size === 4 ? 0x80000000 | 0 : 0x8000;
    if (size === 4) {
      res = (d << count) | (s >>> (32 - count));
      cf = (d >>> (32 - count)) & 1;
    } else {
      // 16-bit: shift the 32-bit d:s (then s again for counts past 16; undefined there).
      const x = ((d & 0xffff) << 16) | (s & 0xffff);
      const y = count <= 16 ? (x << count) | ((s & 0xffff) << count >>> 16) : ((s & 0xffff) << 16 | (d & 0xffff)) << (count - 16);
      res = count <= 16 ? (x << count) >>> 16 : (y >>> 16) & 0xffff;
      res &= 0xffff;
      cf = count <= 16 ? (d >>> (16 - count)) & 1 : (s >>> (32 - count)) & 1;
    }
    this.shiftFlags(res, size, cf, ((res ^ d) & sign) !== 0);
    return res;
  }

  shrd(size: number, d: number, s: number, count: number): number {
    count &= 31;
    if (count === 0) return d;
    let res: number;
    let cf: number;
    const sign = size === 4 ? 0x80000000 | 0 : 0x8000;
    if (size === 4) {
      res = (d >>> count) | (s << (32 - count));
      cf = (d >>> (count - 1)) & 1;
    } else {
      const x = ((s & 0xffff) << 16) | (d & 0xffff);
      if (count <= 16) {
        res = (x >>> count) & 0xffff;
        cf = (d >>> (count - 1)) & 1;
      } else {
        const y = ((d & 0xffff) << 16) | (s & 0xffff);
        res = (y >>> (count - 16)) & 0xffff;
        cf = (s >>> (count - 17)) & 1;
      }
    }
    this.shiftFlags(res, size, cf, ((res ^ d) & sign) !== 0);
    return res;
  }

  private shiftFlags(res: number, size: number, cf: number, of: boolean): void {
    const sign = size === 4 ? 0x80000000 | 0 : 0x8000;
    let f = PARITY[res & 0xff] ? PF : 0;
    if ((size === 4 ? res | 0 : res & 0xffff) === 0) f |= ZF;
    if (res & sign) f |= SF;
    if (cf) f |= CF;
    if (of) f |= OF;
    this.setStatusFlags(f);
  }

  /** String instructions (kind: 0 movs 1 cmps 2 stos 3 lods 4 scas; rep: 0 none, 1 rep/repe, 2 repne;
   * srcSeg: 4/5 for an fs/gs override of the DS:ESI source, else -1). After each completed
   * iteration ECX/ESI/EDI are updated, so a fault part-way leaves the real CPU's state. */
  stringOp(kind: number, size: number, rep: number, srcSeg: number): void {
    const r = this.regs;
    const lf = this.lazyFlags;
    const delta = lf[LF_DF] ? -size : size;
    const srcBase = srcSeg >= 0 ? this.segmentBases[srcSeg] : 0;
    const rd = size === 1 ? this.fastRead8 : size === 2 ? this.fastRead16 : this.fastRead32;
    const wr = size === 1 ? this.fastWrite8 : size === 2 ? this.fastWrite16 : this.fastWrite32;
    const mask = size === 4 ? -1 : size === 1 ? 0xff : 0xffff;
    if (rep === 0) {
      this.stringStep(kind, size, delta, srcBase, rd, wr, mask);
      return;
    }
    while (r[REG_ECX] !== 0) {
      this.stringStep(kind, size, delta, srcBase, rd, wr, mask);
      r[REG_ECX] = (r[REG_ECX] - 1) | 0;
      if (kind === 1 || kind === 4) {
        const equal = lf[LF_RES] === 0;
        if (rep === 1 ? !equal : equal) break;
      }
    }
  }

  private stringStep(
    kind: number, size: number, delta: number, srcBase: number,
    rd: (a: number) => number, wr: (a: number, v: number) => void, mask: number,
  ): void {
    const r = this.regs;
    switch (kind) {
      case 0: {
        const v = rd((r[REG_ESI] + srcBase) | 0);
        wr(r[REG_EDI], v);
        r[REG_ESI] = (r[REG_ESI] + delta) | 0;
        r[REG_EDI] = (r[REG_EDI] + delta) | 0;
        return;
      }
      case 1: {
        const a = rd((r[REG_ESI] + srcBase) | 0) & mask;
        const b = rd(r[REG_EDI]) & mask;
        this.setSubFlags(a, b, size);
        r[REG_ESI] = (r[REG_ESI] + delta) | 0;
        r[REG_EDI] = (r[REG_EDI] + delta) | 0;
        return;
      }
      case 2:
        wr(r[REG_EDI], r[REG_EAX]);
        r[REG_EDI] = (r[REG_EDI] + delta) | 0;
        return;
      case 3: {
        const v = rd((r[REG_ESI] + srcBase) | 0);
        if (size === 4) r[REG_EAX] = v;
        else r[REG_EAX] = (r[REG_EAX] & ~mask) | v;
        r[REG_ESI] = (r[REG_ESI] + delta) | 0;
        return;
      }
      default: {
        const b = rd(r[REG_EDI]) & mask;
        this.setSubFlags(r[REG_EAX] & mask, b, size);
        r[REG_EDI] = (r[REG_EDI] + delta) | 0;
      }
    }
  }

  private setSubFlags(a: number, b: number, size: number): void {
    const lf = this.lazyFlags;
    lf[LF_KIND] = lazyKind(OP_SUB, size);
    lf[LF_A] = a;
    lf[LF_B] = b;
    lf[LF_RES] = size === 4 ? (a - b) | 0 : (a - b) & (size === 1 ? 0xff : 0xffff);
  }

  // BCD adjustments (AL/AH), per the SDM pseudo-code.
  private setAlFlags(al: number, cf: boolean, af: boolean, keep: number): void {
    let f = this.statusFlags() & keep;
    f |= PARITY[al & 0xff] ? PF : 0;
    if ((al & 0xff) === 0) f |= ZF;
    if (al & 0x80) f |= SF;
    if (cf) f |= CF;
    if (af) f |= AF;
    this.setStatusFlags(f);
  }
  daa(): void {
    const r = this.regs;
    const flags = this.statusFlags();
    const oldAl = r[REG_EAX] & 0xff;
    const oldCf = (flags & CF) !== 0;
    let al = oldAl;
    let cf = false;
    let af = false;
    if ((al & 0xf) > 9 || flags & AF) {
      al = al + 6;
      cf = oldCf || al > 0xff;
      al &= 0xff;
      af = true;
    }
    if (oldAl > 0x99 || oldCf) {
      al = (al + 0x60) & 0xff;
      cf = true;
    } else cf = false;
    r[REG_EAX] = (r[REG_EAX] & -256) | al;
    this.setAlFlags(al, cf, af, OF);
  }
  das(): void {
    const r = this.regs;
    const flags = this.statusFlags();
    const oldAl = r[REG_EAX] & 0xff;
    const oldCf = (flags & CF) !== 0;
    let al = oldAl;
    let cf = false;
    let af = false;
    if ((al & 0xf) > 9 || flags & AF) {
      cf = oldCf || al < 6;
      al = (al - 6) & 0xff;
      af = true;
    }
    if (oldAl > 0x99 || oldCf) {
      al = (al - 0x60) & 0xff;
      cf = true;
    }
    r[REG_EAX] = (r[REG_EAX] & -256) | al;
    this.setAlFlags(al, cf, af, OF);
  }
  aaa(): void {
    const r = this.regs;
    const flags = this.statusFlags();
    let ax = r[REG_EAX] & 0xffff;
    const adjust = (ax & 0xf) > 9 || (flags & AF) !== 0;
    if (adjust) ax = (ax + 0x106) & 0xffff;
    ax &= 0xff0f;
    r[REG_EAX] = (r[REG_EAX] & -65536) | ax;
    this.setStatusFlags((flags & ~(AF | CF)) | (adjust ? AF | CF : 0));
  }
  aas(): void {
    const r = this.regs;
    const flags = this.statusFlags();
    let ax = r[REG_EAX] & 0xffff;
    const adjust = (ax & 0xf) > 9 || (flags & AF) !== 0;
    if (adjust) {
      const al = ((ax & 0xff) - 6) & 0xff;
      const ah = ((ax >> 8) - 1 - ((ax & 0xff) < 6 ? 1 : 0)) & 0xff;
      ax = (ah << 8) | al;
    }
    ax &= 0xff0f;
    r[REG_EAX] = (r[REG_EAX] & -65536) | ax;
    this.setStatusFlags((flags & ~(AF | CF)) | (adjust ? AF | CF : 0));
  }
  aam(imm: number): void {
    if (imm === 0) throw this.divideError();
    const r = this.regs;
    const al = r[REG_EAX] & 0xff;
    const q = Math.floor(al / imm);
    const rem = al % imm;
    r[REG_EAX] = (r[REG_EAX] & -65536) | (q << 8) | rem;
    this.setAlFlags(rem, false, false, 0);
  }
  aad(imm: number): void {
    const r = this.regs;
    const al = ((r[REG_EAX] & 0xff) + ((r[REG_EAX] >> 8) & 0xff) * imm) & 0xff;
    r[REG_EAX] = (r[REG_EAX] & -65536) | al;
    this.setAlFlags(al, false, false, 0);
  }

  cpuid(): void {
    const r = this.regs;
    const leaf = r[REG_EAX] >>> 0;
    const vendor = 'GenuineUKCF!';
    const word = (i: number) => vendor.charCodeAt(i) | (vendor.charCodeAt(i + 1) << 8) | (vendor.charCodeAt(i + 2) << 16) | (vendor.charCodeAt(i + 3) << 24);
    if (leaf === 0) {
      r[REG_EAX] = 1;
      r[REG_EBX] = word(0);
      r[REG_EDX] = word(4);
      r[REG_ECX] = word(8);
    } else if (leaf === 1) {
      r[REG_EAX] = 0x6f1; // family 6, model 15, stepping 1
      r[REG_EBX] = 0;
      r[REG_ECX] = 0;
      r[REG_EDX] = (1 << 4) | (1 << 8) | (1 << 15); // TSC, CX8, CMOV
    } else if (leaf === 0x80000000) {
      r[REG_EAX] = 0x80000000 | 0;
      r[REG_EBX] = r[REG_ECX] = r[REG_EDX] = 0;
    } else {
      r[REG_EAX] = r[REG_EBX] = r[REG_ECX] = r[REG_EDX] = 0;
    }
  }

  /**
   * Where rdtsc reads its time when set (called with the eip of the rdtsc): a replay feeds the values
   * another run saw. null (the default): the count of instructions retired before it.
   */
  timeStampSource: ((eip: number) => number) | null = null;

  /** rdtsc inside a block: instructions retired before this one (or timeStampSource's value). */
  rdtsc(indexInBlock: number, eip = this.eip): void {
    const n = this.timeStampSource === null ? this.instructionCount + indexInBlock : this.timeStampSource(eip >>> 0);
    this.regs[REG_EAX] = n % 0x100000000;
    this.regs[REG_EDX] = Math.floor(n / 0x100000000);
  }
}

/** High 32 bits of the unsigned 64-bit product of two unsigned 32-bit values (as int32). */
export function mulHigh32(a: number, b: number): number {
  const al = a & 0xffff;
  const ah = a >>> 16;
  const bl = b & 0xffff;
  const bh = b >>> 16;
  const ll = al * bl;
  const lh = al * bh;
  const hl = ah * bl;
  const mid = (ll >>> 16) + (lh & 0xffff) + (hl & 0xffff);
  return (ah * bh + (lh >>> 16) + (hl >>> 16) + Math.floor(mid / 65536)) | 0;
}

/** High 32 bits of the signed 64-bit product of two int32 values. */
export function mulHigh32Signed(a: number, b: number): number {
  let hi = mulHigh32(a >>> 0, b >>> 0);
  if (a < 0) hi = (hi - b) | 0;
  if (b < 0) hi = (hi - a) | 0;
  return hi;
}

