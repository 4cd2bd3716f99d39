// x86 → IR: decodes a guest basic block (emulator/x86/decoder.ts) and turns each instruction of the
// translated subset into one IR op. The block ends at a control transfer, at MAX_BLOCK_INSTRUCTIONS,
// or before the first instruction outside the subset (which then becomes an 'untranslated' block of
// its own, reported with its eip and mnemonic — never executed by TypeScript).

import { decodeInstruction, type DecodedInstruction, type DecodedOperand } from '../x86/decoder';
import { PRIVILEGED } from '../x86/block-compiler';
import { computeFlagLiveness, type IrAddress, type IrBlock, type IrCount, type IrLocation, type IrOp, type IrSource, type IrTerminator } from './ir';

export const MAX_BLOCK_INSTRUCTIONS = 32;

class NotTranslated {
  constructor(readonly reason: string) {}
}

/** The instruction always raises a guest fault: the block ends before it and leaves to the runtime, which reports it (instructionFault). */
class RaisesFault extends NotTranslated {}

/** %fs/%gs overrides add the thread base (context words); es/cs/ss/ds are flat. */
function segmentOf(segment: number): number {
  return segment === 4 || segment === 5 ? segment : -1;
}

function location(o: DecodedOperand): IrLocation {
  if (o.kind === 'reg') {
    return { kind: 'reg', reg: o.reg, size: o.size };
  }
  if (o.kind === 'mem') {
    if (o.size !== 1 && o.size !== 2 && o.size !== 4) throw new NotTranslated(`memory operand of ${o.size} bytes`);
    const address: IrAddress = { base: o.base, index: o.index, scale: o.scale, disp: o.disp | 0, segment: segmentOf(o.segment) };
    return { kind: 'mem', address, size: o.size };
  }
  throw new NotTranslated(`operand kind ${o.kind}`);
}

function source(o: DecodedOperand): IrSource {
  if (o.kind === 'imm') return { kind: 'imm', value: o.value | 0 };
  return location(o);
}

function segmentRegister(o: DecodedOperand): number {
  if (o.kind !== 'sreg') throw new NotTranslated('segment register operand');
  return o.sreg;
}

function register(o: DecodedOperand): number {
  if (o.kind !== 'reg' || o.size === 1) throw new NotTranslated('needs a 16/32-bit register');
  return o.reg;
}

function count(o: DecodedOperand): IrCount {
  if (o.kind === 'imm') return o.value & 31;
  if (o.kind === 'reg' && o.reg === 1 && o.size === 1) return 'cl';
  throw new NotTranslated('shift count');
}

/** One instruction of the subset → an IR op, a terminator, or NotTranslated. */
function translateInstruction(d: DecodedInstruction): IrOp | IrTerminator {
  const entry = d.entry;
  if (entry === null) throw new NotTranslated('no table entry');
  if (d.lockInvalid) throw new RaisesFault('lock prefix not allowed here (#UD)');
  // F2/F3 on other instructions (rep ret, bnd jmp, pause) change nothing: the decoder already took
  // the mandatory-prefix forms apart.
  const ops = d.operands;
  const osz = d.operandSize;
  const base = { eip: d.address >>> 0, length: d.length };
  const next = (d.address + d.length) >>> 0;
  switch (entry.op) {
    case 'nop':
      return { ...base, op: 'nop' }; // any size (66 90, 0f 1f /0, prefetch): no access
    case 'mov': {
      const dst = location(ops[0]);
      const src = source(ops[1]);
      if (src.kind !== 'imm' && src.size !== dst.size) throw new NotTranslated('mixed sizes');
      return { ...base, op: 'mov', dst, src };
    }
    case 'movzx':
    case 'movsx':
      return { ...base, op: 'movx', dst: register(ops[0]), size: osz, src: location(ops[1]), signed: entry.op === 'movsx' };
    case 'lea': {
      const m = ops[1];
      if (m.kind !== 'mem') throw new NotTranslated('lea without memory operand');
      // With 0x67 the address is the 16-bit sum (bx/bp/si/di forms).
      return { ...base, op: 'lea', dst: register(ops[0]), size: osz, address: { base: m.base, index: m.index, scale: m.scale, disp: m.disp | 0, segment: -1 }, wrap16: d.addressSize === 2 };
    }
    case 'add': case 'sub': case 'and': case 'or': case 'xor': case 'cmp': case 'test': case 'adc': case 'sbb': {
      const dst = location(ops[0]);
      const src = source(ops[1]);
      const alu = entry.op === 'cmp' ? 'sub' : entry.op === 'test' ? 'and' : entry.op;
      return { ...base, op: 'alu', alu, dst, src, writeBack: entry.op !== 'cmp' && entry.op !== 'test' };
    }
    case 'inc': case 'dec': case 'neg': case 'not':
      return { ...base, op: 'unary', unary: entry.op, dst: location(ops[0]) };
    case 'shl': case 'shr': case 'sar': case 'rol': case 'ror': case 'rcl': case 'rcr': {
      const c = entry.operands[1] === '1' ? 1 : count(ops[1]);
      if (c === 0) return { ...base, op: 'nop' }; // flags and destination unchanged (the access still happens on hardware)
      return { ...base, op: 'shift', shift: entry.op, dst: location(ops[0]), count: c };
    }
    case 'shld': case 'shrd': {
      const c = count(ops[2]);
      if (c === 0) return { ...base, op: 'nop' };
      return { ...base, op: 'shiftd', left: entry.op === 'shld', dst: location(ops[0]), src: register(ops[1]), count: c };
    }
    case 'imul2':
      return { ...base, op: 'imul', dst: register(ops[0]), size: osz, a: { kind: 'reg', reg: register(ops[0]), size: osz }, b: source(ops[1]) };
    case 'imul3':
      return { ...base, op: 'imul', dst: register(ops[0]), size: osz, a: source(ops[1]), b: source(ops[2]) };
    case 'mul': case 'imul1': case 'div': case 'idiv':
      return { ...base, op: 'muldiv', muldiv: entry.op === 'imul1' ? 'imul' : entry.op, src: location(ops[0]) };
    case 'push': {
      const src = source(ops[0]);
      if (src.kind !== 'imm' && src.size !== osz) throw new NotTranslated('push size');
      return { ...base, op: 'push', src, size: osz };
    }
    case 'pop': {
      const dst = location(ops[0]);
      if (dst.kind === 'reg' || (dst.address.base !== 4 && dst.address.index !== 4)) return { ...base, op: 'pop', dst };
      // pop to esp-relative memory addresses with the incremented esp.
      if (dst.address.index === 4) throw new NotTranslated('pop to memory indexed by esp');
      return { ...base, op: 'pop', dst: { ...dst, address: { ...dst.address, disp: (dst.address.disp + dst.size) | 0 } } };
    }
    case 'setcc':
      return { ...base, op: 'setcc', cond: d.cond, dst: location(ops[0]) };
    case 'cmovcc':
      return { ...base, op: 'cmov', cond: d.cond, dst: register(ops[0]), size: osz, src: location(ops[1]) };
    case 'xchg':
      return { ...base, op: 'xchg', a: location(ops[0]), b: location(ops[1]) };
    case 'xadd':
      return { ...base, op: 'xadd', dst: location(ops[0]), src: (ops[1] as { reg: number }).reg };
    case 'cmpxchg':
      return { ...base, op: 'cmpxchg', dst: location(ops[0]), src: (ops[1] as { reg: number }).reg };
    case 'cmpxchg8b': {
      const m = ops[0];
      if (m.kind !== 'mem') throw new NotTranslated('cmpxchg8b without memory operand');
      return { ...base, op: 'cmpxchg8b', address: { base: m.base, index: m.index, scale: m.scale, disp: m.disp | 0, segment: segmentOf(m.segment) } };
    }
    case 'cwde':
      return { ...base, op: 'convert', convert: osz === 4 ? 'cwde' : 'cbw' };
    case 'cdq':
      return { ...base, op: 'convert', convert: osz === 4 ? 'cdq' : 'cwd' };
    case 'bt': case 'bts': case 'btr': case 'btc':
      return { ...base, op: 'bit', bit: entry.op, dst: location(ops[0]), index: source(ops[1]) };
    case 'bsf': case 'bsr':
      return { ...base, op: 'scan', reverse: entry.op === 'bsr', dst: register(ops[0]), src: location(ops[1]) };
    case 'bswap':
      return { ...base, op: 'bswap', reg: (ops[0] as { reg: number }).reg, size: osz };
    case 'clc': case 'stc': case 'cmc': case 'cld': case 'std': case 'lahf': case 'sahf':
      return { ...base, op: 'flag', flag: entry.op };
    case 'pushf':
      return { ...base, op: 'pushf', size: osz };
    case 'popf':
      return { ...base, op: 'popf', size: osz };
    case 'movs': case 'cmps': case 'stos': case 'lods': case 'scas': {
      if (d.addressSize !== 4) throw new NotTranslated('string instruction with 16-bit addressing');
      const m = ops[0].kind === 'mem' ? ops[0] : ops[1];
      const size = m.kind === 'mem' ? m.size : 0;
      if (size !== 1 && size !== 2 && size !== 4) throw new NotTranslated('string operand size');
      const rep = d.rep === null ? 0 : entry.stringRep === 'repcc' && d.rep === 'repne' ? 2 : 1;
      return { ...base, op: 'string', string: entry.op, size, rep, segment: segmentOf(d.segment) };
    }
    case 'leave':
      return { ...base, op: 'leave', size: osz };
    case 'enter': {
      if (ops[0].kind !== 'imm' || ops[1].kind !== 'imm') throw new NotTranslated('enter without immediates');
      return { ...base, op: 'enter', size: osz, frame: ops[0].value & 0xffff, level: ops[1].value & 31 };
    }
    case 'cpuid':
      return { ...base, op: 'cpuid' };
    case 'mov_to_seg': {
      const segment = segmentRegister(ops[0]);
      const src = location(ops[1]);
      return { ...base, op: 'loadSegment', segment, src: src.kind === 'reg' ? { ...src, size: 2 } : { ...src, size: 2 }, pop: 0 };
    }
    case 'pop_seg':
      // The selector is the low 16 bits of the stack word (all of it is read).
      return { ...base, op: 'loadSegment', segment: segmentRegister(ops[0]), src: { kind: 'mem', address: { base: 4, index: -1, scale: 1, disp: 0, segment: -1 }, size: osz }, pop: osz };
    case 'mov_from_seg': {
      const dst = location(ops[0]);
      return { ...base, op: 'readSegment', segment: segmentRegister(ops[1]), dst: dst.kind === 'reg' ? { ...dst, size: osz } : { ...dst, size: 2 } };
    }
    case 'push_seg':
      return { ...base, op: 'pushSegment', segment: segmentRegister(ops[0]), size: osz };
    case 'daa': case 'das': case 'aaa': case 'aas':
      return { ...base, op: 'bcd', bcd: entry.op, base: 0 };
    case 'aam': case 'aad':
      if (ops[0].kind !== 'imm') throw new NotTranslated(`${entry.op} without its base`);
      return { ...base, op: 'bcd', bcd: entry.op, base: ops[0].value & 0xff };
    case 'rdtsc':
      return { ...base, op: 'rdtsc' };
    case 'into':
      return { ...base, op: 'into' };
    case 'pusha':
      return { ...base, op: 'pusha', size: osz };
    case 'popa':
      return { ...base, op: 'popa', size: osz };
    case 'xlat':
      if (d.addressSize !== 4) throw new NotTranslated('xlat with 16-bit addressing');
      return { ...base, op: 'xlat', segment: segmentOf(d.segment) };
    case 'jmp':
      if (ops[0].kind !== 'rel') throw new NotTranslated('jmp without target');
      return { kind: 'jump', target: ops[0].target >>> 0, eip: base.eip };
    case 'jmp_indirect':
      if (osz !== 4) throw new NotTranslated('16-bit indirect jump');
      return { kind: 'indirect', target: location(ops[0]), eip: base.eip };
    case 'jcc':
      if (ops[0].kind !== 'rel') throw new NotTranslated('jcc without target');
      return { kind: 'branch', cond: d.cond, taken: ops[0].target >>> 0, fallthrough: next, eip: base.eip };
    case 'loop': case 'loope': case 'loopne': case 'jecxz':
      if (ops[0].kind !== 'rel' || d.addressSize !== 4) throw new NotTranslated('loop with 16-bit counter');
      return { kind: 'loop', loop: entry.op, taken: ops[0].target >>> 0, fallthrough: next, eip: base.eip };
    case 'call':
      if (ops[0].kind !== 'rel') throw new NotTranslated('call without target');
      return { kind: 'call', target: ops[0].target >>> 0, returnAddress: next, eip: base.eip };
    case 'call_indirect':
      if (osz !== 4) throw new NotTranslated('16-bit indirect call');
      return { kind: 'call-indirect', target: location(ops[0]), returnAddress: next, eip: base.eip };
    case 'ret':
      if (osz !== 4) throw new NotTranslated('16-bit ret');
      return { kind: 'ret', popBytes: ops.length > 0 && ops[0].kind === 'imm' ? ops[0].value & 0xffff : 0, eip: base.eip };
    case 'int':
      if (ops[0].kind === 'imm' && (ops[0].value & 0xff) === 0x80) return { kind: 'syscall', next, eip: base.eip };
      throw new RaisesFault('software interrupt other than int 0x80');
    case 'int3':
      throw new RaisesFault('int3');
    case 'hlt':
      throw new RaisesFault('privileged (hlt)');
    case 'ud2':
      throw new RaisesFault('undefined opcode (#UD)');
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

/** A guest fault as the reference X86Process reports it (signal, 'killed by' message). */
export interface InstructionFault {
  readonly fault: 'invalid-opcode' | 'general-protection' | 'int3' | 'interrupt' | 'divide';
  readonly signal: number;
  readonly message: string;
}

const SIGILL = 4, SIGTRAP = 5, SIGFPE = 8, SIGSEGV = 11;
const SEGMENT_NAMES = ['es', 'cs', 'ss', 'ds', 'fs', 'gs'];

/**
 * The guest fault instruction `d` raises when translated code leaves at it to the runtime (a block
 * cut before an instruction that always faults, or a run-time fault exit inside a block), with the
 * reference interpreter's kind, signal and message; null when it raises none. `bytes`: the guest
 * bytes from its address (as many as are readable); `detail`: the back end's FAULT_DETAIL register
 * at the exit (the selector of a segment load).
 */
export function instructionFault(d: DecodedInstruction, bytes: readonly number[], detail: number): InstructionFault | null {
  const eip = d.address >>> 0;
  const at = `at eip=0x${eip.toString(16).padStart(8, '0')}`;
  const shown = (n: number) => bytes.slice(0, n).map((x) => x.toString(16).padStart(2, '0')).join(' ');
  const entry = d.entry;
  // The interpreter's description of an instruction it does not run (cpu.ts describeInstruction).
  const why = d.lockInvalid && d.status === 'ok' ? 'lock prefix not allowed here' : d.reason;
  const described = (what: string) => `${what} (bytes ${shown(Math.max(d.length, 1))}${why ? ': ' + why : ''})`;
  const invalid: InstructionFault = { fault: 'invalid-opcode', signal: SIGILL, message: `invalid instruction ${at} (bytes ${shown(8)})` };
  const gp = (detailText: string): InstructionFault => ({ fault: 'general-protection', signal: SIGSEGV, message: `segmentation fault (general protection) ${at}: ${detailText}` });
  if (d.status === 'unsupported' && entry !== null && PRIVILEGED.has(entry.mnemonic)) return gp(`${described('privileged instruction')}: #GP in user mode`);
  if (d.status === 'unsupported') return { fault: 'invalid-opcode', signal: SIGILL, message: `${described('unsupported instruction')} ${at}` };
  if (d.status !== 'ok' || entry === null || d.lockInvalid) return invalid;
  const imm = d.operands.length > 0 && d.operands[0].kind === 'imm' ? d.operands[0].value & 0xff : -1;
  switch (entry.op) {
    case 'ud2':
      return invalid; // ud0 ud1 ud2
    case 'hlt':
      return { fault: 'general-protection', signal: SIGSEGV, message: `segmentation fault: privileged instruction hlt ${at}` };
    case 'int3':
      return { fault: 'int3', signal: SIGTRAP, message: `trace/breakpoint trap (int3) ${at}` };
    case 'int':
      return imm === 0x80 ? null : { fault: 'interrupt', signal: SIGSEGV, message: `segmentation fault: int $0x${imm.toString(16)} ${at}` };
    case 'into': // reached only with OF set
      return { fault: 'interrupt', signal: SIGSEGV, message: `segmentation fault: int $0x4 ${at}` };
    case 'aam':
      return imm === 0 ? { fault: 'divide', signal: SIGFPE, message: `divide error ${at}` } : null;
    case 'mov_to_seg': case 'pop_seg': {
      // Reached only with a selector the back end refused (cpu.ts loadSegment's messages).
      const selector = detail & 0xffff;
      const sreg = d.operands[0].kind === 'sreg' ? d.operands[0].sreg : -1;
      if ((selector & 0xfffc) === 0) return gp(`null selector loaded into %${SEGMENT_NAMES[sreg] ?? '?'}`);
      return gp(`selector 0x${selector.toString(16)} has no usable descriptor`);
    }
    default:
      return null;
  }
}
