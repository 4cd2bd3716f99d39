// Turns a run of decoded x86 instructions (a basic block) into one JavaScript function, so the
// hot loop executes straight-line specialised code instead of dispatching per instruction.
//
// Generated code conventions (see BLOCK_PRELUDE): `r` = GPRs (Int32Array), `lf` = lazy flags
// (lazy-flags.ts), `sb` = segment bases, `c` = the X86Cpu, rd8/rd16/rd32/wr8/wr16/wr32 = memory
// with an inline fast path. 8/16-bit values are unsigned and masked, 32-bit values are int32.
// Locals fa/fb/fr/fc mirror the last lazy-flag producer of the block, so a following jcc/setcc/
// adc tests them directly. `k` is the index of the executing instruction: on a throw, the block
// reports it and the CPU restores eip to that instruction (faults are precise because every
// instruction does its reads and checks before its first write, and writes memory before
// registers and flags).
//
// A block function returns the next eip (>= 0), -1 after a fault (c.faultIndex/faultError set),
// or -2 for a stop after a retired instruction (int 0x80, hlt; c.stopEip set).

import type { DecodedInstruction, DecodedOperand, MemOperand } from './decoder';
import { CF, DF, STATUS_FLAGS } from './table';
import { OP_ADC, OP_ADD, OP_DEC, OP_INC, OP_LOGIC, OP_SAR, OP_SBB, OP_SHL, OP_SHR, OP_SUB, lazyKind } from './lazy-flags';

interface KnownFlags {
  op: number;
  size: number;
}

export interface BlockSource {
  body: string;
}

const MASK: Record<number, string> = { 1: '255', 2: '65535' };
const SIGN: Record<number, string> = { 1: '128', 2: '32768', 4: '-2147483648' };
const SHIFT_OPS: Record<string, number> = { rol: 0, ror: 1, rcl: 2, rcr: 3, shl: 4, shr: 5, sar: 7 };
const STRING_OPS: Record<string, number> = { movs: 0, cmps: 1, stos: 2, lods: 3, scas: 4 };
const BT_OPS: Record<string, number> = { bt: 0, bts: 1, btr: 2, btc: 3 };

/** Mnemonics that are real but privileged at CPL 3 with IOPL 0 (#GP); the UKCF translator reports the same fault. */
export const PRIVILEGED: ReadonlySet<string> = new Set(['cli', 'sti', 'in', 'out', 'insb', 'ins', 'outsb', 'outs']);

/** Operations that end a block (control transfers and stops). */
export const BLOCK_ENDERS: ReadonlySet<string> = new Set([
  'jmp', 'jcc', 'call', 'call_indirect', 'jmp_indirect', 'ret', 'loop', 'loope', 'loopne', 'jecxz',
  'int', 'int3', 'into', 'hlt', 'ud2', 'invalid', 'unsupported',
]);

function hex(n: number): string {
  return '0x' + (n >>> 0).toString(16);
}

function regRead(reg: number, size: number): string {
  if (size === 4) return `r[${reg}]`;
  if (size === 2) return `(r[${reg}] & 65535)`;
  return reg < 4 ? `(r[${reg}] & 255)` : `((r[${reg - 4}] >> 8) & 255)`;
}

function regWrite(reg: number, size: number, v: string): string {
  if (size === 4) return `r[${reg}] = ${v};`;
  if (size === 2) return `r[${reg}] = (r[${reg}] & -65536) | ((${v}) & 65535);`;
  if (reg < 4) return `r[${reg}] = (r[${reg}] & -256) | ((${v}) & 255);`;
  return `r[${reg - 4}] = (r[${reg - 4}] & -65281) | (((${v}) & 255) << 8);`;
}

/** Effective address (int32) of a memory operand; `espAdjust` is added to an ESP base (pop Ev). */
export function eaExpr(m: MemOperand, withSegment = true, espAdjust = 0): string {
  const parts: string[] = [];
  if (m.base >= 0) parts.push(m.base === 4 && espAdjust !== 0 ? `(r[4] + ${espAdjust})` : `r[${m.base}]`);
  if (m.index >= 0) {
    const s = m.scale === 1 ? 0 : m.scale === 2 ? 1 : m.scale === 4 ? 2 : 3;
    parts.push(s === 0 ? `r[${m.index}]` : `(r[${m.index}] << ${s})`);
  }
  if (m.disp !== 0 || parts.length === 0) parts.push(String(m.disp | 0));
  const seg = m.segment;
  if (withSegment && (seg === 4 || seg === 5)) parts.push(`sb[${seg}]`);
  if (parts.length === 1 && m.base >= 0 && m.index < 0 && parts[0] === `r[${m.base}]`) return parts[0];
  return `((${parts.join(' + ')}) | 0)`;
}

function memRead(size: number, addr: string): string {
  return size === 1 ? `rd8(${addr})` : size === 2 ? `rd16(${addr})` : `rd32(${addr})`;
}
function memWrite(size: number, addr: string, v: string): string {
  return size === 1 ? `wr8(${addr}, ${v});` : size === 2 ? `wr16(${addr}, ${v});` : `wr32(${addr}, ${v});`;
}

class InstructionWriter {
  out: string[] = [];
  known: KnownFlags | null = null;
  setKnown = false;
  /** False when no flag this instruction writes is read before being overwritten. */
  flagsLive = true;
  /** Instructions per iteration when the block loops on itself (0 otherwise). */
  loopCount = 0;

  emit(s: string): void {
    this.out.push(s);
  }

  /** For a memory operand, computes its address into `ea` (call once per instruction). */
  prepare(o: DecodedOperand, espAdjust = 0): void {
    if (o.kind === 'mem') this.emit(`ea = ${eaExpr(o, true, espAdjust)};`);
  }

  read(o: DecodedOperand, size: number): string {
    switch (o.kind) {
      case 'reg':
        return regRead(o.reg, size);
      case 'mem':
        return memRead(size, 'ea');
      case 'imm':
        return size === 4 ? String(o.value | 0) : String(o.value & (size === 1 ? 0xff : 0xffff));
      case 'sreg':
        return `c.segmentSelectors[${o.sreg}]`;
      case 'rel':
        return String(o.target | 0);
    }
  }

  write(o: DecodedOperand, size: number, v: string): string {
    if (o.kind === 'reg') return regWrite(o.reg, size, v);
    if (o.kind === 'mem') return memWrite(size, 'ea', v);
    throw new Error(`cannot write operand kind ${o.kind}`);
  }

  /** Records the block-local producer of the lazy flags. */
  produced(op: number, size: number): void {
    this.known = { op, size };
    this.setKnown = true;
  }

  /** Expression for CF (0/1 number). */
  carry(): string {
    const k = this.known;
    if (k === null || k.op >= OP_SHL) return 'cf()';
    switch (k.op) {
      case OP_ADD:
        return `((fr >>> 0) < (fa >>> 0) ? 1 : 0)`;
      case OP_ADC:
        return `((fc ? (fr >>> 0) <= (fa >>> 0) : (fr >>> 0) < (fa >>> 0)) ? 1 : 0)`;
      case OP_SUB:
        return `((fa >>> 0) < (fb >>> 0) ? 1 : 0)`;
      case OP_SBB:
        return `((fc ? (fa >>> 0) <= (fb >>> 0) : (fa >>> 0) < (fb >>> 0)) ? 1 : 0)`;
      case OP_LOGIC:
        return '0';
      default:
        return 'fc';
    }
  }

  /** Boolean expression for condition code `cond`. */
  condition(cond: number): string {
    const k = this.known;
    if (k === null) return `cond(${cond})`;
    const neg = (cond & 1) === 1;
    const base = cond & ~1;
    const size = k.size;
    const sx = (v: string): string => (size === 4 ? v : size === 2 ? `((${v} << 16) >> 16)` : `((${v} << 24) >> 24)`);
    const zf = `(fr === 0)`;
    const sf = size === 4 ? `(fr < 0)` : `((fr & ${SIGN[size]}) !== 0)`;
    if (k.op >= OP_SHL) {
      if (base === 4) return neg ? `!${zf}` : zf;
      if (base === 8) return neg ? `!${sf}` : sf;
      if (base === 10) return neg ? `(PAR[fr & 255] === 0)` : `(PAR[fr & 255] === 1)`;
      return `cond(${cond})`;
    }
    const cf = `(${this.carry()} !== 0)`;
    let of: string;
    switch (k.op) {
      case OP_ADD:
      case OP_ADC:
      case OP_INC:
        of = `((((fa ^ fr) & (fb ^ fr)) & ${SIGN[size]}) !== 0)`;
        break;
      case OP_SUB:
      case OP_SBB:
      case OP_DEC:
        of = `((((fa ^ fb) & (fa ^ fr)) & ${SIGN[size]}) !== 0)`;
        break;
      default:
        of = 'false';
    }
    let e: string;
    if (k.op === OP_SUB) {
      // cmp/sub: compare the operands directly.
      switch (base) {
        case 2:
          e = `((fa >>> 0) < (fb >>> 0))`;
          break;
        case 4:
          e = `(fa === fb)`;
          break;
        case 6:
          e = `((fa >>> 0) <= (fb >>> 0))`;
          break;
        case 12:
          e = `(${sx('fa')} < ${sx('fb')})`;
          break;
        case 14:
          e = `(${sx('fa')} <= ${sx('fb')})`;
          break;
        default:
          e = '';
      }
      if (e !== '') return neg ? `!${e}` : e;
    }
    if (k.op === OP_LOGIC) {
      switch (base) {
        case 0:
        case 2:
          e = 'false';
          break;
        case 12:
          e = sf;
          break;
        case 14:
          e = `(${zf} || ${sf})`;
          break;
        default:
          e = '';
      }
      if (e !== '') return neg ? `!${e}` : e;
    }
    switch (base) {
      case 0:
        e = of;
        break;
      case 2:
        e = cf;
        break;
      case 4:
        e = zf;
        break;
      case 6:
        e = `(${cf} || ${zf})`;
        break;
      case 8:
        e = sf;
        break;
      case 10:
        e = `(PAR[fr & 255] === 1)`;
        break;
      case 12:
        e = `(${sf} !== ${of})`;
        break;
      default:
        e = `(${zf} || ${sf} !== ${of})`;
    }
    return neg ? `!${e}` : e;
  }

  storeLazy(op: number, size: number, withOperands: boolean, withCarry: boolean): void {
    if (!this.flagsLive) {
      // Dead flags: the locals no longer describe lf, so nothing may rely on them.
      this.known = null;
      this.setKnown = true;
      return;
    }
    let s = `lf[0] = ${lazyKind(op, size)}; lf[1] = fr;`;
    if (withOperands) s += ' lf[2] = fa; lf[3] = fb;';
    if (withCarry) s += ' lf[4] = fc;';
    this.emit(s);
    this.produced(op, size);
  }
}

function opSizeOf(o: DecodedOperand, fallback: number): number {
  return o.kind === 'reg' || o.kind === 'mem' ? (o.size === 0 ? fallback : o.size) : o.kind === 'imm' ? o.size : fallback;
}

const ALU_OP: Record<string, number> = { add: OP_ADD, adc: OP_ADC, sub: OP_SUB, sbb: OP_SBB, cmp: OP_SUB, and: OP_LOGIC, or: OP_LOGIC, xor: OP_LOGIC, test: OP_LOGIC };

function arith(w: InstructionWriter, name: string, size: number, a: string, b: string, carryIn: boolean): string {
  const m = size === 4 ? '| 0' : `& ${MASK[size]}`;
  switch (name) {
    case 'add':
      return `(${a} + ${b}) ${m}`;
    case 'adc':
      return `(${a} + ${b} + fc) ${m}`;
    case 'sub':
    case 'cmp':
      return `(${a} - ${b}) ${m}`;
    case 'sbb':
      return `(${a} - ${b} - fc) ${m}`;
    case 'and':
    case 'test':
      return `${a} & ${b}`;
    case 'or':
      return `${a} | ${b}`;
    default:
      void w;
      void carryIn;
      return `${a} ^ ${b}`;
  }
}

/** shl/shr/sar (lazy flags) and flag-dead rol/ror by a non-zero immediate count, inline. */
function emitImmediateShift(w: InstructionWriter, op: string, dst: DecodedOperand, size: number, n: number): void {
  const bits = size * 8;
  const m = size === 4 ? '| 0' : `& ${MASK[size]}`;
  const v = w.read(dst, size);
  let res: string;
  switch (op) {
    case 'shl':
      res = n >= bits ? '0' : `(fa << ${n}) ${m}`;
      break;
    case 'shr':
      res = n >= bits ? '0' : `(fa >>> ${n}) ${m}`;
      break;
    case 'sar': {
      const sx = size === 4 ? 'fa' : size === 2 ? '((fa << 16) >> 16)' : '((fa << 24) >> 24)';
      res = `(${sx} >> ${Math.min(n, 31)}) ${m}`;
      break;
    }
    default: {
      const t = n & (bits - 1);
      const l = op === 'rol' ? t : (bits - t) & (bits - 1);
      res = l === 0 ? 'fa' : size === 4 ? `(fa << ${l}) | (fa >>> ${32 - l})` : `((fa << ${l}) | (fa >>> ${bits - l})) ${m}`;
    }
  }
  w.emit(`fa = ${v}; fr = ${res};`);
  w.emit(w.write(dst, size, 'fr'));
  if (op === 'rol' || op === 'ror') {
    w.known = null;
    w.setKnown = true;
    return;
  }
  w.emit(w.flagsLive ? `fb = ${n};` : '');
  w.storeLazy(op === 'shl' ? OP_SHL : op === 'shr' ? OP_SHR : OP_SAR, size, true, false);
}

/**
 * Appends the code of one instruction. `next` is the address after it. Returns true when the
 * instruction ended the block by itself (it emitted its own `return`).
 */
function emitInstruction(w: InstructionWriter, d: DecodedInstruction, k: number, describe: (d: DecodedInstruction) => string, isLast: boolean): boolean {
  const e = d.entry;
  const next = (d.address + d.length) >>> 0;
  const ops = d.operands;
  const osz = d.operandSize;
  if (d.status === 'unsupported' && e !== null && PRIVILEGED.has(e.mnemonic)) {
    // I/O and interrupt-flag instructions are real but privileged at CPL 3 with IOPL 0: #GP.
    w.emit(`throw c.privileged(${JSON.stringify(describe(d))});`);
    return true;
  }
  if (d.status !== 'ok' || e === null || d.lockInvalid) {
    const kind = d.status === 'unsupported' ? 'unsupported' : 'invalid-opcode';
    w.emit(`throw c.decodeFault(${JSON.stringify(kind)}, ${JSON.stringify(describe(d))});`);
    return true;
  }
  const op = e.op;
  switch (op) {
    case 'add':
    case 'adc':
    case 'sub':
    case 'sbb':
    case 'cmp':
    case 'and':
    case 'or':
    case 'xor':
    case 'test': {
      const [dst, src] = ops;
      const size = opSizeOf(dst, osz);
      const lop = ALU_OP[op];
      const useCarry = op === 'adc' || op === 'sbb';
      if (useCarry) w.emit(`fc = ${w.carry()};`);
      w.prepare(dst);
      w.prepare(src);
      w.emit(`fa = ${w.read(dst, size)}; fb = ${w.read(src, size)};`);
      w.emit(`fr = ${arith(w, op, size, 'fa', 'fb', useCarry)};`);
      if (op !== 'cmp' && op !== 'test') w.emit(w.write(dst, size, 'fr'));
      w.storeLazy(lop, size, lop !== OP_LOGIC, useCarry);
      return false;
    }
    case 'inc':
    case 'dec': {
      const dst = ops[0];
      const size = opSizeOf(dst, osz);
      w.emit(w.flagsLive ? `fc = ${w.carry()};` : '');
      w.prepare(dst);
      w.emit(`fa = ${w.read(dst, size)}; fb = 1;`);
      w.emit(`fr = ${arith(w, op === 'inc' ? 'add' : 'sub', size, 'fa', '1', false)};`);
      w.emit(w.write(dst, size, 'fr'));
      w.storeLazy(op === 'inc' ? OP_INC : OP_DEC, size, true, true);
      return false;
    }
    case 'neg': {
      const dst = ops[0];
      const size = opSizeOf(dst, osz);
      w.prepare(dst);
      w.emit(`fa = 0; fb = ${w.read(dst, size)};`);
      w.emit(`fr = ${arith(w, 'sub', size, '0', 'fb', false)};`);
      w.emit(w.write(dst, size, 'fr'));
      w.storeLazy(OP_SUB, size, true, false);
      return false;
    }
    case 'not': {
      const dst = ops[0];
      const size = opSizeOf(dst, osz);
      w.prepare(dst);
      w.emit(w.write(dst, size, `~${w.read(dst, size)}`));
      return false;
    }
    case 'mov': {
      const [dst, src] = ops;
      const size = opSizeOf(dst, osz);
      w.prepare(dst);
      w.prepare(src);
      w.emit(w.write(dst, size, w.read(src, size)));
      return false;
    }
    case 'mov_from_seg': {
      const [dst, src] = ops;
      w.prepare(dst);
      if (dst.kind === 'mem') w.emit(memWrite(2, 'ea', w.read(src, 2)));
      else w.emit(w.write(dst, osz, w.read(src, 2)));
      return false;
    }
    case 'mov_to_seg': {
      const [dst, src] = ops;
      w.prepare(src);
      w.emit(`c.loadSegment(${(dst as { sreg: number }).sreg}, ${w.read(src, 2)});`);
      return false;
    }
    case 'lea': {
      const [dst, src] = ops;
      const address = eaExpr(src as MemOperand, false);
      // With 0x67 the address is the 16-bit sum of the low halves.
      w.emit(w.write(dst, osz, d.addressSize === 2 ? `(${address} & 65535)` : address));
      return false;
    }
    case 'movzx':
    case 'movsx': {
      const [dst, src] = ops;
      const ss = opSizeOf(src, 1);
      w.prepare(src);
      let v = w.read(src, ss);
      if (op === 'movsx') v = ss === 1 ? `((${v} << 24) >> 24)` : `((${v} << 16) >> 16)`;
      w.emit(w.write(dst, osz, v));
      return false;
    }
    case 'xchg': {
      const [a, b] = ops;
      const size = opSizeOf(a, osz);
      w.prepare(a);
      w.prepare(b);
      w.emit(`t = ${w.read(a, size)}; u = ${w.read(b, size)};`);
      w.emit(w.write(a, size, 'u'));
      w.emit(w.write(b, size, 't'));
      return false;
    }
    case 'xadd': {
      const [dst, src] = ops;
      const size = opSizeOf(dst, osz);
      w.prepare(dst);
      w.emit(`fa = ${w.read(dst, size)}; fb = ${w.read(src, size)};`);
      w.emit(`fr = ${arith(w, 'add', size, 'fa', 'fb', false)};`);
      if (dst.kind === 'mem') {
        w.emit(w.write(dst, size, 'fr'));
        w.emit(w.write(src, size, 'fa'));
      } else {
        w.emit(w.write(src, size, 'fa'));
        w.emit(w.write(dst, size, 'fr'));
      }
      w.storeLazy(OP_ADD, size, true, false);
      return false;
    }
    case 'cmpxchg': {
      const [dst, src] = ops;
      const size = opSizeOf(dst, osz);
      w.prepare(dst);
      w.emit(`fa = ${regRead(0, size)}; fb = ${w.read(dst, size)};`);
      w.emit(`fr = ${arith(w, 'sub', size, 'fa', 'fb', false)};`);
      // The destination is always written (the old value back when unequal), as on hardware.
      w.emit(`if (fr === 0) { ${w.write(dst, size, w.read(src, size))} } else { ${w.write(dst, size, 'fb')} ${regWrite(0, size, 'fb')} }`);
      w.storeLazy(OP_SUB, size, true, false);
      return false;
    }
    case 'cmpxchg8b':
      w.prepare(ops[0]);
      w.emit(`c.cmpxchg8b(ea);`);
      return false;
    case 'push': {
      const src = ops[0];
      const size = src.kind === 'imm' ? osz : opSizeOf(src, osz);
      w.prepare(src);
      w.emit(`t = ${w.read(src, size)}; u = (r[4] - ${size}) | 0;`);
      w.emit(memWrite(size, 'u', 't'));
      w.emit(`r[4] = u;`);
      return false;
    }
    case 'pop': {
      const dst = ops[0];
      const size = opSizeOf(dst, osz);
      w.emit(`t = ${memRead(size, 'r[4]')};`);
      if (dst.kind === 'mem') {
        w.prepare(dst, size);
        w.emit(w.write(dst, size, 't'));
        w.emit(`r[4] = (r[4] + ${size}) | 0;`);
      } else {
        w.emit(`r[4] = (r[4] + ${size}) | 0;`);
        w.emit(w.write(dst, size, 't'));
      }
      return false;
    }
    case 'push_seg': {
      const s = (ops[0] as { sreg: number }).sreg;
      // The selector is zero-extended to the operand size (what the AMD oracle does; some Intel
      // parts write only 16 bits).
      w.emit(`u = (r[4] - ${osz}) | 0;`);
      w.emit(memWrite(osz, 'u', `c.segmentSelectors[${s}]`));
      w.emit(`r[4] = u;`);
      return false;
    }
    case 'pop_seg': {
      const s = (ops[0] as { sreg: number }).sreg;
      w.emit(`t = ${memRead(osz, 'r[4]')}; c.loadSegment(${s}, t & 65535); r[4] = (r[4] + ${osz}) | 0;`);
      return false;
    }
    case 'pusha':
      w.emit(`c.pusha(${osz});`);
      return false;
    case 'popa':
      w.emit(`c.popa(${osz});`);
      return false;
    case 'pushf':
      if (osz === 2) w.emit(`u = (r[4] - 2) | 0; wr16(u, c.getEflags() & 0xffff); r[4] = u;`);
      else w.emit(`u = (r[4] - 4) | 0; wr32(u, c.getEflags() & 0xfcffff); r[4] = u;`);
      return false;
    case 'popf':
      if (osz === 2) w.emit(`t = rd16(r[4]); c.setEflagsUser((c.getEflags() & -65536) | t); r[4] = (r[4] + 2) | 0;`);
      else w.emit(`t = rd32(r[4]); c.setEflagsUser(t); r[4] = (r[4] + 4) | 0;`);
      return false;
    case 'enter':
      w.emit(`c.enter(${(ops[0] as { value: number }).value}, ${(ops[1] as { value: number }).value}, ${osz});`);
      return false;
    case 'leave':
      if (osz === 2) w.emit(`t = rd16(r[5]); r[4] = (r[5] + 2) | 0; ${regWrite(5, 2, 't')}`);
      else w.emit(`t = rd32(r[5]); r[4] = (r[5] + 4) | 0; r[5] = t;`);
      return false;
    case 'lahf':
      w.emit(regWrite(4, 1, `(c.statusFlags() & 0xd5) | 2`));
      return false;
    case 'sahf':
      w.emit(`c.setStatusFlags((c.statusFlags() & ~0xd5) | ((r[0] >> 8) & 0xd5));`);
      return false;
    case 'clc':
      w.emit(`c.setStatusFlags(c.statusFlags() & ~${CF});`);
      return false;
    case 'stc':
      w.emit(`c.setStatusFlags(c.statusFlags() | ${CF});`);
      return false;
    case 'cmc':
      w.emit(`c.setStatusFlags(c.statusFlags() ^ ${CF});`);
      return false;
    case 'cld':
      w.emit(`lf[5] = 0;`);
      return false;
    case 'std':
      w.emit(`lf[5] = 1;`);
      return false;
    case 'cwde':
      w.emit(osz === 4 ? `r[0] = (r[0] << 16) >> 16;` : regWrite(0, 2, `(r[0] << 24) >> 24`));
      return false;
    case 'cdq':
      w.emit(osz === 4 ? `r[2] = r[0] >> 31;` : regWrite(2, 2, `(r[0] << 16) >> 31`));
      return false;
    case 'nop':
      return false;
    case 'setcc': {
      const dst = ops[0];
      w.prepare(dst);
      w.emit(w.write(dst, 1, `${w.condition(d.cond)} ? 1 : 0`));
      return false;
    }
    case 'cmovcc': {
      const [dst, src] = ops;
      w.prepare(src);
      w.emit(`t = ${w.read(src, osz)};`);
      w.emit(`if (${w.condition(d.cond)}) { ${w.write(dst, osz, 't')} }`);
      return false;
    }
    case 'bswap': {
      const reg = (ops[0] as { reg: number }).reg;
      if (osz === 2) w.emit(regWrite(reg, 2, '0'));
      else w.emit(`t = r[${reg}]; r[${reg}] = (t << 24) | ((t & 0xff00) << 8) | ((t >>> 8) & 0xff00) | (t >>> 24);`);
      return false;
    }
    case 'xlat': {
      const seg = d.segment === 4 || d.segment === 5 ? ` + sb[${d.segment}]` : '';
      w.emit(regWrite(0, 1, `rd8((r[3] + (r[0] & 255)${seg}) | 0)`));
      return false;
    }
    case 'mul':
    case 'imul1':
    case 'div':
    case 'idiv': {
      const src = ops[0];
      const size = opSizeOf(src, osz);
      w.prepare(src);
      if (size === 4 && !w.flagsLive && (op === 'mul' || op === 'imul1')) {
        // edx:eax = eax * src with dead flags (e.g. division by a constant): no helper call.
        w.emit(`t = ${w.read(src, 4)}; u = r[0];`);
        w.emit(`r[2] = ${op === 'mul' ? 'mulHigh(u >>> 0, t >>> 0)' : 'mulHighSigned(u, t)'}; r[0] = Math.imul(u, t);`);
        w.known = null;
        w.setKnown = true;
        return false;
      }
      w.emit(`c.${op === 'imul1' ? 'imul' : op}${size * 8}(${w.read(src, size)});`);
      return false;
    }
    case 'imul2':
    case 'imul3': {
      const dst = ops[0];
      const a = op === 'imul2' ? ops[0] : ops[1];
      const b = op === 'imul2' ? ops[1] : ops[2];
      w.prepare(a);
      w.prepare(b);
      if (!w.flagsLive) {
        // Flags dead (overwritten before any read): just the truncated product.
        w.emit(osz === 4 ? `t = Math.imul(${w.read(a, 4)}, ${w.read(b, 4)});` : `t = (((${w.read(a, 2)} << 16) >> 16) * ((${w.read(b, 2)} << 16) >> 16)) & 65535;`);
      } else {
        w.emit(`t = c.imulTrunc(${osz}, ${w.read(a, osz)}, ${w.read(b, osz)});`);
      }
      w.emit(w.write(dst, osz, 't'));
      w.known = null;
      w.setKnown = true;
      return false;
    }
    case 'rol':
    case 'ror':
    case 'rcl':
    case 'rcr':
    case 'shl':
    case 'shr':
    case 'sar': {
      const [dst, cnt] = ops;
      const size = opSizeOf(dst, osz);
      w.prepare(dst);
      if (cnt.kind === 'imm' && (cnt.value & 31) !== 0 && (op === 'shl' || op === 'shr' || op === 'sar' || ((op === 'rol' || op === 'ror') && !w.flagsLive))) {
        emitImmediateShift(w, op, dst, size, cnt.value & 31);
        return false;
      }
      const count = cnt.kind === 'imm' ? String(cnt.value & 0xff) : '(r[1] & 255)';
      w.emit(`t = ${w.read(dst, size)};`);
      if (dst.kind === 'mem') w.emit(`c.checkWrite(ea, ${size});`);
      w.emit(`t = c.shift(${SHIFT_OPS[op]}, ${size}, t, ${count});`);
      w.emit(w.write(dst, size, 't'));
      return false;
    }
    case 'shld':
    case 'shrd': {
      const [dst, src, cnt] = ops;
      const size = opSizeOf(dst, osz);
      w.prepare(dst);
      const count = cnt.kind === 'imm' ? String(cnt.value & 0xff) : '(r[1] & 255)';
      w.emit(`t = ${w.read(dst, size)};`);
      if (dst.kind === 'mem') w.emit(`c.checkWrite(ea, ${size});`);
      w.emit(`t = c.${op}(${size}, t, ${w.read(src, size)}, ${count});`);
      w.emit(w.write(dst, size, 't'));
      return false;
    }
    case 'bt':
    case 'bts':
    case 'btr':
    case 'btc': {
      const [dst, src] = ops;
      const size = opSizeOf(dst, osz);
      const bits = size * 8;
      const btop = BT_OPS[op];
      if (src.kind === 'imm') w.emit(`u = ${src.value & (bits - 1)};`);
      else if (dst.kind === 'mem') w.emit(`u = ${size === 4 ? regRead(src.kind === 'reg' ? src.reg : 0, 4) : `((${regRead((src as { reg: number }).reg, 2)} << 16) >> 16)`};`);
      else w.emit(`u = ${w.read(src, size)} & ${bits - 1};`);
      if (dst.kind === 'mem') {
        w.prepare(dst);
        if (src.kind !== 'imm') {
          // Bit-string addressing: the signed offset selects a word/dword relative to ea.
          w.emit(`ea = (ea + ((u >> ${size === 4 ? 5 : 4}) << ${size === 4 ? 2 : 1})) | 0; u = u & ${bits - 1};`);
        }
      }
      w.emit(`t = ${w.read(dst, size)};`);
      if (btop !== 0) {
        const nv = btop === 1 ? `t | (1 << u)` : btop === 2 ? `t & ~(1 << u)` : `t ^ (1 << u)`;
        w.emit(w.write(dst, size, nv));
      }
      w.emit(`c.setCarry((t >>> u) & 1);`);
      return false;
    }
    case 'bsf':
    case 'bsr': {
      const [dst, src] = ops;
      w.prepare(src);
      w.emit(`t = ${w.read(src, osz)};`);
      const idx = op === 'bsf' ? `31 - Math.clz32(t & -t)` : `31 - Math.clz32(t)`;
      w.emit(`if (t === 0) { c.setZero(1); } else { ${w.write(dst, osz, idx)} c.setZero(0); }`);
      return false;
    }
    case 'movs':
    case 'cmps':
    case 'stos':
    case 'lods':
    case 'scas': {
      const size = opSizeOf(ops[0].kind === 'mem' ? ops[0] : ops[1], osz);
      const rep = d.rep === null ? 0 : e.stringRep === 'repcc' && d.rep === 'repne' ? 2 : 1;
      const seg = d.segment === 4 || d.segment === 5 ? d.segment : -1;
      w.emit(`c.stringOp(${STRING_OPS[op]}, ${size}, ${rep}, ${seg});`);
      return false;
    }
    case 'daa':
    case 'das':
    case 'aaa':
    case 'aas':
      w.emit(`c.${op}();`);
      return false;
    case 'aam':
    case 'aad':
      w.emit(`c.${op}(${(ops[0] as { value: number }).value});`);
      return false;
    case 'cpuid':
      w.emit('c.cpuid();');
      return false;
    case 'rdtsc':
      w.emit(`c.rdtsc(${w.loopCount !== 0 ? `(it - 1) * ${w.loopCount} + ${k}` : k}, ${hex(d.address)});`);
      return false;
    // ---- control transfers (end the block) ----
    case 'jmp':
      // Not last: the block continues at the target (a followed jump).
      if (!isLast) return false;
      w.emit(`return ${d.target};`);
      return true;
    case 'jcc':
      w.emit(`if (${w.condition(d.cond)}) return ${d.target}; return ${next};`);
      return true;
    case 'call':
      w.emit(`u = (r[4] - 4) | 0; wr32(u, ${next | 0}); r[4] = u;`);
      if (!isLast) return false; // followed call: the block continues in the callee
      w.emit(`return ${d.target};`);
      return true;
    case 'call_indirect': {
      const src = ops[0];
      w.prepare(src);
      w.emit(`t = ${w.read(src, 4)}; u = (r[4] - 4) | 0; wr32(u, ${next | 0}); r[4] = u; return t >>> 0;`);
      return true;
    }
    case 'jmp_indirect': {
      const src = ops[0];
      w.prepare(src);
      w.emit(`return ${w.read(src, 4)} >>> 0;`);
      return true;
    }
    case 'ret': {
      const extra = ops.length > 0 ? (ops[0] as { value: number }).value : 0;
      w.emit(`t = rd32(r[4]); r[4] = (r[4] + ${4 + extra}) | 0; return t >>> 0;`);
      return true;
    }
    case 'loop':
    case 'loope':
    case 'loopne': {
      const extra = op === 'loope' ? ` && ${w.condition(4)}` : op === 'loopne' ? ` && ${w.condition(5)}` : '';
      w.emit(`t = (r[1] - 1) | 0; r[1] = t; if (t !== 0${extra}) return ${d.target}; return ${next};`);
      return true;
    }
    case 'jecxz':
      w.emit(`if (r[1] === 0) return ${d.target}; return ${next};`);
      return true;
    case 'int': {
      const v = (ops[0] as { value: number }).value;
      if (v === 0x80) w.emit(`c.stopEip = ${next}; c.stopKind = 1; return -2;`);
      else w.emit(`throw c.interrupt(${v});`);
      return true;
    }
    case 'int3':
      w.emit(`throw c.int3();`);
      return true;
    case 'into':
      w.emit(`if (${w.condition(0)}) throw c.interrupt(4);`);
      w.emit(`return ${next};`);
      return true;
    case 'hlt':
      w.emit(`c.stopEip = ${next}; c.stopKind = 2; return -2;`);
      return true;
    case 'ud2':
      w.emit(`throw c.decodeFault('invalid-opcode', ${JSON.stringify(describe(d))});`);
      return true;
    default:
      w.emit(`throw c.decodeFault('unsupported', ${JSON.stringify(describe(d))});`);
      return true;
  }
}

/**
 * Source of a block function body for `instructions` (which must all be decodable; a non-ok
 * one may only be last). `fallthrough` is returned when the last instruction does not end the
 * block itself.
 */
export function compileBlockSource(instructions: readonly DecodedInstruction[], describe: (d: DecodedInstruction) => string, selfLoop = false): string {
  const w = new InstructionWriter();
  let ended = false;
  const live = flagsLiveAfterWrites(instructions);
  const start = instructions[0].address >>> 0;
  if (selfLoop) w.loopCount = instructions.length;
  if (selfLoop) w.emit('for (;;) {\nk = 0;'); // `it` is declared by the caller (visible to catch)
  for (let i = 0; i < instructions.length; i++) {
    const d = instructions[i];
    if (i > 0) w.emit(`k = ${i};`);
    w.setKnown = false;
    w.flagsLive = live[i];
    if (selfLoop && i === instructions.length - 1) {
      emitLoopBack(w, d, start);
      ended = true;
      break;
    }
    w.emit(`// ${hex(d.address)} ${d.entry?.mnemonic ?? d.status}`);
    const before = w.out.length;
    ended = emitInstruction(w, d, i, describe, i === instructions.length - 1);
    if (!ended && writesMemory(w.out.slice(before))) {
      // Self-modifying code: a store that hit compiled code ends the block after this instruction.
      const op = d.entry?.op;
      const after = op === 'jmp' || op === 'call' ? d.target : (d.address + d.length) >>> 0;
      w.emit(`if (c.smcFlag !== 0) { ${selfLoop ? 'c.iterations = it; ' : ''}return c.smcExit(${i + 1}, ${after}); }`);
    }
    const touches = d.entry === null ? 0 : d.entry.definedFlags | d.entry.undefinedFlags;
    if (!w.setKnown && (touches & (STATUS_FLAGS | DF)) & STATUS_FLAGS) w.known = null;
    if (ended) break;
  }
  if (!ended) {
    const last = instructions[instructions.length - 1];
    const op = last.entry?.op;
    // A block cut right after a followed jmp/call continues at its target.
    w.emit(`return ${op === 'jmp' || op === 'call' ? last.target : (last.address + last.length) >>> 0};`);
  }
  if (selfLoop) w.emit('}');
  return w.out.join('\n');
}

const MEMORY_WRITE = /\bwr(8|16|32)\(|\bc\.(stringOp|pusha|enter|cmpxchg8b)\(/;

function writesMemory(lines: readonly string[]): boolean {
  return lines.some((l) => MEMORY_WRITE.test(l));
}

/** True when the block's last instruction is a direct branch back to its first. */
export function isSelfLoop(instructions: readonly DecodedInstruction[]): boolean {
  const last = instructions[instructions.length - 1];
  const op = last.entry?.op;
  return last.status === 'ok' && !last.lockInvalid && (op === 'jcc' || op === 'jmp' || op === 'loop') && last.target === instructions[0].address >>> 0;
}

/** The closing branch of a self-looping block: iterate while the budget (maxIter) allows. */
function emitLoopBack(w: InstructionWriter, d: DecodedInstruction, start: number): void {
  const next = (d.address + d.length) >>> 0;
  const again = `if (it < maxIter) { it++; continue; } c.iterations = it; return ${start};`;
  const exit = `c.iterations = it; return ${next};`;
  switch (d.entry?.op) {
    case 'jmp':
      w.emit(again);
      return;
    case 'loop':
      w.emit(`t = (r[1] - 1) | 0; r[1] = t; if (t !== 0) { ${again} } ${exit}`);
      return;
    default:
      w.emit(`if (${w.condition(d.cond)}) { ${again} } ${exit}`);
  }
}

// Register-only forms of these never fault, so flags need not be precise across them.
const NEVER_FAULTS: ReadonlySet<string> = new Set([
  'add', 'adc', 'sub', 'sbb', 'cmp', 'and', 'or', 'xor', 'test', 'inc', 'dec', 'neg', 'not', 'mov', 'movzx', 'movsx',
  'lea', 'xchg', 'xadd', 'cmpxchg', 'rol', 'ror', 'rcl', 'rcr', 'shl', 'shr', 'sar', 'shld', 'shrd', 'bt', 'bts', 'btr',
  'btc', 'bsf', 'bsr', 'setcc', 'cmovcc', 'bswap', 'cwde', 'cdq', 'clc', 'stc', 'cmc', 'cld', 'std', 'lahf', 'sahf',
  'nop', 'imul2', 'imul3', 'mul', 'imul1', 'cpuid', 'rdtsc', 'jcc', 'jmp', 'loop', 'loope', 'loopne', 'jecxz',
]);

function canFault(d: DecodedInstruction): boolean {
  const e = d.entry;
  if (e === null || d.status !== 'ok' || d.lockInvalid) return true;
  if (!NEVER_FAULTS.has(e.op)) return true;
  return e.op !== 'lea' && d.operands.some((o) => o.kind === 'mem');
}

/** Status flags the instruction always overwrites. */
function flagsWritten(d: DecodedInstruction): number {
  const e = d.entry;
  if (e === null || d.status !== 'ok') return 0;
  switch (e.op) {
    case 'rol':
    case 'ror':
    case 'shl':
    case 'shr':
    case 'sar':
    case 'shld':
    case 'shrd': {
      const cnt = d.operands[d.operands.length - 1];
      if (cnt.kind !== 'imm' || (cnt.value & 31) === 0) return 0;
      return (e.definedFlags | e.undefinedFlags) & STATUS_FLAGS;
    }
    case 'rcl':
    case 'rcr':
      return 0;
    default:
      return (e.definedFlags | e.undefinedFlags) & STATUS_FLAGS;
  }
}

/** For each instruction: is any status flag it writes possibly read afterwards? */
function flagsLiveAfterWrites(instructions: readonly DecodedInstruction[]): boolean[] {
  const out = new Array<boolean>(instructions.length).fill(true);
  let live = STATUS_FLAGS; // everything is live at the block's end
  for (let i = instructions.length - 1; i >= 0; i--) {
    const d = instructions[i];
    const written = flagsWritten(d);
    out[i] = (live & written) !== 0 || written === 0;
    const tested = d.entry === null ? STATUS_FLAGS : d.entry.testedFlags;
    live = canFault(d) ? STATUS_FLAGS : (live & ~written) | tested;
  }
  return out;
}

/** Shared prelude: binds the names the block bodies use. */
export const BLOCK_PRELUDE = `
const r = c.regs, lf = c.lazyFlags, sb = c.segmentBases, PAR = c.parityTable;
const rd8 = c.fastRead8, rd16 = c.fastRead16, rd32 = c.fastRead32;
const wr8 = c.fastWrite8, wr16 = c.fastWrite16, wr32 = c.fastWrite32;
const cf = c.carryFn, cond = c.condFn, mulHigh = c.mulHighFn, mulHighSigned = c.mulHighSignedFn;
`;

// Helpers that read or write cpu.regs themselves: registers held in locals are written back
// before them and reloaded after.
const REGISTER_HELPERS = /\bc\.(mul8|mul16|mul32|imul8|imul16|imul32|div8|div16|div32|idiv8|idiv16|idiv32|cmpxchg8b|pusha|popa|enter|stringOp|daa|das|aaa|aas|aam|aad|cpuid|rdtsc)\(/;

/**
 * The whole block function. Guest registers the block uses live in JS locals (r0..r7) so the
 * JIT can keep them in machine registers; they are written back at every exit, before helpers
 * that use cpu.regs, and on a fault (unless the fault came from inside such a helper, which
 * has already updated cpu.regs itself).
 */
export function blockFunctionSource(name: string, body: string, selfLoop: boolean): string {
  const used = new Set<number>();
  for (const m of body.matchAll(/\br\[(\d)\]/g)) used.add(Number(m[1]));
  const regs = [...used].sort();
  const local = regs.length === 0 ? body : body.replace(/\br\[(\d)\]/g, (m0, n) => (used.has(Number(n)) ? `r${n}` : m0));
  const writeBack = regs.map((n) => `r[${n}] = r${n}`).join(', ');
  const reload = regs.map((n) => `r${n} = r[${n}]`).join('; ');
  const lines = local.split('\n').map((line) => {
    let l = line;
    if (REGISTER_HELPERS.test(l) && regs.length > 0) l = `${writeBack}; h = 1; ${l} h = 0; ${reload};`;
    if (regs.length > 0) l = l.replace(/\breturn ([^;]+);/g, `return (${writeBack}, $1);`);
    return l;
  });
  const declarations = regs.map((n) => `r${n} = r[${n}]`).join(', ');
  return (
    `${BLOCK_PRELUDE}\nreturn function ${name}(maxIter) {\n` +
    `let k = 0, h = 0, fa = 0, fb = 0, fr = 0, fc = 0, ea = 0, t = 0, u = 0${selfLoop ? ', it = 1' : ''}${declarations ? ', ' + declarations : ''};\n` +
    `try {\n${lines.join('\n')}\n} catch (e) {\n${selfLoop ? 'c.iterations = it; ' : ''}` +
    `${regs.length > 0 ? `if (h === 0) { ${writeBack}; }` : ''}\nreturn c.blockFault(e, k);\n}\n};`
  );
}
