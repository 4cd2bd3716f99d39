// IR → MIPS32r2 through the MipsAssembler. Register pinning, lazy-flag registers and exit-stub shapes
// are described in README.md; `host-registers` below is the single source of that mapping.

import { GPR, MipsAssembler, type MipsLabel } from '../mips/encoder';
import { FlagOp, type IrAddress, type IrBlock, type IrLocation, type IrOp, type IrSource } from './ir';

/** Host register of guest register r (eax..edi → s0..s7). */
export const guestRegister = (r: number): number => GPR.s0 + r;
/** Lazy-flag registers (same slots as x86/lazy-flags.ts LF_KIND, LF_RES, LF_A, LF_B, LF_AUX). */
export const FLAG_KIND = GPR.a0, FLAG_RES = GPR.a1, FLAG_A = GPR.a2, FLAG_B = GPR.a3, FLAG_AUX = GPR.v1;
/** Next guest eip at a block exit; lookup table base. */
export const NEXT_EIP = GPR.v0, TABLE_BASE = GPR.gp;
/** Status flags materialized at run time by the flags glue (EFLAGS bit positions; AF not computed). */
export const MATERIALIZED_FLAGS = GPR.s8;

export const enum Hypercall {
  DispatchMiss = 1,
  Chain = 2,
  Untranslated = 3,
  Boundary = 4,
  Syscall = 5,
}

/** Exit stubs are exactly this many words: lui v0; ori v0; sdbbp (chained: j block; nop; sdbbp). */
export const STUB_WORDS = 3;

const TEMPS = [GPR.t0, GPR.t1, GPR.t2, GPR.t3, GPR.t4, GPR.t5, GPR.t6, GPR.t7, GPR.t8, GPR.t9];
const kind32 = (op: number): number => (op << 3) | 4;

export interface BackEndOptions {
  /** Every exit stops at a BOUNDARY hypercall instead of chaining / dispatching (lockstep mode). */
  readonly lockstep: boolean;
  /** Host address of the dispatch glue (indirect exits jump there with v0 = target). */
  readonly dispatch: number;
  /** Host address of the flags glue (jal: s8 ← CF PF ZF SF OF of the lazy state; clobbers t0-t2, ra). */
  readonly materializeFlags: number;
  /** Host address of the syscall glue: `int 0x80` exits with v0 = eip after it and `j syscall`.
   * Absent: the block stops at the SYSCALL hypercall (5) with the same v0, for host-side servicing. */
  readonly syscall?: number;
  /** Direct jmp/call/jcc targets for which this returns false leave through dispatch (v0 = target;
   * `j dispatch`) instead of a chainable stub, so that a jump monitor sees them. */
  readonly directExitFilter?: (target: number) => boolean;
}

export interface TranslatedCode {
  readonly words: Uint32Array;
  /** (host byte offset, guest eip) at the start of each guest instruction's code (ops, then the terminator), ascending. */
  readonly guestMap: readonly { offset: number; eip: number }[];
}

/** What the block knows statically about the last flag producer (null: set in an earlier block). */
interface Producer {
  /** FlagOp, or MATERIALIZED: flags set in an earlier block, materialized into s8 by the glue. */
  readonly kind: number;
  readonly count: number;
}
const MATERIALIZED = -1;

class BlockEmitter {
  private tempIndex = 0;
  private producer: Producer | null = null;
  readonly guestMap: { offset: number; eip: number }[] = [];

  constructor(
    readonly asm: MipsAssembler,
    readonly options: BackEndOptions,
  ) {}

  temp(): number {
    if (this.tempIndex >= TEMPS.length) throw new Error('UKCF back end: out of scratch registers');
    return TEMPS[this.tempIndex++];
  }

  /** Register holding the effective address. */
  address(a: IrAddress): number {
    const asm = this.asm;
    let r = -1;
    if (a.index >= 0) {
      if (a.scale === 1) r = guestRegister(a.index);
      else {
        const t = this.temp();
        asm.sll(t, guestRegister(a.index), Math.log2(a.scale));
        r = t;
      }
    }
    if (a.base >= 0) {
      if (r < 0) r = guestRegister(a.base);
      else {
        const t = this.temp();
        asm.addu(t, r, guestRegister(a.base));
        r = t;
      }
    }
    if (r < 0) {
      const t = this.temp();
      asm.li(t, a.disp);
      return t;
    }
    if (a.disp === 0) return r;
    const t = this.temp();
    if (a.disp >= -0x8000 && a.disp <= 0x7fff) asm.addiu(t, r, a.disp);
    else {
      asm.li(t, a.disp);
      asm.addu(t, t, r);
    }
    return t;
  }

  /** x86 allows unaligned accesses: 32-bit through lwr/lwl, 16-bit as two bytes. */
  load(size: number, addr: number, signed: boolean): number {
    const asm = this.asm;
    const t = this.temp();
    if (size === 4) {
      asm.lwr(t, 0, addr);
      asm.lwl(t, 3, addr);
    } else if (size === 2) {
      const hi = this.temp();
      asm.lbu(t, 0, addr);
      if (signed) asm.lb(hi, 1, addr);
      else asm.lbu(hi, 1, addr);
      asm.sll(hi, hi, 8);
      asm.or(t, t, hi);
    } else if (signed) asm.lb(t, 0, addr);
    else asm.lbu(t, 0, addr);
    return t;
  }

  store(size: number, addr: number, value: number): void {
    const asm = this.asm;
    if (size === 4) {
      asm.swr(value, 0, addr);
      asm.swl(value, 3, addr);
    } else if (size === 2) {
      const t = this.temp();
      asm.srl(t, value, 8);
      asm.sb(value, 0, addr);
      asm.sb(t, 1, addr);
    } else asm.sb(value, 0, addr);
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
    return this.load(loc.size, addr >= 0 ? addr : this.address(loc.address), signed);
  }

  source(src: IrSource, addr = -1): number {
    if (src.kind !== 'imm') return this.read(src, addr);
    if (src.value === 0) return GPR.zero;
    const t = this.temp();
    this.asm.li(t, src.value);
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
    this.store(loc.size, addr >= 0 ? addr : this.address(loc.address), value);
  }

  /** One flag as 0/1 in a new temp, from the statically known producer. */
  flag(which: 'CF' | 'ZF' | 'SF' | 'OF' | 'PF', p: Producer): number {
    const asm = this.asm;
    const t = this.temp();
    if (p.kind === MATERIALIZED) {
      asm.ext(t, MATERIALIZED_FLAGS, { CF: 0, PF: 2, ZF: 6, SF: 7, OF: 11 }[which], 1);
      return t;
    }
    switch (which) {
      case 'ZF':
        if (p.kind === FlagOp.Eager) asm.ext(t, FLAG_AUX, 6, 1);
        else asm.sltiu(t, FLAG_RES, 1);
        return t;
      case 'SF':
        if (p.kind === FlagOp.Eager) asm.ext(t, FLAG_AUX, 7, 1);
        else asm.srl(t, FLAG_RES, 31);
        return t;
      case 'PF': {
        if (p.kind === FlagOp.Eager) {
          asm.ext(t, FLAG_AUX, 2, 1);
          return t;
        }
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
          case FlagOp.Logic: asm.move(t, GPR.zero); break;
          case FlagOp.Inc: case FlagOp.Dec: asm.move(t, FLAG_AUX); break;
          case FlagOp.Shl: asm.ext(t, FLAG_A, 32 - p.count, 1); break;
          case FlagOp.Shr: case FlagOp.Sar: asm.ext(t, FLAG_A, p.count - 1, 1); break;
          case FlagOp.Eager: asm.andi(t, FLAG_AUX, 1); break;
        }
        return t;
      case 'OF': {
        switch (p.kind) {
          case FlagOp.Add: case FlagOp.Inc: {
            const u = this.temp();
            asm.xor(t, FLAG_A, FLAG_RES);
            asm.xor(u, FLAG_B, FLAG_RES);
            asm.and(t, t, u);
            asm.srl(t, t, 31);
            break;
          }
          case FlagOp.Sub: case FlagOp.Dec: {
            const u = this.temp();
            asm.xor(t, FLAG_A, FLAG_B);
            asm.xor(u, FLAG_A, FLAG_RES);
            asm.and(t, t, u);
            asm.srl(t, t, 31);
            break;
          }
          case FlagOp.Logic: case FlagOp.Sar: asm.move(t, GPR.zero); break;
          case FlagOp.Shl: {
            const cf = this.flag('CF', p);
            asm.srl(t, FLAG_RES, 31);
            asm.xor(t, t, cf);
            break;
          }
          case FlagOp.Shr: asm.srl(t, FLAG_A, 31); break;
          case FlagOp.Eager: asm.ext(t, FLAG_AUX, 11, 1); break;
        }
        return t;
      }
    }
  }

  /** Condition `cond` (0..15): returns [register, negate] — the condition holds iff (reg != 0) !== negate. */
  /** The producer, materializing flags from an earlier block through the glue when needed. */
  knownProducer(): Producer {
    if (this.producer === null) {
      this.asm.jal(this.options.materializeFlags);
      this.asm.nop();
      this.producer = { kind: MATERIALIZED, count: 0 };
    }
    return this.producer;
  }

  condition(cond: number): [number, boolean] {
    const p = this.knownProducer();
    const asm = this.asm;
    const negate = (cond & 1) === 1;
    const base = cond >> 1;
    if (p.kind === FlagOp.Sub) {
      // cmp/sub: compare the operands directly.
      const t = this.temp();
      switch (base) {
        case 1: asm.sltu(t, FLAG_A, FLAG_B); return [t, negate]; // b
        case 2: return [FLAG_RES, !negate]; // e: ZF = (res == 0)
        case 3: asm.sltu(t, FLAG_B, FLAG_A); return [t, !negate]; // be = !a
        case 6: asm.slt(t, FLAG_A, FLAG_B); return [t, negate]; // l
        case 7: asm.slt(t, FLAG_B, FLAG_A); return [t, !negate]; // le = !g
      }
      this.tempIndex--; // unused
    }
    if (base === 2 && p.kind !== FlagOp.Eager && p.kind !== MATERIALIZED) return [FLAG_RES, !negate];
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
    if (negate) asm01(this.asm, t, r, true);
    else asm01(this.asm, t, r, false);
    return t;
  }

  /** Records the producer; KIND is materialized only when the flags reach the block exit
   * (in-block readers know the kind statically). */
  setProducer(kind: number, count = 0): void {
    this.producer = { kind, count };
    if (this.currentOp?.flagsToExit === true) this.asm.li(FLAG_KIND, kind32(kind));
  }

  private currentOp: IrOp | null = null;

  op(op: IrOp): void {
    this.tempIndex = 0;
    this.currentOp = op;
    this.guestMap.push({ offset: this.asm.length * 4, eip: op.eip });
    // Flags from an earlier block are materialized before any scratch register is in use (the glue clobbers t0-t2).
    if (op.op === 'setcc' || op.op === 'cmov' || (op.op === 'unary' && (op.unary === 'inc' || op.unary === 'dec') && op.flagsLive === true)) this.knownProducer();
    const asm = this.asm;
    switch (op.op) {
      case 'nop':
        return;
      case 'mov': {
        if (op.dst.kind === 'reg' && op.dst.size === 4 && op.src.kind === 'imm') {
          asm.li(guestRegister(op.dst.reg), op.src.value);
          return;
        }
        const v = this.source(op.src);
        this.write(op.dst, v);
        return;
      }
      case 'movx': {
        const v = this.read(op.src, -1, op.signed);
        const d = guestRegister(op.dst);
        if (op.src.kind === 'reg' && op.src.size === 1 && op.src.reg < 4 && !op.signed) asm.andi(d, guestRegister(op.src.reg), 0xff);
        else asm.move(d, v);
        return;
      }
      case 'lea': {
        const a = this.address(op.address);
        asm.move(guestRegister(op.dst), a);
        return;
      }
      case 'alu': {
        const addr = op.dst.kind === 'mem' ? this.address(op.dst.address) : -1;
        const a = this.read(op.dst, addr);
        const b = this.source(op.src);
        const live = op.flagsLive === true;
        const res = live ? FLAG_RES : op.writeBack ? (op.dst.kind === 'reg' ? guestRegister(op.dst.reg) : this.temp()) : -1;
        if (res < 0) return; // cmp/test whose flags nobody reads
        if (live && op.alu !== 'and' && op.alu !== 'or' && op.alu !== 'xor') {
          asm.move(FLAG_A, a);
          asm.move(FLAG_B, b);
        }
        const x = live && op.alu !== 'and' && op.alu !== 'or' && op.alu !== 'xor' ? FLAG_A : a;
        const y = live && op.alu !== 'and' && op.alu !== 'or' && op.alu !== 'xor' ? FLAG_B : b;
        switch (op.alu) {
          case 'add': asm.addu(res, x, y); break;
          case 'sub': asm.subu(res, x, y); break;
          case 'and': asm.and(res, x, y); break;
          case 'or': asm.or(res, x, y); break;
          case 'xor': asm.xor(res, x, y); break;
        }
        if (op.writeBack) this.write(op.dst, res, addr);
        if (live) this.setProducer(op.alu === 'add' ? FlagOp.Add : op.alu === 'sub' ? FlagOp.Sub : FlagOp.Logic);
        return;
      }
      case 'unary': {
        const addr = op.dst.kind === 'mem' ? this.address(op.dst.address) : -1;
        const a = this.read(op.dst, addr);
        const live = op.flagsLive === true;
        if (op.unary === 'not') {
          const t = op.dst.kind === 'reg' ? guestRegister(op.dst.reg) : this.temp();
          asm.nor(t, a, GPR.zero);
          this.write(op.dst, t, addr);
          return;
        }
        if (!live) {
          const t = op.dst.kind === 'reg' ? guestRegister(op.dst.reg) : this.temp();
          if (op.unary === 'neg') asm.subu(t, GPR.zero, a);
          else asm.addiu(t, a, op.unary === 'inc' ? 1 : -1);
          this.write(op.dst, t, addr);
          return;
        }
        if (op.unary === 'neg') {
          asm.move(FLAG_B, a);
          asm.move(FLAG_A, GPR.zero);
          asm.subu(FLAG_RES, GPR.zero, FLAG_B);
          this.write(op.dst, FLAG_RES, addr);
          this.setProducer(FlagOp.Sub);
          return;
        }
        // inc/dec preserve CF: keep it in AUX (the liveness pass made the previous producer's state live).
        const p = this.knownProducer();
        if (p.kind !== FlagOp.Inc && p.kind !== FlagOp.Dec) {
          const cf = this.flag('CF', p);
          asm.move(FLAG_AUX, cf);
        }
        asm.move(FLAG_A, a);
        asm.li(FLAG_B, 1);
        asm.addiu(FLAG_RES, FLAG_A, op.unary === 'inc' ? 1 : -1);
        this.write(op.dst, FLAG_RES, addr);
        this.setProducer(op.unary === 'inc' ? FlagOp.Inc : FlagOp.Dec);
        return;
      }
      case 'shift': {
        const addr = op.dst.kind === 'mem' ? this.address(op.dst.address) : -1;
        const a = this.read(op.dst, addr);
        const live = op.flagsLive === true;
        let src = a;
        if (live) {
          asm.move(FLAG_A, a);
          asm.li(FLAG_B, op.count);
          src = FLAG_A;
        }
        const res = live ? FLAG_RES : op.dst.kind === 'reg' ? guestRegister(op.dst.reg) : this.temp();
        if (op.shift === 'shl') asm.sll(res, src, op.count);
        else if (op.shift === 'shr') asm.srl(res, src, op.count);
        else asm.sra(res, src, op.count);
        this.write(op.dst, res, addr);
        if (live) this.setProducer(op.shift === 'shl' ? FlagOp.Shl : op.shift === 'shr' ? FlagOp.Shr : FlagOp.Sar, op.count);
        return;
      }
      case 'imul': {
        const a = this.source(op.a);
        const b = this.source(op.b);
        const d = guestRegister(op.dst);
        if (op.flagsLive !== true) {
          asm.mul(d, a, b);
          return;
        }
        // CF = OF = the signed product does not fit in 32 bits; SF/ZF/PF/AF are undefined (kept 0).
        const hi = this.temp();
        const t = this.temp();
        asm.mult(a, b);
        asm.mfhi(hi);
        asm.mflo(d);
        asm.sra(t, d, 31);
        asm.xor(t, t, hi);
        asm.sltu(t, GPR.zero, t);
        asm.sll(hi, t, 11);
        asm.or(FLAG_AUX, t, hi);
        this.setProducer(FlagOp.Eager);
        return;
      }
      case 'push': {
        const v = this.source(op.src);
        const sp = guestRegister(4);
        asm.sw(v, -4, sp); // store first: a fault leaves esp unchanged
        asm.addiu(sp, sp, -4);
        return;
      }
      case 'pop': {
        const sp = guestRegister(4);
        const t = this.temp();
        if (op.dst.kind === 'mem') {
          const addr = this.address(op.dst.address);
          asm.lw(t, 0, sp);
          this.store(4, addr, t);
          asm.addiu(sp, sp, 4);
          return;
        }
        asm.lw(t, 0, sp);
        asm.addiu(sp, sp, 4);
        this.write(op.dst, t);
        return;
      }
      case 'setcc': {
        const addr = op.dst.kind === 'mem' ? this.address(op.dst.address) : -1;
        const v = this.conditionValue(op.cond);
        this.write(op.dst, v, addr);
        return;
      }
      case 'cmov': {
        const v = this.read(op.src);
        const [c, negate] = this.condition(op.cond);
        if (negate) asm.movz(guestRegister(op.dst), v, c);
        else asm.movn(guestRegister(op.dst), v, c);
        return;
      }
    }
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
    this.asm.sw(t, -4, sp);
    this.asm.addiu(sp, sp, -4);
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
        const taken: MipsLabel = asm.newLabel();
        if (negate) asm.beq(c, GPR.zero, taken);
        else asm.bne(c, GPR.zero, taken);
        asm.nop();
        this.stub(t.fallthrough);
        asm.bind(taken);
        this.stub(t.taken);
        return;
      }
      case 'indirect': {
        const v = this.source(t.target);
        asm.move(NEXT_EIP, v);
        this.indirectExit();
        return;
      }
      case 'call':
        this.pushReturn(t.returnAddress);
        this.stub(t.target);
        return;
      case 'call-indirect': {
        const v = this.source(t.target);
        asm.move(NEXT_EIP, v); // read the target before esp moves (call *(%esp))
        this.pushReturn(t.returnAddress);
        this.indirectExit();
        return;
      }
      case 'ret': {
        const sp = guestRegister(4);
        asm.lw(NEXT_EIP, 0, sp);
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

function asm01(asm: MipsAssembler, dst: number, r: number, negate: boolean): void {
  // r is 0/1 for flag combinations, or any value for ZF-as-RES: normalize with sltu.
  if (negate) asm.sltiu(dst, r, 1);
  else asm.sltu(dst, GPR.zero, r);
}

/** Translates an IR block into MIPS words for host address `origin`. */
export function emitBlock(block: IrBlock, origin: number, options: BackEndOptions): TranslatedCode {
  const asm = new MipsAssembler(origin);
  const e = new BlockEmitter(asm, options);
  for (const op of block.ops) e.op(op);
  e.terminator(block);
  return { words: asm.finish().words, guestMap: e.guestMap };
}

/**
 * The flags glue: s8 ← CF PF ZF SF OF (EFLAGS positions) of the lazy state (a0 KIND, a1 RES, a2 A,
 * a3 B, v1 AUX), for 32-bit kinds and EAGER; returns with `jr ra`. Clobbers t0-t2. Conditions never
 * read AF, so it is not computed.
 */
export function emitFlagsGlue(asm: MipsAssembler): number {
  const start = asm.address;
  const { t0, t1, t2, ra } = GPR;
  const F = MATERIALIZED_FLAGS;
  const done = asm.newLabel();
  const eager = asm.newLabel();
  const cases = new Map<number, MipsLabel>();
  for (const op of [FlagOp.Add, FlagOp.Sub, FlagOp.Logic, FlagOp.Inc, FlagOp.Dec, FlagOp.Shl, FlagOp.Shr, FlagOp.Sar]) cases.set(op, asm.newLabel());
  asm.srl(t0, FLAG_KIND, 3);
  asm.beq(t0, GPR.zero, eager);
  asm.sltiu(t1, t0, FlagOp.Sar + 1); // delay slot (harmless when taken)
  asm.beq(t1, GPR.zero, done); // unknown kind: F stays as computed below is skipped → clear it
  asm.move(F, GPR.zero);
  // ZF, SF, PF from RES.
  asm.sltiu(F, FLAG_RES, 1);
  asm.sll(F, F, 6);
  asm.srl(t1, FLAG_RES, 31);
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
  // Jump table on the op (KIND >> 3, 0..10): one `b case; nop` pair per op.
  const table = asm.newLabel();
  asm.la(t1, table);
  asm.sll(t2, t0, 3);
  asm.addu(t1, t1, t2);
  asm.jr(t1);
  asm.nop();
  asm.bind(table);
  for (let op = 0; op <= FlagOp.Sar; op++) {
    asm.b(cases.get(op) ?? done); // EAGER is handled above; ADC/SBB (2, 4) are not produced: CF = OF = 0
    asm.nop();
  }
  // CF → bit 0 (t1), OF → bit 11 (t2 bit 31 then shifted)
  asm.bind(cases.get(FlagOp.Add)!);
  asm.sltu(t1, FLAG_RES, FLAG_A);
  asm.ins(F, t1, 0, 1);
  asm.bind(cases.get(FlagOp.Inc)!); // shares OF with add; inc's CF is AUX
  const ofAdd = asm.here();
  asm.xor(t1, FLAG_A, FLAG_RES);
  asm.xor(t2, FLAG_B, FLAG_RES);
  asm.and(t1, t1, t2);
  asm.srl(t1, t1, 31);
  asm.ins(F, t1, 11, 1);
  asm.srl(t0, FLAG_KIND, 3);
  asm.li(t1, FlagOp.Inc);
  asm.bne(t0, t1, done);
  asm.nop();
  asm.ins(F, FLAG_AUX, 0, 1);
  asm.b(done);
  asm.nop();
  void ofAdd;
  asm.bind(cases.get(FlagOp.Sub)!);
  asm.sltu(t1, FLAG_A, FLAG_B);
  asm.ins(F, t1, 0, 1);
  asm.bind(cases.get(FlagOp.Dec)!);
  asm.xor(t1, FLAG_A, FLAG_B);
  asm.xor(t2, FLAG_A, FLAG_RES);
  asm.and(t1, t1, t2);
  asm.srl(t1, t1, 31);
  asm.ins(F, t1, 11, 1);
  asm.srl(t0, FLAG_KIND, 3);
  asm.li(t1, FlagOp.Dec);
  asm.bne(t0, t1, done);
  asm.nop();
  asm.ins(F, FLAG_AUX, 0, 1);
  asm.b(done);
  asm.nop();
  asm.bind(cases.get(FlagOp.Logic)!);
  asm.b(done);
  asm.nop();
  asm.bind(cases.get(FlagOp.Shl)!);
  asm.li(t1, 32);
  asm.subu(t1, t1, FLAG_B);
  asm.srlv(t1, FLAG_A, t1);
  asm.andi(t1, t1, 1); // CF = bit (32 - count) of A
  asm.ins(F, t1, 0, 1);
  asm.srl(t2, FLAG_RES, 31);
  asm.xor(t2, t2, t1); // OF = MSB(result) ^ CF
  asm.ins(F, t2, 11, 1);
  asm.b(done);
  asm.nop();
  asm.bind(cases.get(FlagOp.Shr)!);
  asm.addiu(t1, FLAG_B, -1);
  asm.srlv(t1, FLAG_A, t1);
  asm.ins(F, t1, 0, 1);
  asm.srl(t2, FLAG_A, 31); // OF = MSB of the original operand
  asm.ins(F, t2, 11, 1);
  asm.b(done);
  asm.nop();
  asm.bind(cases.get(FlagOp.Sar)!);
  asm.addiu(t1, FLAG_B, -1);
  asm.srav(t1, FLAG_A, t1);
  asm.ins(F, t1, 0, 1);
  asm.b(done);
  asm.nop();
  asm.bind(eager);
  asm.li(t1, 0x8c5); // CF PF ZF SF OF
  asm.and(F, FLAG_AUX, t1);
  asm.bind(done);
  asm.jr(ra);
  asm.nop();
  return start;
}
