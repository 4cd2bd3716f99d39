// x86 → IR: decodes a guest basic block (emulator/x86/decoder.ts) and turns each instruction of the
// translated subset into one IR op. The block ends at a control transfer, at MAX_BLOCK_INSTRUCTIONS,
// or before the first instruction outside the subset (which then becomes an 'untranslated' block of
// its own, reported with its eip and mnemonic — never executed by TypeScript).

import { decodeInstruction, type DecodedInstruction, type DecodedOperand } from '../x86/decoder';
import { computeFlagLiveness, type IrAddress, type IrBlock, type IrLocation, type IrOp, type IrSource, type IrTerminator } from './ir';

export const MAX_BLOCK_INSTRUCTIONS = 32;

const ESP = 4;

class NotTranslated {
  constructor(readonly reason: string) {}
}

function location(o: DecodedOperand): IrLocation {
  if (o.kind === 'reg') {
    return { kind: 'reg', reg: o.reg, size: o.size };
  }
  if (o.kind === 'mem') {
    if (o.segment >= 0 && o.segment !== 3 && o.segment !== 2) throw new NotTranslated('segment override');
    if (o.size !== 1 && o.size !== 2 && o.size !== 4) throw new NotTranslated(`memory operand of ${o.size} bytes`);
    const address: IrAddress = { base: o.base, index: o.index, scale: o.scale, disp: o.disp | 0 };
    return { kind: 'mem', address, size: o.size };
  }
  throw new NotTranslated(`operand kind ${o.kind}`);
}

function source(o: DecodedOperand): IrSource {
  if (o.kind === 'imm') return { kind: 'imm', value: o.value | 0 };
  return location(o);
}

function reg32(o: DecodedOperand): number {
  if (o.kind !== 'reg' || o.size !== 4) throw new NotTranslated('needs a 32-bit register');
  return o.reg;
}

/** Everything but mov/movzx/movsx is 32-bit only for now (16-bit registers reach only those). */
function size32(loc: IrLocation): IrLocation {
  if (loc.size !== 4) throw new NotTranslated(`${loc.size * 8}-bit form`);
  return loc;
}

function sizeOf(s: IrSource): number {
  return s.kind === 'imm' ? 0 : s.size;
}

/** One instruction of the subset → an IR op, a terminator, or NotTranslated. */
function translateInstruction(d: DecodedInstruction): IrOp | IrTerminator {
  const entry = d.entry;
  if (entry === null) throw new NotTranslated('no table entry');
  if (d.lock || d.rep !== null) throw new NotTranslated('lock/rep prefix');
  if (entry.op === 'nop') return { eip: d.address >>> 0, length: d.length, op: 'nop' }; // any size (66 90, 0f 1f /0): no access
  if (d.operandSize !== 4 && entry.op !== 'movzx' && entry.op !== 'movsx' && entry.op !== 'mov') throw new NotTranslated('16-bit operand size');
  const ops = d.operands;
  const base = { eip: d.address >>> 0, length: d.length };
  const next = (d.address + d.length) >>> 0;
  switch (entry.op) {
    case 'nop':
      return { ...base, op: 'nop' };
    case 'mov': {
      const dst = location(ops[0]);
      const src = source(ops[1]);
      if (src.kind !== 'imm' && src.size !== dst.size) throw new NotTranslated('mixed sizes');
      return { ...base, op: 'mov', dst, src };
    }
    case 'movzx':
    case 'movsx': {
      if (d.operandSize !== 4) throw new NotTranslated('16-bit destination');
      return { ...base, op: 'movx', dst: reg32(ops[0]), src: location(ops[1]), signed: entry.op === 'movsx' };
    }
    case 'lea': {
      const m = ops[1];
      if (m.kind !== 'mem') throw new NotTranslated('lea without memory operand');
      return { ...base, op: 'lea', dst: reg32(ops[0]), address: { base: m.base, index: m.index, scale: m.scale, disp: m.disp | 0 } };
    }
    case 'add': case 'sub': case 'and': case 'or': case 'xor': case 'cmp': case 'test': {
      const dst = size32(location(ops[0]));
      const src = source(ops[1]);
      if (sizeOf(src) !== 0 && sizeOf(src) !== 4) throw new NotTranslated('8-bit form');
      const alu = entry.op === 'cmp' ? 'sub' : entry.op === 'test' ? 'and' : entry.op;
      return { ...base, op: 'alu', alu, dst, src, writeBack: entry.op !== 'cmp' && entry.op !== 'test' };
    }
    case 'inc': case 'dec': case 'neg': case 'not':
      return { ...base, op: 'unary', unary: entry.op, dst: size32(location(ops[0])) };
    case 'shl': case 'shr': case 'sar': {
      const c = ops[1];
      let count: number;
      if (c.kind === 'imm') count = c.value & 31;
      else if (entry.operands[1] === '1') count = 1;
      else throw new NotTranslated('shift by cl');
      if (count === 0) return { ...base, op: 'nop' }; // flags and destination unchanged
      return { ...base, op: 'shift', shift: entry.op, dst: size32(location(ops[0])), count };
    }
    case 'imul2':
      return { ...base, op: 'imul', dst: reg32(ops[0]), a: { kind: 'reg', reg: reg32(ops[0]), size: 4 }, b: source(ops[1]) };
    case 'imul3':
      return { ...base, op: 'imul', dst: reg32(ops[0]), a: source(ops[1]), b: source(ops[2]) };
    case 'push': {
      const src = source(ops[0]);
      if (src.kind !== 'imm' && src.size !== 4) throw new NotTranslated('push of a segment or 16-bit value');
      return { ...base, op: 'push', src };
    }
    case 'pop': {
      const dst = size32(location(ops[0]));
      if (dst.kind === 'mem' && (dst.address.base === ESP || dst.address.index === ESP)) throw new NotTranslated('pop to esp-relative memory');
      return { ...base, op: 'pop', dst };
    }
    case 'setcc':
      return { ...base, op: 'setcc', cond: d.cond, dst: location(ops[0]) };
    case 'cmovcc':
      return { ...base, op: 'cmov', cond: d.cond, dst: reg32(ops[0]), src: size32(location(ops[1])) };
    case 'jmp':
      if (ops[0].kind !== 'rel') throw new NotTranslated('jmp without target');
      return { kind: 'jump', target: ops[0].target >>> 0, eip: base.eip };
    case 'jmp_indirect':
      return { kind: 'indirect', target: size32(location(ops[0])), eip: base.eip };
    case 'jcc':
      if (ops[0].kind !== 'rel') throw new NotTranslated('jcc without target');
      return { kind: 'branch', cond: d.cond, taken: ops[0].target >>> 0, fallthrough: next, eip: base.eip };
    case 'call':
      if (ops[0].kind !== 'rel') throw new NotTranslated('call without target');
      return { kind: 'call', target: ops[0].target >>> 0, returnAddress: next, eip: base.eip };
    case 'call_indirect':
      return { kind: 'call-indirect', target: size32(location(ops[0])), returnAddress: next, eip: base.eip };
    case 'int':
      if (ops[0].kind === 'imm' && (ops[0].value & 0xff) === 0x80) return { kind: 'syscall', next, eip: base.eip };
      throw new NotTranslated('software interrupt other than int 0x80');
    case 'ret':
      return { kind: 'ret', popBytes: ops.length > 0 && ops[0].kind === 'imm' ? ops[0].value & 0xffff : 0, eip: base.eip };
    default:
      throw new NotTranslated('outside the translated subset');
  }
}

function isTerminator(x: IrOp | IrTerminator): x is IrTerminator {
  return 'kind' in x;
}

/**
 * Builds the IR block starting at `start`. Flag readers whose producer is in an earlier block are
 * fine: the back end materializes the flags through the flags glue at run time.
 */
/** What the decoder reads guest code through: a byte reader (PagedMemory, physical memory) or a
 * fetch of a range (the runtime's GuestCodeMemory). Either may throw when the address is unmapped. */
export type GuestCodeSource = { read8(address: number): number } | { fetch(address: number, length: number): Uint8Array };

export function buildBlock(memory: GuestCodeSource, start: number): IrBlock {
  const ops: IrOp[] = [];
  let eip = start >>> 0;
  let terminator: IrTerminator | null = null;
  let guestCount = 0;
  const fetch = 'read8' in memory ? (a: number) => memory.read8(a >>> 0) : (a: number) => memory.fetch(a >>> 0, 1)[0];
  while (terminator === null) {
    if (ops.length >= MAX_BLOCK_INSTRUCTIONS) {
      terminator = { kind: 'jump', target: eip, eip }; // size limit: no instruction, just the next eip
      break;
    }
    let d: DecodedInstruction;
    try {
      d = decodeInstruction(fetch, eip);
    } catch {
      terminator = { kind: 'untranslated', eip, mnemonic: '(unreadable)', reason: `instruction fetch fault at 0x${eip.toString(16)}` };
      break;
    }
    const mnemonic = d.entry?.mnemonic ?? '(invalid)';
    if (d.status !== 'ok') {
      terminator = { kind: 'untranslated', eip, mnemonic, reason: d.reason || d.status };
      break;
    }
    let x: IrOp | IrTerminator;
    try {
      x = translateInstruction(d);
    } catch (e) {
      if (!(e instanceof NotTranslated)) throw e;
      terminator = { kind: 'untranslated', eip, mnemonic, reason: e.reason };
      break;
    }
    if (isTerminator(x)) {
      terminator = x;
      guestCount++;
      eip = (eip + d.length) >>> 0;
      break;
    }
    ops.push(x);
    guestCount++;
    eip = (eip + d.length) >>> 0;
  }
  const block: IrBlock = { start: start >>> 0, ops, terminator, guestCount, end: eip };
  computeFlagLiveness(block);
  return block;
}
