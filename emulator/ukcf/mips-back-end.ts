// IR → MIPS32r2 through the MipsAssembler. Register pinning, lazy-flag registers and exit-stub shapes
// are described in README.md; `host-registers` below is the single source of that mapping.

import { GPR, MipsAssembler, type MipsLabel } from '../mips/encoder';
import { FlagOp, type IrAddress, type IrAluOp, type IrBlock, type IrLocation, type IrOp, type IrSource } from './ir';

/** Host register of guest register r (eax..edi → s0..s7). */
export const guestRegister = (r: number): number => GPR.s0 + r;
/** Lazy-flag registers (same slots as x86/lazy-flags.ts LF_KIND, LF_RES, LF_A, LF_B, LF_AUX). */
export const FLAG_KIND = GPR.a0, FLAG_RES = GPR.a1, FLAG_A = GPR.a2, FLAG_B = GPR.a3, FLAG_AUX = GPR.v1;
/** Next guest eip at a block exit; lookup table base. */
export const NEXT_EIP = GPR.v0, TABLE_BASE = GPR.gp;
/**
 * EFLAGS bits other than the lazy status flags live here for the whole run: DF (bit 10) and the
 * user-writable NT/AC/ID. The flags glue also materializes CF PF AF ZF SF OF into it (their EFLAGS
 * positions) for readers whose producer is not known statically. Must be preserved by every glue.
 */
export const MATERIALIZED_FLAGS = GPR.s8;

export const enum Hypercall {
  DispatchMiss = 1,
  Chain = 2,
  Untranslated = 3,
  Boundary = 4,
  Syscall = 5,
  /** rdtsc: the runtime puts the simulated time in EDX:EAX (readTimeStamp) and goes on after it. */
  TimeStamp = 7,
}

/**
 * At an Untranslated exit from inside a block (a run-time guest fault: into with OF, a refused
 * segment selector), the detail the fault message needs: the selector. x86-front-end's
 * instructionFault reads it.
 */
export const FAULT_DETAIL = GPR.t8;

/** Exit stubs are exactly this many words: lui v0; ori v0; sdbbp (chained: j block; nop; sdbbp). */
export const STUB_WORDS = 3;

const STATUS_MASK = 0x8d5; // CF PF AF ZF SF OF
const DF_BIT = 10;
/** EFLAGS bits popf may change in user mode besides the status flags: DF, NT, AC, ID. */
export const POPF_OTHER = 0x400 | 0x4000 | 0x40000 | 0x200000;

const TEMPS = [GPR.t0, GPR.t1, GPR.t2, GPR.t3, GPR.t4, GPR.t5, GPR.t6, GPR.t7, GPR.t8, GPR.t9, GPR.at];
const kindOf = (op: number, size: number): number => (op << 3) | size;
const maskOf = (size: number): number => (size === 4 ? -1 : size === 2 ? 0xffff : 0xff);

export interface BackEndOptions {
  /** Every exit stops at a BOUNDARY hypercall instead of chaining / dispatching (lockstep mode). */
  readonly lockstep: boolean;
  /** Host address of the dispatch glue (indirect exits jump there with v0 = target). */
  readonly dispatch: number;
  /** Host address of the flags glue emitted by emitFlagsGlue (its helper routines follow it). */
  readonly materializeFlags: number;
  /** Host address of the syscall glue: `int 0x80` exits with v0 = eip after it and `j syscall`.
   * Absent: the block stops at the SYSCALL hypercall (5) with the same v0, for host-side servicing. */
  readonly syscall?: number;
  /** Direct jmp/call/jcc targets for which this returns false leave through dispatch (v0 = target;
   * `j dispatch`) instead of a chainable stub, so that a jump monitor sees them. */
  readonly directExitFilter?: (target: number) => boolean;
  /** Host address of the guest context block (word 0 = %gs base, word 1 = %fs base). Absent: an
   * instruction with an %fs/%gs override ends the block as untranslated. */
  readonly context?: number;
  /** The runtime serves Hypercall.TimeStamp (readTimeStamp). Absent: rdtsc ends the block as untranslated. */
  readonly timeStamp?: boolean;
}

export interface TranslatedCode {
  readonly words: Uint32Array;
  /** (host byte offset, guest eip) at the start of each guest instruction's code (ops, then the terminator), ascending. */
  readonly guestMap: readonly { offset: number; eip: number }[];
}

/** What the block knows statically about the last flag producer (null: set in an earlier block). */
interface Producer {
  /** FlagOp, or MATERIALIZED: the status flags are in s8 (and the lazy registers agree when live). */
  readonly kind: number;
  readonly size: number;
  /** Shift count of a Shl/Shr/Sar producer with an immediate count. */
  readonly count: number;
  /** MATERIALIZED: which status flags s8 holds (the per-flag glue entries compute only some). */
  readonly valid?: number;
}
const MATERIALIZED = -1;
const CF = 0x1, PF = 0x4, ZF = 0x40, SF = 0x80, OF = 0x800;
/** Status flags each condition base (cond >> 1) reads. */
const CONDITION_FLAGS = [OF, CF, ZF, CF | ZF, SF, PF, SF | OF, SF | OF | ZF];
const conditionFlags = (cond: number): number => CONDITION_FLAGS[cond >> 1];

/**
 * Context block layout of the TLS descriptors the syscall glue's set_thread_area hands out (GDT
 * entries 12..14; see user-space/syscall-glue.ts): bases at byte 64 + 4 * (entry - 12), a bit per
 * entry in use at byte 76.
 */
const CONTEXT_TLS_BASES = 64, CONTEXT_TLS_USED = 76, TLS_FIRST_ENTRY = 12, TLS_ENTRIES = 3;

/** An op that needs what the options lack (the context block, the time-stamp hypercall): the block is cut before it. */
class NeedsContext {
  constructor(
    readonly index: number,
    readonly mnemonic = '(segment override)',
    readonly reason = '%fs/%gs access without a context block',
  ) {}
}

/**
 * Selectors of the data segment registers live in the context block (halfword per register, x86
 * order es cs ss ds fs gs) XOR their initial values (es ss ds 0x2b, cs 0x23, fs gs 0), so that a
 * zeroed context block holds the initial selectors; cs is never stored (mov to cs is #UD).
 */
const CONTEXT_SELECTORS = 16;
const INITIAL_SELECTORS = [0x2b, 0x23, 0x2b, 0x2b, 0, 0];
const SEG_SS = 2;

interface GlueRoutines {
  /** Full materialization of the status flags into s8. */
  readonly flags: number;
  /** One flag each (CF, ZF, SF, OF) into its s8 bit: cheaper when a reader needs only that one. */
  readonly cf: number;
  readonly zf: number;
  readonly sf: number;
  readonly of: number;
  readonly divide64: number;
  readonly signedDivide64: number;
}
// Offsets of the glue routines from the flags glue entry (fixed by emitFlagsGlue's layout).
let glueLayout: GlueRoutines | null = null;
function layout(): GlueRoutines {
  if (glueLayout === null) {
    const r = emitGlueRoutines(new MipsAssembler(0));
    glueLayout = {
      flags: 0, cf: r.cf - r.flags, zf: r.zf - r.flags, sf: r.sf - r.flags, of: r.of - r.flags,
      divide64: r.divide64 - r.flags, signedDivide64: r.signedDivide64 - r.flags,
    };
  }
  return glueLayout;
}

class BlockEmitter {
  private tempIndex = 0;
  private producer: Producer | null = null;
  private opIndex = 0;
  readonly guestMap: { offset: number; eip: number }[] = [];

  constructor(
    readonly asm: MipsAssembler,
    readonly options: BackEndOptions,
  ) {}

  temp(): number {
    if (this.tempIndex >= TEMPS.length) throw new Error('UKCF back end: out of scratch registers');
    return TEMPS[this.tempIndex++];
  }

  // ------------------------------------------------------------------ addresses and memory

  /** Register holding the effective address (plus the %fs/%gs base); at most one scratch register stays in use. */
  address(a: IrAddress): number {
    const asm = this.asm;
    let r = -1;
    let own = false; // r is a scratch register of ours (can be updated in place)
    const mine = (): number => {
      if (own) return r;
      own = true;
      return this.temp();
    };
    if (a.index >= 0) {
      if (a.scale === 1) r = guestRegister(a.index);
      else {
        const t = mine();
        asm.sll(t, guestRegister(a.index), Math.log2(a.scale));
        r = t;
      }
    }
    if (a.base >= 0) {
      if (r < 0) r = guestRegister(a.base);
      else {
        const t = mine();
        asm.addu(t, r, guestRegister(a.base));
        r = t;
      }
    }
    if (a.segment >= 0) {
      const context = this.options.context;
      if (context === undefined) throw new NeedsContext(this.opIndex);
      const word = context + (a.segment === 5 ? 0 : 4);
      const lo = (word << 16) >> 16;
      const u = this.temp();
      asm.lui(u, ((word - lo) >>> 16) & 0xffff);
      asm.lw(u, lo, u);
      if (r < 0) {
        r = u;
        own = true;
      } else if (own) {
        asm.addu(r, r, u);
        this.tempIndex--;
      } else {
        asm.addu(u, u, r);
        r = u;
        own = true;
      }
    }
    if (r < 0) {
      const t = this.temp();
      asm.li(t, a.disp);
      return t;
    }
    if (a.disp === 0) return r;
    if (a.disp >= -0x8000 && a.disp <= 0x7fff) {
      const t = mine();
      asm.addiu(t, r, a.disp);
      return t;
    }
    if (own) {
      const u = this.temp();
      asm.li(u, a.disp);
      asm.addu(r, r, u);
      this.tempIndex--;
      return r;
    }
    const t = this.temp();
    asm.li(t, a.disp);
    asm.addu(t, t, r);
    return t;
  }

  /**
   * Base register and 16-bit offset of a `size`-byte access at `a`: the displacement's low half
   * goes into the loads'/stores' offset fields (saves the addiu or the ori of the address) when
   * the access's last byte still fits (lwl/swl use offset + 3).
   */
  private memoryOperand(a: IrAddress, size: number): { base: number; offset: number } {
    const lo = (a.disp << 16) >> 16;
    if (lo > 0x7fff - (size - 1)) return { base: this.address(a), offset: 0 };
    const rest = (a.disp - lo) | 0;
    if (rest === 0 && a.base < 0 && a.index < 0 && a.segment < 0) return { base: GPR.zero, offset: lo };
    return { base: this.address({ ...a, disp: rest }), offset: lo };
  }

  /** x86 allows unaligned accesses: 32-bit through lwr/lwl, 16-bit as two bytes. */
  load(size: number, addr: number, signed: boolean, offset = 0): number {
    const asm = this.asm;
    const t = this.temp();
    if (size === 4) {
      asm.lwr(t, offset, addr);
      asm.lwl(t, offset + 3, addr);
    } else if (size === 2) {
      const hi = this.temp();
      asm.lbu(t, offset, addr);
      if (signed) asm.lb(hi, offset + 1, addr);
      else asm.lbu(hi, offset + 1, addr);
      asm.sll(hi, hi, 8);
      asm.or(t, t, hi);
      this.tempIndex--; // hi is dead
    } else if (signed) asm.lb(t, offset, addr);
    else asm.lbu(t, offset, addr);
    return t;
  }

  store(size: number, addr: number, value: number, offset = 0): void {
    const asm = this.asm;
    if (size === 4) {
      asm.swr(value, offset, addr);
      asm.swl(value, offset + 3, addr);
    } else if (size === 2) {
      const t = this.temp();
      asm.srl(t, value, 8);
      asm.sb(value, offset, addr);
      asm.sb(t, offset + 1, addr);
      this.tempIndex--;
    } else asm.sb(value, offset, addr);
  }

  /** Value of a location (8/16-bit zero-extended unless signed); addr is reused for read-modify-write. */
  read(loc: IrLocation, addr = -1, signed = false): number {
    const asm = this.asm;
    if (loc.kind === 'reg') {
      if (loc.size === 4) return guestRegister(loc.reg);
      const t = this.temp();
      if (loc.size === 2) {
        if (signed) asm.seh(t, guestRegister(loc.reg));
        else asm.andi(t, guestRegister(loc.reg), 0xffff);
      } else if (loc.reg < 4) {
        if (signed) asm.seb(t, guestRegister(loc.reg));
        else asm.andi(t, guestRegister(loc.reg), 0xff);
      } else {
        asm.ext(t, guestRegister(loc.reg - 4), 8, 8);
        if (signed) asm.seb(t, t);
      }
      return t;
    }
    if (addr >= 0) return this.load(loc.size, addr, signed);
    const m = this.memoryOperand(loc.address, loc.size);
    return this.load(loc.size, m.base, signed, m.offset);
  }

  /** A source value zero-extended to its size (immediates masked to `size`). */
  source(src: IrSource, size: number, addr = -1): number {
    if (src.kind !== 'imm') return this.read(src, addr);
    const v = src.value & maskOf(size);
    if (v === 0) return GPR.zero;
    const t = this.temp();
    this.asm.li(t, v);
    return t;
  }

  write(loc: IrLocation, value: number, addr = -1): void {
    const asm = this.asm;
    if (loc.kind === 'reg') {
      if (loc.size === 4) {
        if (value !== guestRegister(loc.reg)) asm.move(guestRegister(loc.reg), value);
      } else if (loc.size === 2) asm.ins(guestRegister(loc.reg), value, 0, 16);
      else if (loc.reg < 4) asm.ins(guestRegister(loc.reg), value, 0, 8);
      else asm.ins(guestRegister(loc.reg - 4), value, 8, 8);
      return;
    }
    if (addr >= 0) {
      this.store(loc.size, addr, value);
      return;
    }
    const m = this.memoryOperand(loc.address, loc.size);
    this.store(loc.size, m.base, value, m.offset);
  }

  /** Masks a computed value to `size` bits in place (no-op for 32 bits). */
  truncate(r: number, size: number): void {
    if (size === 1) this.asm.andi(r, r, 0xff);
    else if (size === 2) this.asm.andi(r, r, 0xffff);
  }

  // ------------------------------------------------------------------ flags

  /**
   * Makes s8 hold (at least) the status flags in `mask` from the lazy registers: per-flag glue
   * entries for one or two of CF/ZF/SF/OF, else the full flags glue. Every entry starts with
   * `srl t0, a0, 3`, which the call's delay slot executes (the call goes to entry + 4).
   */
  materialize(mask = STATUS_MASK): void {
    const p = this.producer;
    const valid = p !== null && p.kind === MATERIALIZED ? (p.valid ?? STATUS_MASK) : 0;
    const missing = mask & ~valid;
    if (missing === 0) return;
    const l = layout();
    const single: [number, number][] = [[CF, l.cf], [ZF, l.zf], [SF, l.sf], [OF, l.of]];
    const parts = single.filter(([bit]) => (missing & bit) !== 0);
    const calls = (missing & ~(CF | ZF | SF | OF)) === 0 && parts.length <= 2 ? parts : [[STATUS_MASK, l.flags] as [number, number]];
    for (const [, offset] of calls) {
      this.asm.jal(this.options.materializeFlags + offset + 4);
      this.asm.srl(GPR.t0, FLAG_KIND, 3);
    }
    this.producer = { kind: MATERIALIZED, size: 4, count: 0, valid: calls.reduce((v, [bit]) => v | bit, valid) };
  }

  /** The producer, materializing the flags in `mask` from an earlier block through the glue when needed. */
  knownProducer(mask = STATUS_MASK): Producer {
    const p = this.producer;
    if (p === null || (p.kind === MATERIALIZED && ((p.valid ?? STATUS_MASK) & mask) !== mask)) this.materialize(mask);
    return this.producer as Producer;
  }

  /** A live writer: records its kind; the lazy registers (KIND included) were written by the caller. */
  produced(kind: number, size: number, count = 0): void {
    this.producer = { kind, size, count };
  }

  /** Ends a modification of s8's status bits: the lazy state becomes EAGER (AUX = s8's status) when live. */
  eagerFromMaterialized(live: boolean): void {
    if (live) this.emitEagerFromMaterialized();
    this.producer = { kind: MATERIALIZED, size: 4, count: 0, valid: STATUS_MASK };
  }

  /** The lazy registers become EAGER with s8's status bits (KIND = 0, AUX = the bits). */
  private emitEagerFromMaterialized(): void {
    this.asm.andi(FLAG_AUX, MATERIALIZED_FLAGS, STATUS_MASK);
    this.asm.move(FLAG_KIND, GPR.zero);
  }

  /** One flag as 0/1 in a new temp, from the statically known producer. */
  flag(which: 'CF' | 'ZF' | 'SF' | 'OF' | 'PF', p: Producer): number {
    const asm = this.asm;
    const t = this.temp();
    if (p.kind === MATERIALIZED) {
      asm.ext(t, MATERIALIZED_FLAGS, { CF: 0, PF: 2, ZF: 6, SF: 7, OF: 11 }[which], 1);
      return t;
    }
    if (p.kind === FlagOp.Eager) {
      asm.ext(t, FLAG_AUX, { CF: 0, PF: 2, ZF: 6, SF: 7, OF: 11 }[which], 1);
      return t;
    }
    const bits = p.size * 8;
    switch (which) {
      case 'ZF':
        asm.sltiu(t, FLAG_RES, 1);
        return t;
      case 'SF':
        asm.ext(t, FLAG_RES, bits - 1, 1);
        return t;
      case 'PF': {
        const u = this.temp();
        asm.andi(t, FLAG_RES, 0xff);
        asm.srl(u, t, 4);
        asm.xor(t, t, u);
        asm.srl(u, t, 2);
        asm.xor(t, t, u);
        asm.srl(u, t, 1);
        asm.xor(t, t, u);
        asm.andi(t, t, 1);
        asm.xori(t, t, 1);
        return t;
      }
      case 'CF':
        switch (p.kind) {
          case FlagOp.Add: asm.sltu(t, FLAG_RES, FLAG_A); break;
          case FlagOp.Sub: asm.sltu(t, FLAG_A, FLAG_B); break;
          case FlagOp.Adc: case FlagOp.Sbb: {
            // CF = (x < y) | (carry-in & x == y), x/y = res/a (adc) or a/b (sbb)
            const [x, y] = p.kind === FlagOp.Adc ? [FLAG_RES, FLAG_A] : [FLAG_A, FLAG_B];
            const u = this.temp();
            asm.xor(u, x, y);
            asm.sltiu(u, u, 1);
            asm.and(u, u, FLAG_AUX);
            asm.sltu(t, x, y);
            asm.or(t, t, u);
            break;
          }
          case FlagOp.Logic: asm.move(t, GPR.zero); break;
          case FlagOp.Inc: case FlagOp.Dec: asm.move(t, FLAG_AUX); break;
          case FlagOp.Shl:
            if (p.count <= bits) asm.ext(t, FLAG_A, bits - p.count, 1);
            else asm.move(t, GPR.zero);
            break;
          case FlagOp.Shr: asm.ext(t, FLAG_A, p.count - 1, 1); break;
          case FlagOp.Sar: asm.ext(t, FLAG_A, Math.min(p.count - 1, bits - 1), 1); break;
        }
        return t;
      case 'OF': {
        switch (p.kind) {
          case FlagOp.Add: case FlagOp.Adc: case FlagOp.Inc: {
            const u = this.temp();
            asm.xor(t, FLAG_A, FLAG_RES);
            asm.xor(u, FLAG_B, FLAG_RES);
            asm.and(t, t, u);
            asm.ext(t, t, bits - 1, 1);
            break;
          }
          case FlagOp.Sub: case FlagOp.Sbb: case FlagOp.Dec: {
            const u = this.temp();
            asm.xor(t, FLAG_A, FLAG_B);
            asm.xor(u, FLAG_A, FLAG_RES);
            asm.and(t, t, u);
            asm.ext(t, t, bits - 1, 1);
            break;
          }
          case FlagOp.Logic: case FlagOp.Sar: asm.move(t, GPR.zero); break;
          case FlagOp.Shl: {
            const cf = this.flag('CF', p);
            asm.ext(t, FLAG_RES, bits - 1, 1);
            asm.xor(t, t, cf);
            break;
          }
          case FlagOp.Shr: asm.ext(t, FLAG_A, bits - 1, 1); break;
        }
        return t;
      }
    }
  }

  /** Condition `cond` (0..15): returns [register, negate] — the condition holds iff (reg != 0) !== negate. */
  condition(cond: number): [number, boolean] {
    const p = this.knownProducer(conditionFlags(cond));
    const asm = this.asm;
    const negate = (cond & 1) === 1;
    const base = cond >> 1;
    if (p.kind === FlagOp.Sub) {
      // cmp/sub: compare the operands directly.
      const t = this.temp();
      switch (base) {
        case 1: asm.sltu(t, FLAG_A, FLAG_B); return [t, negate]; // b
        case 2: this.tempIndex--; return [FLAG_RES, !negate]; // e: ZF = (res == 0)
        case 3: asm.sltu(t, FLAG_B, FLAG_A); return [t, !negate]; // be = !a
      }
      if (p.size === 4) {
        switch (base) {
          case 6: asm.slt(t, FLAG_A, FLAG_B); return [t, negate]; // l
          case 7: asm.slt(t, FLAG_B, FLAG_A); return [t, !negate]; // le = !g
        }
      }
      this.tempIndex--; // unused
    }
    if (base === 2 && p.kind !== FlagOp.Eager && p.kind !== MATERIALIZED) return [FLAG_RES, !negate];
    if (base === 4 && p.kind === FlagOp.Logic && p.size === 4) {
      const t = this.temp();
      asm.slt(t, FLAG_RES, GPR.zero);
      return [t, negate];
    }
    let r: number;
    switch (base) {
      case 0: r = this.flag('OF', p); break;
      case 1: r = this.flag('CF', p); break;
      case 2: r = this.flag('ZF', p); break;
      case 3: { r = this.flag('CF', p); const z = this.flag('ZF', p); asm.or(r, r, z); break; }
      case 4: r = this.flag('SF', p); break;
      case 5: r = this.flag('PF', p); break;
      case 6: { r = this.flag('SF', p); const o = this.flag('OF', p); asm.xor(r, r, o); break; }
      default: { r = this.flag('SF', p); const o = this.flag('OF', p); asm.xor(r, r, o); const z = this.flag('ZF', p); asm.or(r, r, z); break; }
    }
    return [r, negate];
  }

  /** Condition as 0/1 in a register. */
  conditionValue(cond: number): number {
    const [r, negate] = this.condition(cond);
    const t = this.temp();
    if (negate) this.asm.sltiu(t, r, 1);
    else this.asm.sltu(t, GPR.zero, r);
    return t;
  }

  /** SF ZF PF of a `size`-masked value into s8 (AF cleared too when `clearAf`). */
  szpIntoMaterialized(v: number, size: number, clearAf: boolean, t: number, u: number): void {
    const asm = this.asm;
    const F = MATERIALIZED_FLAGS;
    asm.sltiu(t, v, 1);
    asm.ins(F, t, 6, 1);
    asm.ext(t, v, size * 8 - 1, 1);
    asm.ins(F, t, 7, 1);
    asm.andi(t, v, 0xff);
    asm.srl(u, t, 4);
    asm.xor(t, t, u);
    asm.srl(u, t, 2);
    asm.xor(t, t, u);
    asm.srl(u, t, 1);
    asm.xor(t, t, u);
    asm.xori(t, t, 1);
    asm.ins(F, t, 2, 1);
    if (clearAf) asm.ins(F, GPR.zero, 4, 1);
  }

  /** Direction step for string ops: +size, or -size when DF is set. */
  stringDelta(size: number): number {
    const asm = this.asm;
    const d = this.temp();
    const t = this.temp();
    asm.ext(t, MATERIALIZED_FLAGS, DF_BIT, 1);
    asm.sll(t, t, Math.log2(size) + 1);
    asm.li(d, size);
    asm.subu(d, d, t);
    return d;
  }

  // ------------------------------------------------------------------ ops

  op(op: IrOp, index: number): void {
    this.tempIndex = 0;
    this.opIndex = index;
    this.guestMap.push({ offset: this.asm.length * 4, eip: op.eip });
    const asm = this.asm;
    const live = op.flagsLive === true;
    switch (op.op) {
      case 'nop':
        return;
      case 'mov': {
        if (op.dst.kind === 'reg' && op.dst.size === 4 && op.src.kind === 'imm') {
          asm.li(guestRegister(op.dst.reg), op.src.value);
          return;
        }
        const v = this.source(op.src, op.dst.size);
        this.write(op.dst, v);
        return;
      }
      case 'movx': {
        const d = guestRegister(op.dst);
        if (op.src.kind === 'reg' && op.src.size === 1 && op.src.reg < 4 && !op.signed && op.size === 4) {
          asm.andi(d, guestRegister(op.src.reg), 0xff);
          return;
        }
        if (op.src.kind === 'mem' && op.src.size === 1 && op.size === 4) {
          // One load straight into the guest register: it faults before writing anything.
          const m = this.memoryOperand(op.src.address, 1);
          if (op.signed) asm.lb(d, m.offset, m.base);
          else asm.lbu(d, m.offset, m.base);
          return;
        }
        const v = this.read(op.src, -1, op.signed);
        if (op.size === 4) asm.move(d, v);
        else asm.ins(d, v, 0, 16);
        return;
      }
      case 'lea': {
        let a = this.address(op.address);
        if (op.wrap16) {
          const t = this.temp();
          asm.andi(t, a, 0xffff);
          a = t;
        }
        if (op.size === 4) asm.move(guestRegister(op.dst), a);
        else asm.ins(guestRegister(op.dst), a, 0, 16);
        return;
      }
      case 'alu':
        this.alu(op, live);
        return;
      case 'unary':
        this.unary(op, live);
        return;
      case 'shift':
        if (op.shift === 'shl' || op.shift === 'shr' || op.shift === 'sar') this.shift(op, live);
        else this.rotate(op, live);
        return;
      case 'shiftd':
        this.shiftDouble(op, live);
        return;
      case 'imul': {
        const a = this.source(op.a, op.size);
        const b = this.source(op.b, op.size);
        const d = guestRegister(op.dst);
        if (op.size === 2) {
          const x = this.temp();
          const y = this.temp();
          asm.seh(x, a);
          asm.seh(y, b);
          asm.mul(x, x, y);
          if (live) {
            const t = this.temp();
            asm.seh(t, x);
            asm.xor(t, t, x);
            this.mulFlags(t);
          }
          asm.ins(d, x, 0, 16);
          return;
        }
        if (!live) {
          asm.mul(d, a, b);
          return;
        }
        const hi = this.temp();
        const t = this.temp();
        asm.mult(a, b);
        asm.mfhi(hi);
        asm.mflo(d);
        asm.sra(t, d, 31);
        asm.xor(t, t, hi);
        this.mulFlags(t);
        return;
      }
      case 'muldiv':
        this.mulDiv(op, live);
        return;
      case 'push': {
        const addr = op.src.kind === 'mem' ? this.address(op.src.address) : -1;
        const v = this.source(op.src, op.size, addr);
        const sp = guestRegister(4);
        this.store(op.size, sp, v, -op.size); // store first: a fault leaves esp unchanged
        asm.addiu(sp, sp, -op.size);
        return;
      }
      case 'pop': {
        const sp = guestRegister(4);
        const size = op.dst.size;
        const t = this.load(size, sp, false);
        if (op.dst.kind === 'mem') {
          const addr = this.address(op.dst.address);
          this.store(size, addr, t);
          asm.addiu(sp, sp, size);
          return;
        }
        asm.addiu(sp, sp, size);
        this.write(op.dst, t);
        return;
      }
      case 'setcc': {
        this.knownProducer(conditionFlags(op.cond)); // the glue clobbers scratch registers: before the address
        const addr = op.dst.kind === 'mem' ? this.address(op.dst.address) : -1;
        const v = this.conditionValue(op.cond);
        this.write(op.dst, v, addr);
        return;
      }
      case 'cmov': {
        this.knownProducer(conditionFlags(op.cond));
        const v = this.read(op.src);
        const [c, negate] = this.condition(op.cond);
        const d = guestRegister(op.dst);
        if (op.size === 4) {
          if (negate) asm.movz(d, v, c);
          else asm.movn(d, v, c);
        } else {
          const t = this.temp();
          asm.move(t, d);
          asm.ins(t, v, 0, 16);
          if (negate) asm.movz(d, t, c);
          else asm.movn(d, t, c);
        }
        return;
      }
      case 'xchg': {
        const addr = op.a.kind === 'mem' ? this.address(op.a.address) : -1;
        const a = this.read(op.a, addr);
        const b = this.read(op.b);
        const t = this.temp();
        asm.move(t, a); // a may be a pinned register written below
        this.write(op.a, b, addr);
        this.write(op.b, t);
        return;
      }
      case 'xadd': {
        const size = op.dst.size;
        const addr = op.dst.kind === 'mem' ? this.address(op.dst.address) : -1;
        const a = this.read(op.dst, addr);
        const src: IrLocation = { kind: 'reg', reg: op.src, size };
        const b = this.read(src);
        const old = this.temp();
        asm.move(old, a);
        const res = this.temp();
        asm.addu(res, old, b);
        this.truncate(res, size);
        if (live) {
          asm.move(FLAG_B, b);
          asm.move(FLAG_A, old);
          asm.move(FLAG_RES, res);
          asm.li(FLAG_KIND, kindOf(FlagOp.Add, size));
        }
        if (op.dst.kind === 'mem') {
          this.write(op.dst, res, addr);
          this.write(src, old);
        } else {
          this.write(src, old);
          this.write(op.dst, res);
        }
        if (live) this.produced(FlagOp.Add, size);
        return;
      }
      case 'cmpxchg': {
        const size = op.dst.size;
        const eax0 = guestRegister(0);
        const addr = op.dst.kind === 'mem' ? this.address(op.dst.address) : -1;
        const oldValue = this.read(op.dst, addr);
        const accValue = this.read({ kind: 'reg', reg: 0, size });
        const src = this.read({ kind: 'reg', reg: op.src, size });
        // 32-bit registers are copied: eax and the destination register change below.
        let a = accValue;
        if (size === 4) {
          a = this.temp();
          asm.move(a, accValue);
        }
        let b = oldValue;
        if (size === 4 && op.dst.kind === 'reg') {
          b = this.temp();
          asm.move(b, oldValue);
        }
        const eq = this.temp();
        asm.xor(eq, a, b);
        // The destination is always written (the old value back when unequal), as on hardware.
        const nv = this.temp();
        asm.move(nv, b);
        asm.movz(nv, src, eq);
        this.write(op.dst, nv, addr);
        // Unequal: the accumulator gets the old value (after the destination write, as the reference CPU).
        if (size === 4) asm.movn(eax0, b, eq);
        else {
          const t = this.temp();
          asm.move(t, eax0);
          asm.ins(t, b, 0, size * 8);
          asm.movn(eax0, t, eq);
        }
        if (live) {
          asm.move(FLAG_A, a);
          asm.move(FLAG_B, b);
          asm.subu(FLAG_RES, a, b);
          this.truncate(FLAG_RES, size);
          asm.li(FLAG_KIND, kindOf(FlagOp.Sub, size));
          this.produced(FlagOp.Sub, size);
        }
        return;
      }
      case 'cmpxchg8b': {
        // edx:eax == m64 ? m64 = ecx:ebx : edx:eax = m64 (written back, as the reference CPU); ZF = equal.
        const [eax, ecx, edx, ebx] = [0, 1, 2, 3].map(guestRegister);
        if (live) this.materialize();
        const addr = this.address(op.address);
        const lo = this.load(4, addr, false);
        const hi = this.load(4, addr, false, 4);
        const ne = this.temp();
        const t = this.temp();
        asm.xor(ne, lo, eax);
        asm.xor(t, hi, edx);
        asm.or(ne, ne, t);
        const nlo = this.temp();
        const nhi = this.temp();
        asm.move(nlo, ebx);
        asm.movn(nlo, lo, ne);
        asm.move(nhi, ecx);
        asm.movn(nhi, hi, ne);
        this.store(4, addr, nlo);
        this.store(4, addr, nhi, 4);
        asm.movn(eax, lo, ne);
        asm.movn(edx, hi, ne);
        if (live) {
          asm.sltiu(t, ne, 1);
          asm.ins(MATERIALIZED_FLAGS, t, 6, 1);
          this.eagerFromMaterialized(true);
        }
        return;
      }
      case 'convert': {
        const eax = guestRegister(0), edx = guestRegister(2);
        const t = this.temp();
        switch (op.convert) {
          case 'cbw': asm.seb(t, eax); asm.ins(eax, t, 0, 16); break;
          case 'cwde': asm.seh(eax, eax); break;
          case 'cwd': asm.seh(t, eax); asm.sra(t, t, 16); asm.ins(edx, t, 0, 16); break;
          case 'cdq': asm.sra(edx, eax, 31); break;
        }
        return;
      }
      case 'bit':
        this.bitTest(op, live);
        return;
      case 'scan': {
        const size = op.src.size;
        if (live) this.materialize();
        const v = this.read(op.src);
        const t = this.temp();
        const skip = asm.newLabel();
        if (live) {
          asm.sltiu(t, v, 1);
          asm.ins(MATERIALIZED_FLAGS, t, 6, 1);
        }
        asm.beq(v, GPR.zero, skip); // zero source: destination unchanged
        asm.nop();
        if (op.reverse) {
          asm.clz(t, v);
          asm.xori(t, t, 31); // 31 - clz
        } else {
          const u = this.temp();
          asm.subu(u, GPR.zero, v);
          asm.and(u, u, v); // lowest set bit
          asm.clz(t, u);
          asm.xori(t, t, 31);
        }
        this.write({ kind: 'reg', reg: op.dst, size }, t);
        asm.bind(skip);
        if (live) this.eagerFromMaterialized(true);
        return;
      }
      case 'bswap': {
        const r = guestRegister(op.reg);
        if (op.size === 2) asm.ins(r, GPR.zero, 0, 16); // undefined on hardware: the reference CPU clears
        else {
          asm.wsbh(r, r);
          asm.rotr(r, r, 16);
        }
        return;
      }
      case 'flag':
        this.flagOp(op.flag, live);
        return;
      case 'pushf': {
        this.materialize();
        const t = this.temp();
        const sp = guestRegister(4);
        asm.ori(t, MATERIALIZED_FLAGS, 0x202); // reserved bit 1, IF
        this.store(op.size, sp, t, -op.size);
        asm.addiu(sp, sp, -op.size);
        return;
      }
      case 'popf': {
        const sp = guestRegister(4);
        const v = this.load(op.size, sp, false);
        const m = this.temp();
        asm.li(m, STATUS_MASK | POPF_OTHER);
        asm.and(v, v, m);
        if (op.size === 2) {
          asm.ins(MATERIALIZED_FLAGS, v, 0, 16);
        } else asm.move(MATERIALIZED_FLAGS, v);
        asm.addiu(sp, sp, op.size);
        this.eagerFromMaterialized(live);
        return;
      }
      case 'string':
        this.stringOp(op, live);
        return;
      case 'leave': {
        const ebp = guestRegister(5), sp = guestRegister(4);
        if (op.size === 4) {
          const t = this.temp();
          asm.lwr(t, 0, ebp);
          asm.lwl(t, 3, ebp);
          asm.addiu(sp, ebp, 4);
          asm.move(ebp, t);
        } else {
          const t = this.load(2, ebp, false);
          asm.addiu(sp, ebp, 2);
          asm.ins(ebp, t, 0, 16);
        }
        return;
      }
      case 'pusha': {
        // Lowest address first: when the frame crosses into an unmapped page below, nothing is written.
        const sp = guestRegister(4);
        for (let i = 7; i >= 0; i--) {
          const v = this.read({ kind: 'reg', reg: i, size: op.size }); // i = 4: esp before the first push
          this.store(op.size, sp, v, -op.size * (i + 1));
          this.tempIndex = 0;
        }
        asm.addiu(sp, sp, -8 * op.size);
        return;
      }
      case 'popa': {
        // All loads before any register changes (precise faults); the saved esp is skipped.
        const sp = guestRegister(4);
        const probe = this.temp();
        asm.lbu(probe, 0, sp); // both ends of the frame: any fault happens here (it spans at most two pages)
        asm.lbu(probe, 8 * op.size - 1, sp);
        for (let i = 0; i < 8; i++) {
          if (i === 4) continue;
          this.tempIndex = 1;
          this.write({ kind: 'reg', reg: i, size: op.size }, this.load(op.size, sp, false, op.size * (7 - i)));
        }
        asm.addiu(sp, sp, 8 * op.size);
        return;
      }
      case 'loadSegment': {
        // cpu.ts loadSegment: a null selector (not for ss: #GP), the flat code/data descriptors (GDT 4,
        // 5; ss only 0x2b), or a TLS entry the syscall glue handed out; anything else leaves at this
        // instruction for the runtime to report the #GP (nothing changed yet, FAULT_DETAIL = selector).
        const context = this.context();
        const sp = guestRegister(4);
        const v = op.pop !== 0 ? this.load(op.pop, sp, false) : this.read(op.src);
        const ctx = this.temp();
        const sel = this.temp();
        const base = this.temp();
        const t = this.temp();
        const flat = asm.newLabel();
        const store = asm.newLabel();
        const bad = asm.newLabel();
        const done = asm.newLabel();
        const withBase = op.segment === 4 || op.segment === 5;
        asm.andi(sel, v, 0xffff);
        asm.li(ctx, context);
        asm.andi(t, sel, 0xfffc);
        asm.beq(t, GPR.zero, op.segment === SEG_SS ? bad : flat);
        asm.andi(t, sel, 4); // TI: a local descriptor
        asm.bne(t, GPR.zero, bad);
        asm.srl(base, sel, 3); // GDT index
        if (op.segment === SEG_SS) {
          asm.xori(t, sel, 0x2b); // index 5, RPL 3
          asm.bne(t, GPR.zero, bad);
          asm.nop();
          asm.b(store);
          asm.nop();
        } else {
          asm.addiu(t, base, -4);
          asm.sltiu(t, t, 2);
          asm.bne(t, GPR.zero, flat);
          asm.addiu(base, base, -TLS_FIRST_ENTRY);
          asm.sltiu(t, base, TLS_ENTRIES);
          asm.beq(t, GPR.zero, bad);
          asm.lw(t, CONTEXT_TLS_USED, ctx);
          asm.srlv(t, t, base);
          asm.andi(t, t, 1);
          asm.beq(t, GPR.zero, bad);
          asm.sll(base, base, 2);
          asm.addu(base, base, ctx);
          asm.b(store);
          asm.lw(base, CONTEXT_TLS_BASES, base);
        }
        asm.bind(flat);
        asm.move(base, GPR.zero);
        asm.bind(store);
        if (withBase) asm.sw(base, op.segment === 5 ? 0 : 4, ctx);
        asm.xori(t, sel, INITIAL_SELECTORS[op.segment]);
        asm.sh(t, CONTEXT_SELECTORS + 2 * op.segment, ctx);
        if (op.pop !== 0) asm.addiu(sp, sp, op.pop);
        asm.b(done);
        asm.nop();
        asm.bind(bad);
        asm.move(FAULT_DETAIL, sel);
        this.faultExit(op.eip);
        asm.bind(done);
        return;
      }
      case 'readSegment': {
        const addr = op.dst.kind === 'mem' ? this.address(op.dst.address) : -1;
        this.write(op.dst, this.selector(op.segment), addr);
        return;
      }
      case 'pushSegment': {
        const sp = guestRegister(4);
        this.store(op.size, sp, this.selector(op.segment), -op.size); // store first: a fault leaves esp unchanged
        asm.addiu(sp, sp, -op.size);
        return;
      }
      case 'bcd':
        this.bcd(op, live);
        return;
      case 'rdtsc':
        if (this.options.timeStamp !== true) throw new NeedsContext(this.opIndex, 'rdtsc', 'no time-stamp hypercall in this translator');
        asm.sdbbp(Hypercall.TimeStamp);
        return;
      case 'into': {
        const [c, negate] = this.condition(0); // OF
        const skip = asm.newLabel();
        if (negate) asm.bne(c, GPR.zero, skip);
        else asm.beq(c, GPR.zero, skip);
        asm.nop();
        this.faultExit(op.eip);
        asm.bind(skip);
        return;
      }
      case 'cpuid': {
        // The reference CPU's identity: leaf 0 "GenuineUKCF!" (max leaf 1), leaf 1 family 6 model 15
        // with TSC CX8 CMOV, leaf 0x80000000 no extended leaves, every other leaf zeros.
        const [eax, ecx, edx, ebx] = [0, 1, 2, 3].map(guestRegister);
        const leaf = this.temp();
        const t = this.temp();
        const done = asm.newLabel();
        const word = (i: number) => [...'GenuineUKCF!'].slice(i, i + 4).reduce((w, ch, k) => w | (ch.charCodeAt(0) << (8 * k)), 0);
        asm.move(leaf, eax);
        asm.move(eax, GPR.zero);
        asm.move(ebx, GPR.zero);
        asm.move(ecx, GPR.zero);
        const leaf1 = asm.newLabel();
        const leafExt = asm.newLabel();
        asm.li(t, 1);
        asm.beq(leaf, t, leaf1);
        asm.lui(t, 0x8000);
        asm.beq(leaf, t, leafExt);
        asm.move(edx, GPR.zero);
        asm.bne(leaf, GPR.zero, done);
        asm.nop();
        asm.li(eax, 1);
        asm.li(ebx, word(0));
        asm.li(edx, word(4));
        asm.li(ecx, word(8));
        asm.b(done);
        asm.nop();
        asm.bind(leaf1);
        asm.li(eax, 0x6f1);
        asm.li(edx, (1 << 4) | (1 << 8) | (1 << 15));
        asm.b(done);
        asm.nop();
        asm.bind(leafExt);
        asm.move(eax, t);
        asm.bind(done);
        return;
      }
      case 'enter': {
        if (op.level > 0) {
          this.enterNested(op);
          return;
        }
        // One store (a fault changes nothing), then the frame registers.
        const ebp = guestRegister(5), sp = guestRegister(4);
        this.store(op.size, sp, ebp, -op.size);
        const frame = this.temp();
        asm.addiu(frame, sp, -op.size);
        if (op.size === 4) asm.move(ebp, frame);
        else asm.ins(ebp, frame, 0, 16);
        this.frameSize(sp, frame, op.frame);
        return;
      }
      case 'xlat': {
        const t = this.temp();
        asm.andi(t, guestRegister(0), 0xff);
        asm.addu(t, t, guestRegister(3));
        let addr = t;
        if (op.segment >= 0) {
          const base = this.address({ base: -1, index: -1, scale: 1, disp: 0, segment: op.segment });
          asm.addu(t, t, base);
          addr = t;
        }
        const v = this.load(1, addr, false);
        asm.ins(guestRegister(0), v, 0, 8);
        return;
      }
    }
  }

  /** The context block's address (segment registers), or a cut before this op without one. */
  context(): number {
    const context = this.options.context;
    if (context === undefined) throw new NeedsContext(this.opIndex, '(segment register)', 'segment registers live in a context block this translator has not');
    return context;
  }

  /** The selector in segment register `segment` (a new temp). */
  selector(segment: number): number {
    const asm = this.asm;
    const t = this.temp();
    if (segment === 1) {
      asm.li(t, INITIAL_SELECTORS[1]); // cs never changes
      return t;
    }
    const context = this.context();
    const lo = ((context + CONTEXT_SELECTORS + 2 * segment) << 16) >> 16;
    asm.lui(t, (((context + CONTEXT_SELECTORS + 2 * segment) - lo) >>> 16) & 0xffff);
    asm.lhu(t, lo, t);
    if (INITIAL_SELECTORS[segment] !== 0) asm.xori(t, t, INITIAL_SELECTORS[segment]);
    return t;
  }

  /**
   * Leaves the block at guest instruction `eip` for the runtime to report the guest fault it raises
   * (x86-front-end's instructionFault). The nop keeps it out of the exit-stub shape (lui; ori;
   * sdbbp): it stays in the body, so the runtime knows which instructions of the block ran.
   */
  faultExit(eip: number): void {
    const asm = this.asm;
    asm.lui(NEXT_EIP, eip >>> 16);
    asm.ori(NEXT_EIP, NEXT_EIP, eip & 0xffff);
    asm.nop();
    asm.sdbbp(Hypercall.Untranslated);
  }

  /** esp = frame - bytes (enter's frame size). */
  frameSize(sp: number, frame: number, bytes: number): void {
    const asm = this.asm;
    if (bytes <= 0x8000) asm.addiu(sp, frame, -bytes);
    else {
      const t = this.temp();
      asm.li(t, bytes);
      asm.subu(sp, frame, t);
    }
  }

  /**
   * A write probe of the byte at `addr`: faults as a guest write where the page is unmapped (the
   * load into $zero — see guestAccess) or read-only (the store of the byte read), else changes nothing.
   */
  probeWrite(addr: number): void {
    const asm = this.asm;
    const t = this.temp();
    asm.lbu(GPR.zero, 0, addr);
    asm.lbu(t, 0, addr);
    asm.sb(t, 0, addr);
    this.tempIndex--;
  }

  /**
   * enter with a nesting level (cpu.ts enter): every access is checked first — the whole frame for
   * writing, then the display entries for reading — so a fault changes no register; then ebp is
   * pushed, level - 1 display entries are copied from below the old ebp (each read after the pushes
   * before it, which may have overwritten it), the frame pointer is pushed, ebp = it, esp -= frame.
   */
  enterNested(op: Extract<IrOp, { op: 'enter' }>): void {
    const asm = this.asm;
    const ebp = guestRegister(5), sp = guestRegister(4);
    const w = op.size;
    const total = w * (op.level + 1);
    const low = this.temp();
    const high = this.temp();
    const t = this.temp();
    asm.addiu(low, sp, -total);
    this.probeWrite(low);
    // The frame spans at most two pages: also the first byte of the page of its top, when above low.
    asm.addiu(high, sp, -1);
    asm.srl(high, high, 12);
    asm.sll(high, high, 12);
    asm.sltu(t, high, low);
    asm.movn(high, low, t);
    this.probeWrite(high);
    for (let i = 1; i < op.level; i++) {
      this.load(w, ebp, false, -w * i);
      this.tempIndex--;
    }
    this.store(w, sp, ebp, -w);
    for (let i = 1; i < op.level; i++) {
      const v = this.load(w, ebp, false, -w * i);
      this.store(w, sp, v, -w * (i + 1));
      this.tempIndex--;
    }
    const frame = low; // reused: the frame pointer's value
    asm.addiu(frame, sp, -w);
    this.store(w, sp, frame, -total);
    if (w === 4) asm.move(ebp, frame);
    else asm.ins(ebp, frame, 0, 16);
    asm.addiu(frame, sp, -total);
    this.frameSize(sp, frame, op.frame);
  }

  /**
   * daa das aaa aas aam aad (cpu.ts, the SDM's pseudo-code): AL/AH from AL, AH and the incoming AF/CF;
   * the status flags are built in s8 (daa/das keep OF, aaa/aas keep OF SF ZF PF, aam/aad clear
   * CF AF OF) and become the EAGER lazy state.
   */
  bcd(op: Extract<IrOp, { op: 'bcd' }>, live: boolean): void {
    const asm = this.asm;
    const F = MATERIALIZED_FLAGS;
    const eax = guestRegister(0);
    if (op.bcd === 'aam' && op.base === 0) {
      asm.teq(GPR.zero, GPR.zero); // #DE: a MIPS trap at this guest instruction
      return;
    }
    const adjusts = op.bcd !== 'aam' && op.bcd !== 'aad';
    if (adjusts) this.materialize(STATUS_MASK); // AF CF in; the glue clobbers scratch registers
    const al = this.temp();
    const t = this.temp();
    const u = this.temp();
    asm.andi(al, eax, 0xff);
    if (!adjusts) {
      asm.li(u, op.base);
      if (op.bcd === 'aam') {
        asm.divu(al, u);
        asm.mflo(t); // AH = AL / base
        asm.mfhi(al); // AL = AL % base
        asm.ins(eax, al, 0, 8);
        asm.ins(eax, t, 8, 8);
      } else {
        asm.ext(t, eax, 8, 8);
        asm.mul(t, t, u);
        asm.addu(al, al, t);
        asm.andi(al, al, 0xff);
        asm.ins(eax, al, 0, 16); // AH = 0
      }
      asm.li(t, ~(STATUS_MASK & ~(PF | ZF | SF)));
      asm.and(F, F, t); // CF AF OF = 0; SF ZF PF below
      this.szpIntoMaterialized(al, 1, false, t, u);
      this.eagerFromMaterialized(live);
      return;
    }
    // adjust = (AL & 0xf) > 9 | AF
    const adjust = this.temp();
    asm.andi(t, al, 0xf);
    asm.sltiu(t, t, 10);
    asm.xori(t, t, 1);
    asm.ext(adjust, F, 4, 1);
    asm.or(adjust, adjust, t);
    if (op.bcd === 'aaa' || op.bcd === 'aas') {
      // AX ± 0x106 when adjusting, then AL &= 0x0f; AF = CF = adjust, the other flags kept.
      asm.andi(t, eax, 0xffff);
      asm.li(u, 0x106);
      asm.mul(u, u, adjust);
      if (op.bcd === 'aaa') asm.addu(t, t, u);
      else asm.subu(t, t, u);
      asm.andi(t, t, 0xff0f);
      asm.ins(eax, t, 0, 16);
      asm.ins(F, adjust, 0, 1);
      asm.ins(F, adjust, 4, 1);
      this.eagerFromMaterialized(live);
      return;
    }
    // daa/das: high = AL > 0x99 | CF; AL ± 6 * adjust ± 0x60 * high.
    const high = this.temp();
    asm.sltiu(high, al, 0x9a);
    asm.xori(high, high, 1);
    asm.andi(t, F, 1);
    asm.or(high, high, t);
    const cf = this.temp();
    if (op.bcd === 'daa') asm.move(cf, high);
    else {
      asm.sltiu(cf, al, 6); // das: CF = high | (adjust & AL < 6)
      asm.and(cf, cf, adjust);
      asm.or(cf, cf, high);
    }
    asm.li(u, 6);
    asm.mul(u, u, adjust);
    asm.li(t, 0x60);
    asm.mul(t, t, high);
    asm.addu(u, u, t);
    if (op.bcd === 'daa') asm.addu(al, al, u);
    else asm.subu(al, al, u);
    asm.andi(al, al, 0xff);
    asm.ins(eax, al, 0, 8);
    asm.ins(F, cf, 0, 1);
    asm.ins(F, adjust, 4, 1);
    this.szpIntoMaterialized(al, 1, false, t, u);
    this.eagerFromMaterialized(live);
  }

  /** CF = OF = (t != 0); the other status flags read as 0 (undefined after multiplication). */
  mulFlags(t: number): void {
    const asm = this.asm;
    asm.sltu(t, GPR.zero, t);
    asm.sll(FLAG_AUX, t, 11);
    asm.or(FLAG_AUX, FLAG_AUX, t);
    asm.move(FLAG_KIND, GPR.zero);
    this.produced(FlagOp.Eager, 4);
  }

  alu(op: Extract<IrOp, { op: 'alu' }>, live: boolean): void {
    const asm = this.asm;
    const size = op.dst.size;
    const carry = op.alu === 'adc' || op.alu === 'sbb';
    let cf = -1;
    if (carry) {
      const p = this.knownProducer(CF);
      cf = this.flag('CF', p);
    }
    const addr = op.dst.kind === 'mem' ? this.address(op.dst.address) : -1;
    const a = this.read(op.dst, addr);
    const logic = op.alu === 'and' || op.alu === 'or' || op.alu === 'xor';
    if (!live && !op.writeBack) return; // cmp/test whose flags nobody reads
    const res = live ? FLAG_RES : op.dst.kind === 'reg' && size === 4 ? guestRegister(op.dst.reg) : this.temp();
    if (!live && op.src.kind === 'imm' && this.aluImmediate(op.alu, res, a, op.src.value & maskOf(size))) {
      if (!logic) this.truncate(res, size);
      this.write(op.dst, res, addr);
      return;
    }
    // A live immediate goes straight into the lazy B register.
    const b = live && !logic && !carry && op.src.kind === 'imm' ? FLAG_B : this.source(op.src, size);
    if (b === FLAG_B) asm.li(FLAG_B, (op.src as { value: number }).value & maskOf(size));
    let x = a, y = b;
    if (live && !logic) {
      // Operands first (a result register may alias a source).
      if (carry) asm.move(FLAG_AUX, cf);
      asm.move(FLAG_A, a);
      if (b !== FLAG_B) asm.move(FLAG_B, b);
      x = FLAG_A;
      y = FLAG_B;
    }
    switch (op.alu) {
      case 'add': asm.addu(res, x, y); break;
      case 'sub': asm.subu(res, x, y); break;
      case 'and': asm.and(res, x, y); break;
      case 'or': asm.or(res, x, y); break;
      case 'xor': asm.xor(res, x, y); break;
      case 'adc': asm.addu(res, x, y); asm.addu(res, res, live ? FLAG_AUX : cf); break;
      case 'sbb': asm.subu(res, x, y); asm.subu(res, res, live ? FLAG_AUX : cf); break;
    }
    if (!logic) this.truncate(res, size);
    if (op.writeBack) this.write(op.dst, res, addr);
    if (live) {
      const k = { add: FlagOp.Add, sub: FlagOp.Sub, and: FlagOp.Logic, or: FlagOp.Logic, xor: FlagOp.Logic, adc: FlagOp.Adc, sbb: FlagOp.Sbb }[op.alu];
      asm.li(FLAG_KIND, kindOf(k, size));
      this.produced(k, size);
    }
  }

  /**
   * res = a op imm (imm already masked to the size) in one MIPS immediate instruction when the
   * immediate fits (addiu: signed 16 bits, andi/ori/xori: unsigned 16 bits); false if it does not.
   */
  private aluImmediate(alu: IrAluOp, res: number, a: number, imm: number): boolean {
    const asm = this.asm;
    const fitsSigned = (v: number): boolean => v >= -0x8000 && v <= 0x7fff;
    const signed = imm | 0;
    switch (alu) {
      case 'add':
        if (!fitsSigned(signed)) return false;
        asm.addiu(res, a, signed);
        return true;
      case 'sub':
        if (!fitsSigned(-signed)) return false;
        asm.addiu(res, a, -signed);
        return true;
      case 'and': case 'or': case 'xor':
        if ((imm >>> 0) > 0xffff) return false;
        if (alu === 'and') asm.andi(res, a, imm);
        else if (alu === 'or') asm.ori(res, a, imm);
        else asm.xori(res, a, imm);
        return true;
      default:
        return false;
    }
  }

  unary(op: Extract<IrOp, { op: 'unary' }>, live: boolean): void {
    const asm = this.asm;
    const size = op.dst.size;
    const reg32 = op.dst.kind === 'reg' && size === 4;
    if ((op.unary === 'inc' || op.unary === 'dec') && live) this.knownProducer(CF); // glue before scratch use
    const addr = op.dst.kind === 'mem' ? this.address(op.dst.address) : -1;
    const a = this.read(op.dst, addr);
    if (op.unary === 'not') {
      const t = reg32 ? guestRegister((op.dst as { reg: number }).reg) : this.temp();
      asm.nor(t, a, GPR.zero);
      this.write(op.dst, t, addr);
      return;
    }
    if (!live) {
      const t = reg32 ? guestRegister((op.dst as { reg: number }).reg) : this.temp();
      if (op.unary === 'neg') asm.subu(t, GPR.zero, a);
      else asm.addiu(t, a, op.unary === 'inc' ? 1 : -1);
      this.write(op.dst, t, addr);
      return;
    }
    if (op.unary === 'neg') {
      asm.move(FLAG_B, a);
      asm.move(FLAG_A, GPR.zero);
      asm.subu(FLAG_RES, GPR.zero, FLAG_B);
      this.truncate(FLAG_RES, size);
      this.write(op.dst, FLAG_RES, addr);
      asm.li(FLAG_KIND, kindOf(FlagOp.Sub, size));
      this.produced(FlagOp.Sub, size);
      return;
    }
    // inc/dec preserve CF: keep it in AUX (the liveness pass made the previous producer's state live).
    const p = this.knownProducer(CF);
    if (p.kind !== FlagOp.Inc && p.kind !== FlagOp.Dec) {
      const cf = this.flag('CF', p);
      asm.move(FLAG_AUX, cf);
    }
    asm.move(FLAG_A, a);
    asm.li(FLAG_B, 1);
    asm.addiu(FLAG_RES, FLAG_A, op.unary === 'inc' ? 1 : -1);
    this.truncate(FLAG_RES, size);
    this.write(op.dst, FLAG_RES, addr);
    const k = op.unary === 'inc' ? FlagOp.Inc : FlagOp.Dec;
    asm.li(FLAG_KIND, kindOf(k, size));
    this.produced(k, size);
  }

  /** shl/shr/sar by an immediate (lazy kind) or by cl (count 0 leaves everything but the access). */
  shift(op: Extract<IrOp, { op: 'shift' }>, live: boolean): void {
    const asm = this.asm;
    const size = op.dst.size;
    const addr = op.dst.kind === 'mem' ? this.address(op.dst.address) : -1;
    const a = op.shift === 'sar' ? this.read(op.dst, addr, true) : this.read(op.dst, addr);
    const reg32 = op.dst.kind === 'reg' && size === 4;
    const kind = op.shift === 'shl' ? FlagOp.Shl : op.shift === 'shr' ? FlagOp.Shr : FlagOp.Sar;
    if (op.count !== 'cl') {
      const n = op.count;
      const res = live ? FLAG_RES : reg32 ? guestRegister((op.dst as { reg: number }).reg) : this.temp();
      let src = a;
      if (live) {
        if (op.shift === 'sar' && size !== 4) {
          asm.andi(FLAG_A, a, maskOf(size)); // A is the masked operand; `a` stays sign-extended
        } else asm.move(FLAG_A, a);
        asm.li(FLAG_B, n);
        if (op.shift !== 'sar') src = FLAG_A;
      }
      if (op.shift === 'shl') asm.sll(res, src, n);
      else if (op.shift === 'shr') asm.srl(res, src, n);
      else asm.sra(res, src, n);
      this.truncate(res, size);
      this.write(op.dst, res, addr);
      if (live) {
        asm.li(FLAG_KIND, kindOf(kind, size));
        this.produced(kind, size, n);
      }
      return;
    }
    // By cl: the count is only known at run time; a zero count changes neither value nor flags.
    const skip = asm.newLabel();
    const c = this.shiftCount('cl', skip);
    const res = this.temp();
    if (op.shift === 'shl') asm.sllv(res, a, c);
    else if (op.shift === 'shr') asm.srlv(res, a, c);
    else asm.srav(res, a, c);
    this.truncate(res, size);
    if (live) {
      asm.move(FLAG_RES, res);
      if (op.shift === 'sar' && size !== 4) asm.andi(FLAG_A, a, maskOf(size));
      else asm.move(FLAG_A, a);
      asm.move(FLAG_B, c);
      asm.li(FLAG_KIND, kindOf(kind, size));
    }
    this.write(op.dst, res, addr);
    asm.bind(skip);
    if (live) this.producer = null; // one of two states, both in the lazy registers
  }

  /** The masked count of a shift or rotate in a new temp; a zero count in cl branches to `skip` (nothing changes). */
  private shiftCount(count: number | 'cl', skip: MipsLabel): number {
    const c = this.temp();
    if (count === 'cl') {
      this.asm.andi(c, guestRegister(1), 31);
      this.asm.beq(c, GPR.zero, skip);
      this.asm.nop();
    } else this.asm.li(c, count);
    return c;
  }

  /** rol/ror/rcl/rcr: only CF and OF change (when the masked count is not zero). */
  rotate(op: Extract<IrOp, { op: 'shift' }>, live: boolean): void {
    const asm = this.asm;
    const size = op.dst.size;
    const bits = size * 8;
    const through = op.shift === 'rcl' || op.shift === 'rcr';
    if (live || through) this.materialize();
    const addr = op.dst.kind === 'mem' ? this.address(op.dst.address) : -1;
    const v = this.read(op.dst, addr);
    if (!through && op.count !== 'cl') {
      this.rotateByImmediate(op, live, v, addr);
      return;
    }
    const skip = asm.newLabel();
    const c = this.shiftCount(op.count, skip);
    const res = this.temp();
    const cf = this.temp();
    const t = this.temp();
    if (!through) {
      // t = count mod bits; rotate left by t (ror by t = rol by bits - t).
      asm.andi(t, c, bits - 1);
      if (op.shift === 'ror') {
        asm.subu(t, GPR.zero, t);
        asm.andi(t, t, bits - 1);
      }
      asm.sllv(res, v, t);
      asm.subu(cf, GPR.zero, t);
      asm.andi(cf, cf, bits - 1); // (bits - t) mod bits: t == 0 gives v | v
      asm.srlv(cf, v, cf);
      asm.or(res, res, cf);
      this.truncate(res, size);
      if (op.shift === 'rol') {
        asm.andi(cf, res, 1);
        asm.ext(t, res, bits - 1, 1);
        asm.xor(t, t, cf); // OF = MSB ^ CF
      } else {
        asm.ext(cf, res, bits - 1, 1);
        asm.ext(t, res, bits - 2, 1);
        asm.xor(t, t, cf); // OF = MSB ^ next bit
      }
    } else {
      // Rotate through CF one bit at a time (count mod 9 / 17 for 8/16 bits).
      const n = this.temp();
      const u = this.temp();
      if (size === 4) asm.move(n, c);
      else {
        asm.li(u, bits + 1);
        asm.divu(c, u);
        asm.mfhi(n);
      }
      asm.move(res, v);
      asm.ext(cf, MATERIALIZED_FLAGS, 0, 1);
      const loop = asm.newLabel();
      const done = asm.newLabel();
      asm.bind(loop);
      asm.beq(n, GPR.zero, done);
      asm.addiu(n, n, -1);
      if (op.shift === 'rcl') {
        asm.ext(u, res, bits - 1, 1);
        asm.sll(res, res, 1);
        asm.or(res, res, cf);
        this.truncate(res, size);
        asm.b(loop);
        asm.move(cf, u);
      } else {
        asm.andi(u, res, 1);
        asm.srl(res, res, 1);
        asm.ins(res, cf, bits - 1, 1);
        asm.b(loop);
        asm.move(cf, u);
      }
      asm.bind(done);
      asm.ext(t, res, bits - 1, 1);
      if (op.shift === 'rcl') asm.xor(t, t, cf);
      else {
        asm.ext(n, res, bits - 2, 1);
        asm.xor(t, t, n);
      }
    }
    this.write(op.dst, res, addr);
    if (live) {
      asm.ins(MATERIALIZED_FLAGS, cf, 0, 1);
      asm.ins(MATERIALIZED_FLAGS, t, 11, 1);
      this.emitEagerFromMaterialized();
    }
    asm.bind(skip);
    if (live) this.producer = { kind: MATERIALIZED, size: 4, count: 0 };
  }

  /**
   * rol/ror by an immediate (1..31, so CF and OF always change): the rotate amount is known here,
   * 32-bit is one MIPS32r2 `rotr`, 8/16-bit two shifts, an or and a mask.
   */
  private rotateByImmediate(op: Extract<IrOp, { op: 'shift' }>, live: boolean, v: number, addr: number): void {
    const asm = this.asm;
    const size = op.dst.size;
    const bits = size * 8;
    const left = (op.count as number) % bits; // rol amount; ror by n = rol by bits - n
    const rol = op.shift === 'rol' ? left : (bits - left) % bits;
    const res = !live && op.dst.kind === 'reg' && size === 4 ? guestRegister(op.dst.reg) : this.temp();
    if (size === 4) asm.rotr(res, v, (32 - rol) & 31);
    else if (rol === 0) asm.move(res, v);
    else {
      const t = this.temp();
      asm.sll(res, v, rol);
      asm.srl(t, v, bits - rol);
      asm.or(res, res, t);
      this.truncate(res, size);
      this.tempIndex--; // t is dead
    }
    this.write(op.dst, res, addr);
    if (!live) return;
    const cf = this.temp();
    const t = this.temp();
    if (op.shift === 'rol') {
      asm.andi(cf, res, 1);
      asm.ext(t, res, bits - 1, 1);
      asm.xor(t, t, cf); // OF = MSB ^ CF
    } else {
      asm.ext(cf, res, bits - 1, 1);
      asm.ext(t, res, bits - 2, 1);
      asm.xor(t, t, cf); // OF = MSB ^ next bit
    }
    asm.ins(MATERIALIZED_FLAGS, cf, 0, 1);
    asm.ins(MATERIALIZED_FLAGS, t, 11, 1);
    this.emitEagerFromMaterialized();
    this.producer = { kind: MATERIALIZED, size: 4, count: 0 };
  }

  /** shld/shrd (32-bit; 16-bit per the reference CPU's choice for counts above 16). */
  shiftDouble(op: Extract<IrOp, { op: 'shiftd' }>, live: boolean): void {
    const asm = this.asm;
    const size = op.dst.size;
    if (live) this.materialize();
    const addr = op.dst.kind === 'mem' ? this.address(op.dst.address) : -1;
    const d = this.read(op.dst, addr);
    const s = this.read({ kind: 'reg', reg: op.src, size });
    const skip = asm.newLabel();
    const c = this.shiftCount(op.count, skip);
    const res = this.temp();
    const cf = this.temp();
    const u = this.temp();
    const w = this.temp();
    if (size === 4) {
      asm.subu(w, GPR.zero, c); // 32 - c (mod 32)
      if (op.left) {
        asm.sllv(res, d, c);
        asm.srlv(u, s, w);
        asm.or(res, res, u);
        asm.srlv(cf, d, w);
      } else {
        asm.srlv(res, d, c);
        asm.sllv(u, s, w);
        asm.or(res, res, u);
        asm.addiu(u, c, -1);
        asm.srlv(cf, d, u);
      }
      asm.andi(cf, cf, 1);
    } else {
      // 16-bit: 32-bit pattern x = d:s (shld) or s:d (shrd); counts above 16 use s:d / d:s.
      const x = w;
      const big = asm.newLabel();
      const joined = asm.newLabel();
      asm.sltiu(u, c, 17);
      asm.beq(u, GPR.zero, big);
      asm.nop();
      if (op.left) {
        asm.sll(x, d, 16);
        asm.or(x, x, s);
        asm.sllv(res, x, c);
        asm.srl(res, res, 16);
        asm.li(u, 16);
        asm.subu(u, u, c);
        asm.srlv(cf, d, u);
      } else {
        asm.sll(x, s, 16);
        asm.or(x, x, d);
        asm.srlv(res, x, c);
        asm.addiu(u, c, -1);
        asm.srlv(cf, d, u);
      }
      asm.b(joined);
      asm.nop();
      asm.bind(big);
      if (op.left) {
        asm.sll(x, s, 16);
        asm.or(x, x, d);
        asm.addiu(u, c, -16);
        asm.sllv(res, x, u);
        asm.srl(res, res, 16);
        asm.subu(u, GPR.zero, c);
        asm.srlv(cf, s, u); // (s >>> (32 - c)) & 1
      } else {
        asm.sll(x, d, 16);
        asm.or(x, x, s);
        asm.addiu(u, c, -16);
        asm.srlv(res, x, u);
        asm.addiu(u, c, -17);
        asm.srlv(cf, s, u);
      }
      asm.bind(joined);
      asm.andi(res, res, 0xffff);
      asm.andi(cf, cf, 1);
    }
    if (live) {
      asm.xor(u, res, d); // OF = the sign changed (before d, maybe the destination register, is written)
      asm.ext(u, u, size * 8 - 1, 1);
    }
    this.write(op.dst, res, addr);
    if (live) {
      asm.ins(MATERIALIZED_FLAGS, u, 11, 1);
      asm.ins(MATERIALIZED_FLAGS, cf, 0, 1);
      this.szpIntoMaterialized(res, size, true, u, w);
      this.emitEagerFromMaterialized();
    }
    asm.bind(skip);
    if (live) this.producer = { kind: MATERIALIZED, size: 4, count: 0 };
  }

  mulDiv(op: Extract<IrOp, { op: 'muldiv' }>, live: boolean): void {
    const asm = this.asm;
    const size = op.src.size;
    const eax = guestRegister(0), edx = guestRegister(2);
    const signed = op.muldiv === 'imul' || op.muldiv === 'idiv';
    const src = this.read(op.src, -1, signed);
    if (op.muldiv === 'mul' || op.muldiv === 'imul') {
      const lo = this.temp();
      const t = this.temp();
      if (size === 4) {
        const hi = this.temp();
        if (signed) asm.mult(eax, src);
        else asm.multu(eax, src);
        asm.mflo(lo);
        asm.mfhi(hi);
        if (live) {
          if (signed) {
            asm.sra(t, lo, 31);
            asm.xor(t, t, hi);
          } else asm.move(t, hi);
        }
        asm.move(eax, lo);
        asm.move(edx, hi);
      } else {
        const a = this.temp();
        if (size === 1) {
          if (signed) asm.seb(a, eax);
          else asm.andi(a, eax, 0xff);
        } else if (signed) asm.seh(a, eax);
        else asm.andi(a, eax, 0xffff);
        asm.mul(lo, a, src);
        if (live) {
          if (signed) {
            if (size === 1) asm.seb(t, lo);
            else asm.seh(t, lo);
            asm.xor(t, t, lo);
          } else asm.srl(t, lo, size * 8);
        }
        if (size === 1) asm.ins(eax, lo, 0, 16);
        else {
          asm.ins(eax, lo, 0, 16);
          asm.srl(lo, lo, 16);
          asm.ins(edx, lo, 0, 16);
        }
      }
      if (live) this.mulFlags(t);
      return;
    }
    // Division: #DE (a MIPS trap at this guest instruction) for a zero divisor or a quotient that does not fit.
    asm.teq(src, GPR.zero);
    const q = this.temp();
    const r = this.temp();
    const t = this.temp();
    if (size !== 4) {
      const n = this.temp();
      if (size === 1) {
        if (signed) asm.seh(n, eax);
        else asm.andi(n, eax, 0xffff);
      } else {
        asm.sll(n, edx, 16);
        asm.andi(t, eax, 0xffff);
        asm.or(n, n, t);
        if (signed) {
          // -2^31 / -1 does not fit (and MIPS div leaves it undefined)
          asm.lui(t, 0x8000);
          asm.xor(t, t, n);
          const u = this.temp();
          asm.addiu(u, src, 1);
          asm.or(t, t, u);
          asm.teq(t, GPR.zero);
        }
      }
      if (signed) asm.div(n, src);
      else asm.divu(n, src);
      asm.mflo(q);
      asm.mfhi(r);
      // The quotient must fit the destination: sign- (idiv) or zero-extension (div) of it is itself.
      if (signed) {
        if (size === 1) asm.seb(t, q);
        else asm.seh(t, q);
      } else asm.andi(t, q, size === 1 ? 0xff : 0xffff);
      asm.xor(t, t, q);
      asm.tne(t, GPR.zero);
      if (size === 1) {
        asm.ins(eax, q, 0, 8);
        asm.ins(eax, r, 8, 8);
      } else {
        asm.ins(eax, q, 0, 16);
        asm.ins(edx, r, 0, 16);
      }
      return;
    }
    // 64/32: edx:eax / src through the glue routine (t0 = hi, t1 = lo, t2 = divisor → t0 = q,
    // t1 = r, t9 != 0 on overflow); a dividend that fits 32 bits takes MIPS div/divu directly.
    const slow = asm.newLabel();
    const done = asm.newLabel();
    if (signed) {
      asm.sra(t, eax, 31);
      asm.bne(t, edx, slow);
      asm.nop();
      asm.lui(t, 0x8000);
      asm.xor(t, t, eax);
      asm.addiu(q, src, 1);
      asm.or(t, t, q);
      asm.teq(t, GPR.zero); // -2^31 / -1
      asm.div(eax, src);
    } else {
      asm.bne(edx, GPR.zero, slow);
      asm.nop();
      asm.divu(eax, src);
    }
    asm.mflo(eax);
    asm.b(done);
    asm.mfhi(edx);
    asm.bind(slow);
    asm.move(GPR.t2, src); // src is t0/t1 at most: copied before they are overwritten
    asm.move(GPR.t0, edx);
    asm.move(GPR.t1, eax);
    const l = layout();
    asm.jal(this.options.materializeFlags + (signed ? l.signedDivide64 : l.divide64));
    asm.nop();
    asm.tne(GPR.t9, GPR.zero);
    asm.move(eax, GPR.t0);
    asm.move(edx, GPR.t1);
    asm.bind(done);
  }

  bitTest(op: Extract<IrOp, { op: 'bit' }>, live: boolean): void {
    const asm = this.asm;
    const size = op.dst.size;
    const bits = size * 8;
    if (live) this.materialize();
    const b = this.temp();
    let addr = -1;
    if (op.index.kind === 'imm') asm.li(b, op.index.value & (bits - 1));
    else if (op.dst.kind === 'mem') {
      // Bit-string addressing: the signed bit offset selects a word/dword relative to the address.
      const idx = this.read(op.index, -1, true);
      addr = this.address(op.dst.address);
      const t = this.temp();
      asm.sra(t, idx, size === 4 ? 5 : 4);
      asm.sll(t, t, size === 4 ? 2 : 1);
      asm.addu(t, t, addr);
      addr = t;
      asm.andi(b, idx, bits - 1);
    } else {
      const idx = this.read(op.index);
      asm.andi(b, idx, bits - 1);
    }
    if (addr < 0 && op.dst.kind === 'mem') addr = this.address(op.dst.address);
    const v = this.read(op.dst, addr);
    const cf = this.temp();
    asm.srlv(cf, v, b);
    asm.andi(cf, cf, 1);
    if (op.bit !== 'bt') {
      const m = this.temp();
      asm.li(m, 1);
      asm.sllv(m, m, b);
      if (op.bit === 'bts') asm.or(m, v, m);
      else if (op.bit === 'btc') asm.xor(m, v, m);
      else {
        asm.nor(m, m, GPR.zero);
        asm.and(m, v, m);
      }
      this.write(op.dst, m, addr);
    }
    if (live) {
      asm.ins(MATERIALIZED_FLAGS, cf, 0, 1);
      this.eagerFromMaterialized(true);
    }
  }

  flagOp(flag: Extract<IrOp, { op: 'flag' }>['flag'], live: boolean): void {
    const asm = this.asm;
    const F = MATERIALIZED_FLAGS;
    switch (flag) {
      case 'cld':
        asm.ins(F, GPR.zero, DF_BIT, 1);
        return;
      case 'std':
        asm.ori(F, F, 1 << DF_BIT);
        return;
      case 'lahf': {
        this.materialize();
        const t = this.temp();
        asm.andi(t, F, 0xd5);
        asm.ori(t, t, 2);
        asm.ins(guestRegister(0), t, 8, 8);
        return;
      }
    }
    if (!live) return;
    this.materialize();
    switch (flag) {
      case 'clc': asm.ins(F, GPR.zero, 0, 1); break;
      case 'stc': asm.ori(F, F, 1); break;
      case 'cmc': asm.xori(F, F, 1); break;
      case 'sahf': {
        const t = this.temp();
        asm.ext(t, guestRegister(0), 8, 8);
        asm.andi(t, t, 0xd5);
        const u = this.temp();
        asm.srl(u, F, 8);
        asm.sll(u, u, 8);
        asm.or(F, u, t);
        break;
      }
    }
    this.eagerFromMaterialized(true);
  }

  stringOp(op: Extract<IrOp, { op: 'string' }>, live: boolean): void {
    const asm = this.asm;
    const size = op.size;
    const compare = op.string === 'cmps' || op.string === 'scas';
    const esi = guestRegister(6), edi = guestRegister(7), ecx = guestRegister(1), eax = guestRegister(0);
    const delta = this.stringDelta(size);
    let segBase = -1;
    if (op.segment >= 0 && (op.string === 'movs' || op.string === 'cmps' || op.string === 'lods')) {
      segBase = this.address({ base: -1, index: -1, scale: 1, disp: 0, segment: op.segment });
    }
    const mark = this.tempIndex;
    const loop = asm.newLabel();
    const done = asm.newLabel();
    if (op.rep !== 0) {
      asm.bind(loop);
      asm.beq(ecx, GPR.zero, done);
      asm.nop();
    }
    this.tempIndex = mark;
    let src = esi;
    if (segBase >= 0) {
      src = this.temp();
      asm.addu(src, esi, segBase);
    }
    // Every access of the iteration happens before esi/edi/ecx move: a fault leaves the state precise.
    switch (op.string) {
      case 'movs': {
        const v = this.load(size, src, false);
        this.store(size, edi, v);
        asm.addu(esi, esi, delta);
        asm.addu(edi, edi, delta);
        break;
      }
      case 'stos':
        this.store(size, edi, eax);
        asm.addu(edi, edi, delta);
        break;
      case 'lods': {
        const v = this.load(size, src, false);
        this.write({ kind: 'reg', reg: 0, size }, v);
        asm.addu(esi, esi, delta);
        break;
      }
      case 'cmps': case 'scas': {
        const a = op.string === 'cmps' ? this.load(size, src, false) : this.read({ kind: 'reg', reg: 0, size });
        const b = this.load(size, edi, false);
        asm.move(FLAG_A, a);
        asm.move(FLAG_B, b);
        asm.subu(FLAG_RES, FLAG_A, FLAG_B);
        this.truncate(FLAG_RES, size);
        if (op.string === 'cmps') asm.addu(esi, esi, delta);
        asm.addu(edi, edi, delta);
        break;
      }
    }
    if (compare) asm.li(FLAG_KIND, kindOf(FlagOp.Sub, size));
    if (op.rep !== 0) {
      asm.addiu(ecx, ecx, -1);
      if (compare) {
        if (op.rep === 1) asm.bne(FLAG_RES, GPR.zero, done); // repe: stop on a difference
        else asm.beq(FLAG_RES, GPR.zero, done); // repne: stop on equality
        asm.nop();
      }
      asm.b(loop);
      asm.nop();
      asm.bind(done);
    }
    if (compare) {
      // With rep and ecx = 0 nothing was compared: the flags are those of before, also in the registers.
      if (op.rep !== 0) this.producer = null;
      else this.produced(FlagOp.Sub, size);
    }
    void live;
  }

  // ------------------------------------------------------------------ exits

  opIndexForTerminator(index: number): void {
    this.opIndex = index;
  }

  /** A direct exit: lui/ori v0 + sdbbp CHAIN (patched to `j block; nop` once the target exists). */
  stub(target: number): void {
    const asm = this.asm;
    const filter = this.options.directExitFilter;
    if (filter !== undefined && !this.options.lockstep && !filter(target >>> 0)) {
      asm.li(NEXT_EIP, target | 0);
      this.indirectExit();
      return;
    }
    asm.lui(NEXT_EIP, target >>> 16);
    asm.ori(NEXT_EIP, NEXT_EIP, target & 0xffff);
    asm.sdbbp(this.options.lockstep ? Hypercall.Boundary : Hypercall.Chain);
  }

  /** Exit with the target already in v0. */
  indirectExit(): void {
    if (this.options.lockstep) this.asm.sdbbp(Hypercall.Boundary);
    else {
      this.asm.j(this.options.dispatch);
      this.asm.nop();
    }
  }

  pushReturn(returnAddress: number): void {
    const t = this.temp();
    const sp = guestRegister(4);
    this.asm.li(t, returnAddress);
    this.store(4, sp, t, -4);
    this.asm.addiu(sp, sp, -4);
  }

  /** Two-way exit on register c (taken when (c != 0) !== negate). */
  twoWay(c: number, negate: boolean, taken: number, fallthrough: number): void {
    const asm = this.asm;
    const label: MipsLabel = asm.newLabel();
    if (negate) asm.beq(c, GPR.zero, label);
    else asm.bne(c, GPR.zero, label);
    asm.nop();
    this.stub(fallthrough);
    asm.bind(label);
    this.stub(taken);
  }

  terminator(block: IrBlock): void {
    const t = block.terminator;
    const asm = this.asm;
    this.tempIndex = 0;
    this.guestMap.push({ offset: asm.length * 4, eip: t.eip });
    switch (t.kind) {
      case 'jump':
        this.stub(t.target);
        return;
      case 'branch': {
        const [c, negate] = this.condition(t.cond);
        this.twoWay(c, negate, t.taken, t.fallthrough);
        return;
      }
      case 'loop': {
        const ecx = guestRegister(1);
        if (t.loop === 'jecxz') {
          this.twoWay(ecx, true, t.taken, t.fallthrough);
          return;
        }
        let zf = -1;
        if (t.loop !== 'loop') {
          const p = this.knownProducer(ZF);
          zf = this.flag('ZF', p);
        }
        asm.addiu(ecx, ecx, -1);
        if (t.loop === 'loop') {
          this.twoWay(ecx, false, t.taken, t.fallthrough);
          return;
        }
        const c = this.temp();
        asm.sltu(c, GPR.zero, ecx);
        if (t.loop === 'loope') asm.and(c, c, zf);
        else {
          asm.xori(zf, zf, 1);
          asm.and(c, c, zf);
        }
        this.twoWay(c, false, t.taken, t.fallthrough);
        return;
      }
      case 'indirect': {
        const v = this.source(t.target, 4);
        asm.move(NEXT_EIP, v);
        this.indirectExit();
        return;
      }
      case 'call':
        this.pushReturn(t.returnAddress);
        this.stub(t.target);
        return;
      case 'call-indirect': {
        const v = this.source(t.target, 4);
        asm.move(NEXT_EIP, v); // read the target before esp moves (call *(%esp))
        this.pushReturn(t.returnAddress);
        this.indirectExit();
        return;
      }
      case 'ret': {
        const sp = guestRegister(4);
        asm.lwr(NEXT_EIP, 0, sp);
        asm.lwl(NEXT_EIP, 3, sp);
        asm.addiu(sp, sp, 4 + t.popBytes);
        this.indirectExit();
        return;
      }
      case 'syscall':
        asm.li(NEXT_EIP, t.next | 0);
        if (this.options.syscall !== undefined) {
          asm.j(this.options.syscall);
          asm.nop();
        } else asm.sdbbp(Hypercall.Syscall);
        return;
      case 'untranslated':
        if (block.ops.length > 0) this.stub(t.eip);
        else {
          asm.lui(NEXT_EIP, t.eip >>> 16);
          asm.ori(NEXT_EIP, NEXT_EIP, t.eip & 0xffff);
          asm.sdbbp(Hypercall.Untranslated);
        }
        return;
    }
  }
}

/** Translates an IR block into MIPS words for host address `origin`. */
export function emitBlock(block: IrBlock, origin: number, options: BackEndOptions): TranslatedCode {
  const asm = new MipsAssembler(origin);
  const e = new BlockEmitter(asm, options);
  try {
    block.ops.forEach((op, i) => e.op(op, i));
    e.opIndexForTerminator(block.ops.length);
    e.terminator(block);
  } catch (err) {
    if (!(err instanceof NeedsContext)) throw err;
    // No context block for %fs/%gs: translate up to that instruction, which then stops as untranslated.
    const at = err.index < block.ops.length ? block.ops[err.index] : block.terminator;
    const cut: IrBlock = {
      ...block,
      ops: block.ops.slice(0, err.index),
      terminator: { kind: 'untranslated', eip: at.eip, mnemonic: err.mnemonic, reason: err.reason },
      guestCount: err.index,
      end: at.eip,
    };
    return emitBlock(cut, origin, options);
  }
  return { words: asm.finish().words, guestMap: e.guestMap };
}

/**
 * The flags glue and its helper routines, emitted once into the glue area; returns the flags entry.
 * Flags glue: s8's CF PF AF ZF SF OF ← the lazy state (a0 KIND, a1 RES, a2 A, a3 B, v1 AUX) of
 * any kind and size, the other s8 bits kept; returns with `jr ra`; clobbers t0-t5.
 */
export function emitFlagsGlue(asm: MipsAssembler): number {
  return emitGlueRoutines(asm).flags;
}

function emitGlueRoutines(asm: MipsAssembler): GlueRoutines {
  const flags = asm.address;
  const { t0, t1, t2, t3, t4, t5, ra } = GPR;
  const F = MATERIALIZED_FLAGS;
  const eager = asm.newLabel();
  const arithTail = asm.newLabel();
  const shiftTail = asm.newLabel();
  const cases = new Map<number, MipsLabel>();
  for (let op = 1; op <= FlagOp.Sar; op++) cases.set(op, asm.newLabel());
  asm.srl(t0, FLAG_KIND, 3);
  asm.beq(t0, GPR.zero, eager);
  asm.andi(t3, FLAG_KIND, 7); // size (delay slot)
  asm.sll(t3, t3, 3); // bits
  asm.li(t4, 32);
  asm.subu(t4, t4, t3); // t4 = 32 - bits: shifting left by it brings the sign bit to bit 31
  // ZF, SF, PF from RES.
  asm.sltiu(t1, FLAG_RES, 1);
  asm.ins(F, t1, 6, 1);
  asm.sllv(t1, FLAG_RES, t4);
  asm.srl(t1, t1, 31);
  asm.ins(F, t1, 7, 1);
  asm.andi(t1, FLAG_RES, 0xff);
  asm.srl(t2, t1, 4);
  asm.xor(t1, t1, t2);
  asm.srl(t2, t1, 2);
  asm.xor(t1, t1, t2);
  asm.srl(t2, t1, 1);
  asm.xor(t1, t1, t2);
  asm.xori(t1, t1, 1);
  asm.ins(F, t1, 2, 1);
  // Jump table on the op (1..10): one `b case; nop` pair per op.
  const table = asm.newLabel();
  asm.la(t1, table);
  asm.sll(t2, t0, 3);
  asm.addu(t1, t1, t2);
  asm.jr(t1);
  asm.nop();
  asm.bind(table);
  const bad = asm.newLabel();
  for (let op = 0; op <= FlagOp.Sar; op++) {
    asm.b(cases.get(op) ?? bad);
    asm.nop();
  }
  // Arithmetic kinds: t1 = CF (0/1), t2 = a word whose bit (bits-1) is OF; AF = bit 4 of A^B^RES.
  asm.bind(cases.get(FlagOp.Add)!);
  asm.sltu(t1, FLAG_RES, FLAG_A);
  asm.bind(cases.get(FlagOp.Inc)!); // (inc: CF is overwritten with AUX below)
  const ofAdd = asm.here();
  asm.xor(t2, FLAG_A, FLAG_RES);
  asm.xor(t5, FLAG_B, FLAG_RES);
  asm.and(t2, t2, t5);
  asm.li(t5, FlagOp.Inc);
  asm.bne(t0, t5, arithTail);
  asm.nop();
  asm.b(arithTail);
  asm.move(t1, FLAG_AUX);
  void ofAdd;
  asm.bind(cases.get(FlagOp.Adc)!);
  asm.sltu(t1, FLAG_RES, FLAG_A);
  asm.xor(t5, FLAG_RES, FLAG_A);
  asm.sltiu(t5, t5, 1);
  asm.and(t5, t5, FLAG_AUX);
  asm.or(t1, t1, t5);
  asm.xor(t2, FLAG_A, FLAG_RES);
  asm.xor(t5, FLAG_B, FLAG_RES);
  asm.b(arithTail);
  asm.and(t2, t2, t5);
  asm.bind(cases.get(FlagOp.Sub)!);
  asm.sltu(t1, FLAG_A, FLAG_B);
  asm.bind(cases.get(FlagOp.Dec)!);
  asm.xor(t2, FLAG_A, FLAG_B);
  asm.xor(t5, FLAG_A, FLAG_RES);
  asm.and(t2, t2, t5);
  asm.li(t5, FlagOp.Dec);
  asm.bne(t0, t5, arithTail);
  asm.nop();
  asm.b(arithTail);
  asm.move(t1, FLAG_AUX);
  asm.bind(cases.get(FlagOp.Sbb)!);
  asm.sltu(t1, FLAG_A, FLAG_B);
  asm.xor(t5, FLAG_A, FLAG_B);
  asm.sltiu(t5, t5, 1);
  asm.and(t5, t5, FLAG_AUX);
  asm.or(t1, t1, t5);
  asm.xor(t2, FLAG_A, FLAG_B);
  asm.xor(t5, FLAG_A, FLAG_RES);
  asm.b(arithTail);
  asm.and(t2, t2, t5);
  asm.bind(arithTail);
  asm.ins(F, t1, 0, 1);
  asm.sllv(t2, t2, t4);
  asm.srl(t2, t2, 31);
  asm.ins(F, t2, 11, 1);
  asm.xor(t1, FLAG_A, FLAG_B);
  asm.xor(t1, t1, FLAG_RES);
  asm.ext(t1, t1, 4, 1);
  asm.jr(ra);
  asm.ins(F, t1, 4, 1);
  // Logic (and unknown kinds): CF = OF = AF = 0.
  asm.bind(cases.get(FlagOp.Logic)!);
  asm.bind(bad);
  asm.move(t1, GPR.zero);
  asm.b(shiftTail);
  asm.move(t2, GPR.zero);
  // Shifts: t1 = CF, t2 = OF (0/1); AF = 0.
  asm.bind(cases.get(FlagOp.Shl)!);
  asm.sltu(t5, t3, FLAG_B); // count > bits → CF = 0
  asm.subu(t1, t3, FLAG_B);
  asm.srlv(t1, FLAG_A, t1);
  asm.andi(t1, t1, 1);
  asm.movn(t1, GPR.zero, t5);
  asm.ext(t2, F, 7, 1); // OF = SF ^ CF
  asm.b(shiftTail);
  asm.xor(t2, t2, t1);
  asm.bind(cases.get(FlagOp.Shr)!);
  asm.addiu(t1, FLAG_B, -1);
  asm.srlv(t1, FLAG_A, t1);
  asm.andi(t1, t1, 1);
  asm.sllv(t2, FLAG_A, t4); // OF = MSB of the operand
  asm.b(shiftTail);
  asm.srl(t2, t2, 31);
  asm.bind(cases.get(FlagOp.Sar)!);
  asm.sllv(t1, FLAG_A, t4);
  asm.srav(t1, t1, t4); // sign-extended operand
  asm.addiu(t2, FLAG_B, -1);
  asm.srav(t1, t1, t2);
  asm.andi(t1, t1, 1);
  asm.move(t2, GPR.zero);
  asm.bind(shiftTail);
  asm.ins(F, t1, 0, 1);
  asm.ins(F, t2, 11, 1);
  asm.jr(ra);
  asm.ins(F, GPR.zero, 4, 1);
  asm.bind(eager);
  asm.li(t1, STATUS_MASK);
  asm.and(t1, FLAG_AUX, t1);
  asm.li(t2, ~STATUS_MASK);
  asm.and(F, F, t2);
  asm.jr(ra);
  asm.or(F, F, t1);

  const { cf, zf, sf, of } = emitFlagEntries(asm, flags);

  // Unsigned 64/32 division: t0:t1 / t2 → t0 = quotient, t1 = remainder, t9 = 1 when the
  // quotient does not fit 32 bits (t0 >= t2). Restoring division, one bit per step. Clobbers t3-t5.
  const divide64 = asm.address;
  emitUnsignedDivide(asm);
  asm.jr(ra);
  asm.nop();

  // Signed 64/32 division (idiv): same registers; t9 = 1 when the quotient does not fit.
  const signedDivide64 = asm.address;
  const { t6, t7, t8, t9 } = GPR;
  void t9;
  // t6 = dividend negative, t7 = divisor negative; work on magnitudes.
  asm.srl(t6, t0, 31);
  asm.srl(t7, t2, 31);
  const posDividend = asm.newLabel();
  asm.beq(t6, GPR.zero, posDividend);
  asm.nop();
  asm.subu(t1, GPR.zero, t1); // negate t0:t1
  asm.sltu(t8, GPR.zero, t1); // borrow
  asm.subu(t0, GPR.zero, t0);
  asm.subu(t0, t0, t8);
  asm.bind(posDividend);
  asm.subu(t8, GPR.zero, t2);
  asm.movn(t2, t8, t7);
  emitUnsignedDivide(asm);
  // Overflow unless the magnitude fits: quotient ≤ 2^31 - 1, or 2^31 when the signs differ.
  const done = asm.newLabel();
  asm.bne(t9, GPR.zero, done);
  asm.xor(t7, t6, t7); // quotient negative
  asm.lui(t3, 0x8000);
  asm.addu(t3, t3, t7); // limit + 1: 2^31 (+1 when negative)
  asm.sltu(t9, t0, t3);
  asm.xori(t9, t9, 1);
  asm.subu(t3, GPR.zero, t0);
  asm.movn(t0, t3, t7);
  asm.subu(t3, GPR.zero, t1);
  asm.movn(t1, t3, t6); // the remainder has the dividend's sign
  asm.bind(done);
  asm.jr(ra);
  asm.nop();
  return { flags, cf, zf, sf, of, divide64, signedDivide64 };
}

/**
 * Per-flag entries: each computes one status flag of the lazy state into its s8 bit (clobbers
 * t0-t5) and starts with `srl t0, a0, 3` (op), which callers run in their jal's delay slot. Kinds
 * whose flag takes more work than the full glue's share jump there (ra is kept).
 */
function emitFlagEntries(asm: MipsAssembler, full: number): { cf: number; zf: number; sf: number; of: number } {
  const { t0, t1, t2, t3, t4, t5, ra } = GPR;
  const F = MATERIALIZED_FLAGS;
  const eagerBit = (bit: number): void => {
    asm.ext(t1, FLAG_AUX, bit, 1);
    asm.jr(ra);
    asm.ins(F, t1, bit, 1);
  };
  // ZF: RES == 0 (RES is masked to the size), or the EAGER bit.
  const zf = asm.address;
  const zfEager = asm.newLabel();
  asm.srl(t0, FLAG_KIND, 3);
  asm.beq(t0, GPR.zero, zfEager);
  asm.sltiu(t1, FLAG_RES, 1);
  asm.jr(ra);
  asm.ins(F, t1, 6, 1);
  asm.bind(zfEager);
  eagerBit(6);
  // SF: bit (8 * size - 1) of RES.
  const sf = asm.address;
  const sfEager = asm.newLabel();
  asm.srl(t0, FLAG_KIND, 3);
  asm.beq(t0, GPR.zero, sfEager);
  asm.andi(t3, FLAG_KIND, 7);
  asm.sll(t3, t3, 3);
  asm.addiu(t3, t3, -1);
  asm.srlv(t1, FLAG_RES, t3);
  asm.jr(ra);
  asm.ins(F, t1, 7, 1);
  asm.bind(sfEager);
  eagerBit(7);
  // CF and OF: a jump table on the op, one `b case; nop` pair per op 0..10.
  const table = (cases: Map<number, MipsLabel>, fallback: MipsLabel): void => {
    const t = asm.newLabel();
    asm.la(t1, t);
    asm.sll(t2, t0, 3);
    asm.addu(t1, t1, t2);
    asm.jr(t1);
    asm.nop();
    asm.bind(t);
    for (let op = 0; op <= FlagOp.Sar; op++) {
      asm.b(cases.get(op) ?? fallback);
      asm.nop();
    }
  };
  const cf = asm.address;
  {
    const c = new Map<number, MipsLabel>();
    for (let op = 0; op <= FlagOp.Sar; op++) c.set(op, asm.newLabel());
    const toFull = asm.newLabel();
    asm.srl(t0, FLAG_KIND, 3);
    table(c, toFull);
    const done = (): void => {
      asm.jr(ra);
      asm.ins(F, t1, 0, 1);
    };
    asm.bind(c.get(FlagOp.Eager)!);
    eagerBit(0);
    asm.bind(c.get(FlagOp.Add)!);
    asm.sltu(t1, FLAG_RES, FLAG_A);
    done();
    asm.bind(c.get(FlagOp.Sub)!);
    asm.sltu(t1, FLAG_A, FLAG_B);
    done();
    asm.bind(c.get(FlagOp.Adc)!);
    asm.sltu(t1, FLAG_RES, FLAG_A);
    asm.xor(t5, FLAG_RES, FLAG_A);
    asm.sltiu(t5, t5, 1);
    asm.and(t5, t5, FLAG_AUX);
    asm.or(t1, t1, t5);
    done();
    asm.bind(c.get(FlagOp.Sbb)!);
    asm.sltu(t1, FLAG_A, FLAG_B);
    asm.xor(t5, FLAG_A, FLAG_B);
    asm.sltiu(t5, t5, 1);
    asm.and(t5, t5, FLAG_AUX);
    asm.or(t1, t1, t5);
    done();
    asm.bind(c.get(FlagOp.Logic)!);
    asm.move(t1, GPR.zero);
    done();
    asm.bind(c.get(FlagOp.Inc)!);
    asm.bind(c.get(FlagOp.Dec)!);
    asm.move(t1, FLAG_AUX);
    done();
    asm.bind(c.get(FlagOp.Shl)!);
    asm.bind(c.get(FlagOp.Shr)!);
    asm.bind(c.get(FlagOp.Sar)!);
    asm.bind(toFull);
    asm.j(full);
    asm.nop();
  }
  const of = asm.address;
  {
    const c = new Map<number, MipsLabel>();
    for (let op = 0; op <= FlagOp.Sar; op++) c.set(op, asm.newLabel());
    const toFull = asm.newLabel();
    const signTail = asm.newLabel();
    asm.srl(t0, FLAG_KIND, 3);
    table(c, toFull);
    asm.bind(c.get(FlagOp.Eager)!);
    eagerBit(11);
    asm.bind(c.get(FlagOp.Add)!);
    asm.bind(c.get(FlagOp.Adc)!);
    asm.bind(c.get(FlagOp.Inc)!);
    asm.xor(t1, FLAG_A, FLAG_RES);
    asm.xor(t2, FLAG_B, FLAG_RES);
    asm.b(signTail);
    asm.and(t1, t1, t2);
    asm.bind(c.get(FlagOp.Sub)!);
    asm.bind(c.get(FlagOp.Sbb)!);
    asm.bind(c.get(FlagOp.Dec)!);
    asm.xor(t1, FLAG_A, FLAG_B);
    asm.xor(t2, FLAG_A, FLAG_RES);
    asm.and(t1, t1, t2);
    asm.bind(signTail); // OF = bit (8 * size - 1) of t1
    asm.andi(t3, FLAG_KIND, 7);
    asm.sll(t3, t3, 3);
    asm.addiu(t3, t3, -1);
    asm.srlv(t1, t1, t3);
    asm.jr(ra);
    asm.ins(F, t1, 11, 1);
    asm.bind(c.get(FlagOp.Logic)!);
    asm.bind(c.get(FlagOp.Sar)!);
    asm.jr(ra);
    asm.ins(F, GPR.zero, 11, 1);
    asm.bind(c.get(FlagOp.Shl)!);
    asm.bind(c.get(FlagOp.Shr)!);
    asm.bind(toFull);
    asm.j(full);
    asm.nop();
  }
  void t4;
  return { cf, zf, sf, of };
}

function emitUnsignedDivide(asm: MipsAssembler): void {
  const { t0, t1, t2, t3, t4, t5, t9 } = GPR;
  const loop = asm.newLabel();
  const skip = asm.newLabel();
  const out = asm.newLabel();
  asm.sltu(t9, t0, t2);
  asm.beq(t9, GPR.zero, out); // hi >= divisor: the quotient needs more than 32 bits
  asm.xori(t9, t9, 1);
  asm.li(t3, 32);
  asm.move(t4, GPR.zero);
  asm.bind(loop);
  asm.srl(t5, t0, 31); // bit shifted out of the remainder
  asm.sll(t0, t0, 1);
  asm.srl(t9, t1, 31);
  asm.or(t0, t0, t9);
  asm.sll(t1, t1, 1);
  asm.sll(t4, t4, 1);
  asm.sltu(t9, t0, t2);
  asm.xori(t9, t9, 1);
  asm.or(t9, t9, t5);
  asm.beq(t9, GPR.zero, skip);
  asm.addiu(t3, t3, -1);
  asm.subu(t0, t0, t2);
  asm.ori(t4, t4, 1);
  asm.bind(skip);
  asm.bne(t3, GPR.zero, loop);
  asm.nop();
  asm.move(t1, t0); // remainder
  asm.move(t0, t4); // quotient
  asm.move(t9, GPR.zero);
  asm.bind(out);
}

/** The time-stamp hypercall (Hypercall.TimeStamp, rdtsc): EDX:EAX = the CPU's simulated cycles
 * (host instructions plus idle cycles), the time `ukcf user` and the full system run on —
 * deterministic and monotonic; not the guest instruction count the reference interpreter returns. */
export function readTimeStamp(cpu: { cycles: number; regs: Int32Array }): boolean {
  const now = cpu.cycles;
  cpu.regs[guestRegister(0)] = now % 0x100000000 | 0;
  cpu.regs[guestRegister(2)] = Math.floor(now / 0x100000000) | 0;
  return true;
}

const OPCODE_LB = 0x20, OPCODE_LBU = 0x24, OPCODE_LWL = 0x22, OPCODE_SWL = 0x2a;

/**
 * The guest access behind a MIPS memory exception at host word `word` (the faulting instruction):
 * the first guest byte it could not access and whether the guest was writing. Translated code reads
 * and writes an unaligned word as lwr/swr at its first byte, then lwl/swl at its last: when the lwl/swl
 * faults, the first inaccessible byte is the start of its word (the page boundary the access
 * crosses), not its own address. A byte load into $zero is a write probe (enter's).
 */
export function guestAccess(word: number, write: boolean, badVAddr: number): { address: number; write: boolean } {
  const opcode = word >>> 26;
  if (opcode === OPCODE_LWL || opcode === OPCODE_SWL) return { address: (badVAddr & ~3) >>> 0, write };
  if ((opcode === OPCODE_LB || opcode === OPCODE_LBU) && ((word >>> 16) & 31) === 0) return { address: badVAddr >>> 0, write: true };
  return { address: badVAddr >>> 0, write };
}
