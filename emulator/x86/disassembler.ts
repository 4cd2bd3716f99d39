// IA-32 disassembly text, in AT&T syntax exactly as GNU objdump (binutils 2.40,
// `objdump -D -m i386`) prints it, or in Intel syntax as `objdump -M intel` prints it
// (test/x86/disassembler.test.ts holds it to objdump over every table entry, random bytes and a
// whole static glibc .text).
//
// Text is produced from a DecodedInstruction (decoder.ts, which reads table.ts) plus the raw
// instruction bytes; the bytes are needed only for what the decoder does not keep: the order of
// prefix bytes (objdump prints unused prefixes by name, in byte order), the far-pointer
// immediates of lcall/ljmp, the SIB byte's "no index" encodings (objdump's %eiz), and 16-bit
// (0x67) ModRM addresses.
//
// Out-of-scope instructions whose operands the table does not describe (x87, SSE/MMX, AVX,
// 3DNow!, most system instructions) cannot be spelled like objdump; they read
// "<table name> (not emulated)", e.g. "x87 (not emulated)". Invalid encodings read "(bad)".
//
// For a debugger view: disassemble((a) => memory.read8(a), address, count, 'intel') lists
// instructions with addresses and bytes; addressBefore() finds where to start to show lines
// above an address.

import { DecodedInstruction, DecodedOperand, MemOperand, decodeInstruction, REG8_NAMES, REG16_NAMES, REG32_NAMES, SEG_NAMES } from './decoder';

export type AsmSyntax = 'att' | 'intel';

/** One line of a disassembly listing. */
export interface DisassembledInstruction {
  address: number;
  /** Number of bytes the instruction occupies (at least 1, so a listing always advances). */
  length: number;
  /** The instruction bytes as objdump prints them: "8b 44 24 04". */
  bytes: string;
  text: string;
  /** 'unreadable' when the bytes could not be fetched (e.g. unmapped memory). */
  status: 'ok' | 'invalid' | 'unsupported' | 'unreadable';
}

const SEG_CS = 1;
const SEG_DS = 3;
const SEG_ES = 0;
const REG_ESP = 4;

// Table mnemonics for instructions whose operands the table leaves opaque.
const OPAQUE_MNEMONICS = new Set(['x87', 'sse', 'avx', 'system', '3dnow', 'vmread', 'vmwrite', 'movnti', 'mov']);

/** Operations whose short branches and calls take 0x2E/0x3E as branch hints (",pn"/",pt"). */
const HINTABLE_BRANCHES = new Set(['jcc', 'jecxz', 'loop', 'loope', 'loopne']);

function hex(value: number): string {
  return '0x' + (value >>> 0).toString(16);
}

function signedHex(value: number): string {
  return value < 0 ? '-0x' + (-value).toString(16) : '0x' + value.toString(16);
}

function regName(reg: number, size: number): string {
  if (size === 1) return REG8_NAMES[reg];
  if (size === 2) return REG16_NAMES[reg];
  return REG32_NAMES[reg];
}

const INTEL_SIZE_NAMES: Record<number, string> = { 1: 'BYTE', 2: 'WORD', 4: 'DWORD', 6: 'FWORD', 8: 'QWORD', 10: 'TBYTE' };
const ATT_SUFFIX: Record<number, string> = { 1: 'b', 2: 'w', 4: 'l' };

/** Everything the operand formatter needs to know besides the operand itself. */
interface FormatContext {
  syntax: AsmSyntax;
  insn: DecodedInstruction;
  bytes: ArrayLike<number>;
  /** Segment shown on memory operands: the override, or -1. */
  segment: number;
  /** The ModRM memory operand under 16-bit addressing (0x67), which the decoder leaves out. */
  addr16: Address16 | null;
}

/** A 16-bit ModRM address: [base + index + disp], no scale. */
interface Address16 {
  base: string;
  index: string;
  /** Sign-extended 16-bit displacement. */
  disp: number;
  hasDisp: boolean;
}

const ADDRESS16_REGISTERS = [['bx', 'si'], ['bx', 'di'], ['bp', 'si'], ['bp', 'di'], ['si', ''], ['di', ''], ['bp', ''], ['bx', '']];

function address16(insn: DecodedInstruction, bytes: ArrayLike<number>): Address16 {
  const opcodeLength = insn.opcode < 0x100 ? 1 : insn.opcode === 0x0f38 || insn.opcode === 0x0f3a ? 3 : 2;
  const at = insn.prefixCount + opcodeLength + 1; // the byte after ModRM
  const mod = insn.modrm >> 6;
  const rm = insn.modrm & 7;
  const word = () => ((bytes[at] | (bytes[at + 1] << 8)) << 16) >> 16;
  if (mod === 0 && rm === 6) return { base: '', index: '', disp: word(), hasDisp: true };
  const [base, index] = ADDRESS16_REGISTERS[rm];
  const disp = mod === 1 ? (bytes[at] << 24) >> 24 : mod === 2 ? word() : 0;
  return { base, index, disp, hasDisp: mod !== 0 };
}

/** Memory size of a ModRM operand spec (0 = none shown). */
function specMemorySize(spec: string, opSize: number): number {
  switch (spec) {
    case 'Eb':
      return 1;
    case 'Ew':
      return 2;
    case 'Ed':
      return 4;
    case 'Ev':
      return opSize;
    case 'Mq':
      return 8;
    case 'Mp':
      return opSize + 2;
    case 'Ma':
      return opSize * 2;
    default:
      return 0;
  }
}

function formatMemory(m: MemOperand, ctx: FormatContext, sizeName: number, kind: 'modrm' | 'moffs' | 'string-src' | 'string-dst' | 'xlat'): string {
  const att = ctx.syntax === 'att';
  const insn = ctx.insn;
  // ES:[EDI] cannot be overridden; string sources and xlat always show their segment.
  let segment = kind === 'string-dst' ? SEG_ES : ctx.segment;
  if ((kind === 'string-src' || kind === 'xlat') && segment < 0) segment = SEG_DS;
  if (kind === 'modrm' && ctx.addr16 !== null) return formatAddress16(ctx.addr16, segment, sizeName, att);
  if (insn.addressSize === 2 && kind !== 'moffs') {
    // String operands and xlat under 0x67 use si/di/bx.
    const reg = kind === 'string-src' ? 'si' : kind === 'string-dst' ? 'di' : 'bx';
    return formatAddress16({ base: reg, index: '', disp: 0, hasDisp: false }, segment, sizeName, att);
  }
  const hasBase = m.base >= 0;
  // The SIB byte's index field 100 means "no index"; objdump still names it %eiz unless the
  // SIB only exists to encode an %esp base with scale 1.
  let indexName = m.index >= 0 ? REG32_NAMES[m.index] : '';
  let scale: number = m.scale;
  if (kind === 'modrm' && insn.sib >= 0 && ((insn.sib >> 3) & 7) === 4) {
    const sibScale = 1 << (insn.sib >> 6);
    if (!(m.base === REG_ESP && sibScale === 1)) {
      indexName = 'eiz';
      scale = sibScale;
    }
  }
  const mod = insn.modrm >> 6;
  const hasDisp = kind === 'moffs' || (kind === 'modrm' && (mod === 1 || mod === 2 || !hasBase));
  const absolute = !hasBase && indexName === '';

  if (att) {
    let s = segment >= 0 ? `%${SEG_NAMES[segment]}:` : '';
    if (hasDisp) s += absolute ? hex(m.disp) : signedHex(m.disp);
    if (hasBase || indexName !== '') {
      s += '(' + (hasBase ? '%' + REG32_NAMES[m.base] : '');
      if (indexName !== '') s += `,%${indexName},${scale}`;
      s += ')';
    }
    return s;
  }
  let s = sizeName > 0 ? `${INTEL_SIZE_NAMES[sizeName]} PTR ` : '';
  if (absolute) {
    // A bare address always names its segment in Intel syntax.
    return s + `${SEG_NAMES[segment >= 0 ? segment : SEG_DS]}:${hex(m.disp)}`;
  }
  if (segment >= 0) s += `${SEG_NAMES[segment]}:`;
  let inner = hasBase ? REG32_NAMES[m.base] : '';
  if (indexName !== '') inner += (inner ? '+' : '') + `${indexName}*${scale}`;
  if (hasDisp) inner += m.disp < 0 ? signedHex(m.disp) : '+' + signedHex(m.disp);
  return s + '[' + inner + ']';
}

function formatAddress16(a: Address16, segment: number, sizeName: number, att: boolean): string {
  const absolute = a.base === '';
  if (att) {
    // objdump prints a bare 16-bit address signed in AT&T syntax.
    let s = segment >= 0 ? `%${SEG_NAMES[segment]}:` : '';
    if (a.hasDisp) s += signedHex(a.disp);
    if (!absolute) s += `(%${a.base}${a.index ? ',%' + a.index : ''})`;
    return s;
  }
  const s = sizeName > 0 ? `${INTEL_SIZE_NAMES[sizeName]} PTR ` : '';
  if (absolute) return s + `${SEG_NAMES[segment >= 0 ? segment : SEG_DS]}:${hex(a.disp & 0xffff)}`;
  let inner = a.base + (a.index ? '+' + a.index : '');
  if (a.hasDisp) inner += a.disp < 0 ? signedHex(a.disp) : '+' + signedHex(a.disp);
  return s + (segment >= 0 ? `${SEG_NAMES[segment]}:` : '') + '[' + inner + ']';
}

/** The instruction's own text, without prefix words. */
interface Rendered {
  mnemonic: string;
  operands: string[];
}

function isMem(o: DecodedOperand | undefined): o is MemOperand {
  return o !== undefined && o.kind === 'mem';
}

function renderOperand(o: DecodedOperand, spec: string, ctx: FormatContext, memSize: number): string {
  const att = ctx.syntax === 'att';
  const pct = att ? '%' : '';
  switch (o.kind) {
    case 'reg':
      return pct + regName(o.reg, o.size);
    case 'sreg':
      return pct + SEG_NAMES[o.sreg];
    case 'imm':
      return (att ? '$' : '') + hex(o.value);
    case 'rel':
      return hex(ctx.insn.operandSize === 2 && spec === 'Jz' ? o.target & 0xffff : o.target);
    case 'mem': {
      const c = spec[0];
      const kind = c === 'O' ? 'moffs' : c === 'X' ? 'string-src' : c === 'Y' ? 'string-dst' : 'modrm';
      return formatMemory(o, ctx, memSize, kind);
    }
  }
}

/**
 * Renders mnemonic and operands (objdump order for the syntax) of a decoded instruction, or
 * null when the table leaves its operands opaque. `used` collects which prefixes it consumed.
 */
function render(insn: DecodedInstruction, ctx: FormatContext, used: PrefixUse): Rendered | null {
  const e = insn.entry;
  if (e === null) return null;
  if (e.status === 'unsupported' && OPAQUE_MNEMONICS.has(e.mnemonic)) return null;
  const att = ctx.syntax === 'att';
  const pct = att ? '%' : '';
  const op = e.op;
  const opSize = insn.operandSize;
  const specs = e.operands.filter((s) => s !== 'Ap'); // far pointers are read from the bytes
  const mod = insn.modrm >> 6;
  let mnemonic = e.mnemonic === 'sal' ? 'shl' : e.mnemonic; // objdump spells group-2 /6 as shl
  let ops = insn.operands;
  if (ctx.addr16 !== null) {
    // The decoder leaves a 16-bit ModRM memory operand out of the list: put a stand-in there.
    const at = specs.findIndex((s) => s[0] === 'E' || s[0] === 'M');
    if (at >= 0 && ops.length === specs.length - 1) {
      const stand: MemOperand = { kind: 'mem', size: specMemorySize(specs[at], opSize), base: -1, index: -1, scale: 1, disp: 0, segment: insn.segment, defaultSegment: SEG_DS };
      ops = [...ops.slice(0, at), stand, ...ops.slice(at)];
    }
  }
  if (ops.length !== specs.length) return null;
  if (insn.addressSize === 2 && (op === 'jecxz' || op === 'loop' || op === 'loope' || op === 'loopne')) {
    // The counter is cx: objdump says jcxz, and loopw/loopew/loopnew in AT&T only.
    if (op === 'jecxz') mnemonic = 'jcxz';
    else if (att) mnemonic += 'w';
    used.address = op === 'jecxz' || att;
  }
  const regField = (insn.modrm >> 3) & 7;
  if (op === 'nop' && specs.length > 0) mnemonic = hintNopName(insn, regField, mod);
  const isPrefetch = mnemonic.startsWith('prefetch');

  // Does 0x66 change this instruction? (objdump prints an unused 0x66 as "data16".)
  used.opsize =
    !isPrefetch &&
    !((op === 'mov_from_seg' || op === 'mov_to_seg') && mod !== 3) &&
    specs.some((s) => s.endsWith('v') || s.endsWith('z') || s === 'Ibs' || s === 'Mp' || s === 'Ma' || s === 'eAX' || s === 'Sw' || (s === 'Zd' && op === 'bswap'));

  // Memory operand size as Intel's "PTR" shows it (and AT&T's suffix letter).
  const memSizes = specs.map((s, i) => {
    const o = ops[i];
    if (!isMem(o)) return 0;
    if (s[0] === 'O' || op === 'lea') return 0;
    if (op === 'mov_from_seg' || op === 'mov_to_seg' || (e.mnemonic === 'lar' || e.mnemonic === 'lsl')) return 2;
    if (isPrefetch) return 1;
    if (s === 'Ma') return opSize * 2;
    return o.size;
  });

  const operandText: string[] = [];
  for (let i = 0; i < specs.length; i++) {
    const s = specs[i];
    const o = ops[i];
    if (s === '1') {
      // Shift by one: AT&T leaves the count implicit, Intel writes a plain 1.
      if (!att) operandText.push('1');
      continue;
    }
    if (isMem(o) && s[0] !== 'Y') used.segment = true;
    if (isMem(o) && s[0] !== 'O') used.address = true; // objdump leaves 0x67 unused on moffs
    let text = renderOperand(o, s, ctx, memSizes[i]);
    if (o.kind === 'reg' && s === 'Ew' && (op === 'mov_to_seg' || e.mnemonic === 'lar' || e.mnemonic === 'lsl')) text = pct + regName(o.reg, opSize);
    if (o.kind === 'reg' && op === 'bswap') text = pct + regName(o.reg, opSize);
    if (s === 'DX' && att) text = '(%dx)';
    operandText.push(text);
  }

  const hasMemE = specs.some((s, i) => (s[0] === 'E' || s[0] === 'M') && isMem(ops[i]));
  const hasSizingReg = specs.some((s, i) => {
    const o = ops[i];
    return (o.kind === 'reg' || o.kind === 'sreg') && s !== 'CL';
  });
  const memSize = memSizes.find((x) => x > 0) ?? 0;
  // AT&T names the size when no register operand does (addl $1,(%eax); incb (%eax)).
  let suffix = att && hasMemE && !hasSizingReg && !isPrefetch ? (ATT_SUFFIX[memSize] ?? '') : '';
  let reverse = att; // AT&T lists the source first
  const w = opSize === 2 ? 'w' : '';

  switch (op) {
    case 'movzx':
    case 'movsx': {
      const src = ops[1];
      const srcSize = src.kind === 'reg' ? src.size : specs[1] === 'Eb' ? 1 : 2;
      if (att) mnemonic = (op === 'movzx' ? 'movz' : 'movs') + ATT_SUFFIX[srcSize] + ATT_SUFFIX[opSize];
      break;
    }
    case 'cwde':
      mnemonic = att ? (w ? 'cbtw' : 'cwtl') : w ? 'cbw' : 'cwde';
      used.opsize = true;
      break;
    case 'cdq':
      mnemonic = att ? (w ? 'cwtd' : 'cltd') : w ? 'cwd' : 'cdq';
      used.opsize = true;
      break;
    case 'nop':
      if (specs.length === 0) {
        // 90 is xchg %eax,%eax: objdump says nop, xchg %ax,%ax with 0x66, pause with F3.
        if (insn.rep === 'rep') {
          used.rep = true;
          return { mnemonic: 'pause', operands: [] };
        }
        if (w) {
          used.opsize = true;
          return { mnemonic: 'xchg', operands: [pct + 'ax', pct + 'ax'] };
        }
      } else if (mnemonic === 'endbr32' || mnemonic === 'endbr64') {
        used.rep = true;
        return { mnemonic, operands: [] };
      }
      break;
    case 'push':
    case 'pop':
    case 'push_seg':
    case 'pop_seg':
      mnemonic = op.startsWith('push') ? 'push' : 'pop';
      suffix = '';
      if (specs[0] === 'Iz' || specs[0] === 'Ibs' || op.endsWith('_seg') || (att && specs[0] === 'Ev' && hasMemE)) suffix = w;
      used.opsize = true;
      break;
    case 'call_indirect':
    case 'jmp_indirect':
      suffix = att && hasMemE ? w : '';
      if (att) operandText[0] = '*' + operandText[0];
      break;
    case 'call':
    case 'jmp':
      if (specs[0] === 'Jz') suffix = w;
      used.opsize = specs[0] === 'Jz';
      break;
    case 'jcc':
      used.opsize = specs[0] === 'Jz';
      break;
    case 'ret':
    case 'enter':
    case 'leave':
    case 'pushf':
    case 'popf':
    case 'pusha':
    case 'popa':
      suffix = w;
      used.opsize = true;
      if (op === 'enter') reverse = false; // objdump keeps Intel order for enter
      break;
    case 'movs':
    case 'cmps':
      mnemonic = op;
      if (att) suffix = ATT_SUFFIX[memSize];
      break;
    case 'stos':
    case 'lods':
    case 'scas':
      mnemonic = op;
      break;
    case 'xlat':
      operandText.push(formatMemory(stringMem(insn, 3 /* ebx */), ctx, 1, 'xlat'));
      used.segment = true;
      used.address = true;
      break;
    case 'bsf':
    case 'bsr':
      // F3 0F BC/BD: objdump decodes tzcnt/lzcnt (this CPU, like an i686, executes bsf/bsr).
      if (insn.rep === 'rep') {
        used.rep = true;
        mnemonic = op === 'bsf' ? 'tzcnt' : 'lzcnt';
      }
      break;
    case 'setcc':
    case 'cmpxchg8b':
      suffix = '';
      break;
    case 'unsupported':
      return renderUnsupported(insn, ctx, used, operandText);
  }
  if (reverse) operandText.reverse();
  return { mnemonic: mnemonic + suffix, operands: operandText };
}

/** Names objdump gives the hint-NOP space 0F 0D / 0F 18–1F. */
function hintNopName(insn: DecodedInstruction, reg: number, mod: number): string {
  const second = insn.opcode & 0xff;
  if (second === 0x0d) return reg === 1 ? 'prefetchw' : reg === 2 ? 'prefetchwt1' : 'prefetch';
  if (second === 0x18 && mod !== 3 && reg < 4) return ['prefetchnta', 'prefetcht0', 'prefetcht1', 'prefetcht2'][reg];
  if (second === 0x1e && insn.rep === 'rep' && (insn.modrm === 0xfb || insn.modrm === 0xfa)) return insn.modrm === 0xfb ? 'endbr32' : 'endbr64';
  return 'nop';
}

function stringMem(insn: DecodedInstruction, base: number): MemOperand {
  return { kind: 'mem', size: 1, base, index: -1, scale: 1, disp: 0, segment: insn.segment, defaultSegment: SEG_DS };
}

/** Unsupported instructions whose operands the table does describe (in/out, les, lret, ...). */
function renderUnsupported(insn: DecodedInstruction, ctx: FormatContext, used: PrefixUse, operandText: string[]): Rendered | null {
  const e = insn.entry!;
  const att = ctx.syntax === 'att';
  const opSize = insn.operandSize;
  const w = opSize === 2 ? 'w' : '';
  const ops = insn.operands;
  const first = ops[0];
  switch (e.mnemonic) {
    case 'call far': // 9A
    case 'ljmp': {
      // EA, or FF /5
      if (e.operands[0] !== 'Ap') {
        // FF /5: indirect far jump through memory.
        const name = e.mnemonic === 'ljmp' ? 'jmp' : 'call';
        used.opsize = true;
        if (!isMem(first)) return null;
        if (att) return { mnemonic: 'l' + name + w, operands: ['*' + operandText[0]] };
        return { mnemonic: name, operands: [formatMemory(first, ctx, opSize + 2, 'modrm')] };
      }
      // Ap: offset (2 or 4 bytes) then a 16-bit selector, right after the opcode.
      const at = insn.prefixCount + 1;
      const b = ctx.bytes;
      const offset = opSize === 2 ? b[at] | (b[at + 1] << 8) : (b[at] | (b[at + 1] << 8) | (b[at + 2] << 16) | (b[at + 3] << 24)) >>> 0;
      const selector = b[at + opSize] | (b[at + opSize + 1] << 8);
      used.opsize = true;
      const name = e.mnemonic === 'ljmp' ? 'jmp' : 'call';
      if (att) return { mnemonic: 'l' + name + w, operands: ['$' + hex(selector), '$' + hex(offset)] };
      return { mnemonic: name, operands: [`${hex(selector)}:${hex(offset)}`] };
    }
    case 'lcall': // FF /3
      used.opsize = true;
      if (!isMem(first)) return null;
      if (att) return { mnemonic: 'lcall' + w, operands: ['*' + operandText[0]] };
      return { mnemonic: 'call', operands: [formatMemory(first, ctx, opSize + 2, 'modrm')] };
    case 'lret':
      used.opsize = true;
      return { mnemonic: (att ? 'lret' : 'retf') + w, operands: operandText };
    case 'iret':
      used.opsize = true;
      return { mnemonic: 'iret' + w, operands: [] };
    case 'insb':
    case 'ins':
    case 'outsb':
    case 'outs': {
      const name = e.mnemonic.startsWith('ins') ? 'ins' : 'outs';
      const size = e.mnemonic.endsWith('b') ? 1 : opSize;
      if (att) operandText.reverse();
      return { mnemonic: name + (att ? ATT_SUFFIX[size] : ''), operands: operandText };
    }
    case 'bound':
      // objdump keeps Intel operand order for bound in AT&T syntax.
      return { mnemonic: 'bound', operands: operandText };
    case 'popcnt':
      if (insn.rep === 'rep') used.rep = true;
      if (att) operandText.reverse();
      return { mnemonic: 'popcnt', operands: operandText };
    default:
      if (att) operandText.reverse();
      return { mnemonic: e.mnemonic, operands: operandText };
  }
}

/** Which prefix kinds the instruction itself consumed (the rest are printed as words). */
interface PrefixUse {
  opsize: boolean;
  segment: boolean;
  rep: boolean;
  address: boolean;
}

const SEGMENT_PREFIX_BYTES: Record<number, number> = { 0x26: 0, 0x2e: 1, 0x36: 2, 0x3e: 3, 0x64: 4, 0x65: 5 };

/** Formats one decoded instruction; `bytes` are its bytes (at least `insn.length` of them). */
export function formatInstruction(insn: DecodedInstruction, bytes: ArrayLike<number>, syntax: AsmSyntax = 'att'): string {
  const e = insn.entry;
  if (insn.status === 'invalid') return '(bad)';
  if (e === null) {
    // No table entry: VEX/EVEX-encoded (AVX) instructions, measured but not described.
    return `${insn.opcode === 0x62 ? 'evex' : insn.opcode === 0xc4 || insn.opcode === 0xc5 ? 'vex' : '(unknown)'} (not emulated)`;
  }
  const att = syntax === 'att';
  const op = e.op;

  // The last prefix of each kind is the one the CPU acts on; objdump names every other one.
  let lastOpsize = -1;
  let lastSegment = -1;
  let lastF2 = -1;
  let lastF3 = -1;
  let lastAddr = -1;
  for (let i = 0; i < insn.prefixCount; i++) {
    const b = bytes[i];
    if (b === 0x66) lastOpsize = i;
    else if (b === 0x67) lastAddr = i;
    else if (b === 0xf2) lastF2 = i;
    else if (b === 0xf3) lastF3 = i;
    else if (b in SEGMENT_PREFIX_BYTES) lastSegment = i;
  }
  let mnemonicSuffix = '';
  let hasCs = false;
  let hasDs = false;
  for (let i = 0; i < insn.prefixCount; i++) {
    if (bytes[i] === 0x2e) hasCs = true;
    if (bytes[i] === 0x3e) hasDs = true;
  }
  // Any 3E on an indirect call/jmp makes it CET's "notrack" in objdump's eyes: the last segment
  // prefix is then named notrack and no segment is shown on the operand.
  const notrack = (op === 'call_indirect' || op === 'jmp_indirect') && hasDs;
  // AT&T branch hints: exactly one of 2E/3E anywhere gives ",pn"/",pt", and objdump then drops
  // the last segment prefix, whichever it is.
  const hint = att && HINTABLE_BRANCHES.has(op) && hasCs !== hasDs ? (hasCs ? SEG_CS : SEG_DS) : -1;
  if (hint >= 0) mnemonicSuffix = hasCs ? ',pn' : ',pt';

  const used: PrefixUse = { opsize: false, segment: false, rep: false, address: false };
  const addr16 = insn.addressSize === 2 && insn.modrm >= 0 && insn.modrm >> 6 !== 3 ? address16(insn, bytes) : null;
  const ctx: FormatContext = { syntax, insn, bytes, segment: notrack ? -1 : insn.segment, addr16 };
  const rendered = render(insn, ctx, used);
  if (rendered === null) return `${e.mnemonic} (not emulated)`;
  const mnemonic = rendered.mnemonic + mnemonicSuffix;

  const stringRep = e.stringRep ?? (/^(ins|outs)b?$/.test(e.mnemonic) ? 'rep' : null);
  const isBranch = op === 'jcc' || op === 'jmp' || op === 'call' || op === 'ret' || op === 'call_indirect' || op === 'jmp_indirect';
  // Hardware lock elision names for F2/F3: on locked read-modify-writes and xchg with memory,
  // and (F3 only) on plain stores by mov.
  const first = e.operands[0];
  const memoryDestination = first !== undefined && (first[0] === 'E' || first[0] === 'M') && insn.modrm >= 0 && insn.modrm >> 6 !== 3;
  let hle: { f2: string; f3: string } | null = null;
  if (memoryDestination && ((e.lockable && insn.lock) || op === 'xchg')) hle = { f2: 'xacquire', f3: 'xrelease' };
  else if (memoryDestination && op === 'mov' && (insn.opcode === 0x88 || insn.opcode === 0x89 || insn.opcode === 0xc6 || insn.opcode === 0xc7)) {
    hle = { f2: 'repnz', f3: 'xrelease' };
  }
  const words: string[] = [];
  for (let i = 0; i < insn.prefixCount; i++) {
    const b = bytes[i];
    if (b === 0xf0) words.push('lock');
    else if (b === 0x66) {
      if (!(i === lastOpsize && used.opsize)) words.push('data16');
    } else if (b === 0x67) {
      if (!(i === lastAddr && used.address)) words.push('addr16');
    } else if (b === 0xf2) {
      // objdump renames only the last F2 and the last F3; others keep their generic names.
      if (i === lastF2 && hle !== null) words.push(hle.f2);
      else if (i === lastF2 && isBranch) words.push('bnd');
      else words.push('repnz');
    } else if (b === 0xf3) {
      if (i === lastF3 && used.rep) continue;
      if (i === lastF3 && hle !== null) words.push(hle.f3);
      else if (i === lastF3 && stringRep === 'rep') words.push('rep');
      else words.push('repz');
    } else if (b in SEGMENT_PREFIX_BYTES) {
      const seg = SEGMENT_PREFIX_BYTES[b];
      if (i === lastSegment) {
        if (hint >= 0) continue;
        if (notrack) {
          words.push('notrack');
          continue;
        }
        if (used.segment) continue;
      }
      words.push(SEG_NAMES[seg]);
    }
  }

  const head = words.length > 0 ? words.join(' ') + ' ' + mnemonic : mnemonic;
  if (rendered.operands.length === 0) return head;
  return head.padEnd(6) + ' ' + rendered.operands.join(',');
}

/** Hex bytes separated by spaces, as in objdump's listing. */
export function formatBytes(bytes: ArrayLike<number>, length = bytes.length): string {
  const parts: string[] = [];
  for (let i = 0; i < length; i++) parts.push(bytes[i].toString(16).padStart(2, '0'));
  return parts.join(' ');
}

/**
 * Disassembles `count` consecutive instructions starting at `address`, reading bytes through
 * `fetch` (which may throw for unreadable memory; such a spot becomes one 'unreadable' line of
 * length 1 and the listing continues after it).
 */
export function disassemble(fetch: (address: number) => number, address: number, count: number, syntax: AsmSyntax = 'att'): DisassembledInstruction[] {
  const out: DisassembledInstruction[] = [];
  let at = address >>> 0;
  for (let n = 0; n < count; n++) {
    const read: number[] = [];
    let fetchError: unknown = null;
    const recordingFetch = (a: number): number => {
      let v: number;
      try {
        v = fetch(a) & 0xff;
      } catch (err) {
        fetchError = err;
        throw err;
      }
      read[(a - at) >>> 0] = v;
      return v;
    };
    let line: DisassembledInstruction;
    try {
      const insn = decodeInstruction(recordingFetch, at);
      const length = Math.max(1, insn.length);
      line = { address: at, length, bytes: formatBytes(read, insn.length), text: formatInstruction(insn, read, syntax), status: insn.status };
    } catch (err) {
      if (err !== fetchError) throw err; // a bug here, not unreadable memory
      line = {
        address: at,
        length: 1,
        bytes: formatBytes(read, read.length),
        text: `(unreadable memory at ${hex((at + read.length) >>> 0)})`,
        status: 'unreadable',
      };
    }
    out.push(line);
    at = (at + line.length) >>> 0;
  }
  return out;
}

/** One listing line laid out like objdump's: "<address>:\t<bytes>\t<text>". */
export function formatListingLine(line: DisassembledInstruction): string {
  return `${line.address.toString(16).padStart(8, ' ')}:\t${line.bytes.padEnd(20)}\t${line.text}`;
}

/**
 * The address `count` instructions before `address`, for listings that scroll backwards. x86
 * cannot be decoded backwards, so this decodes forward from several earlier start points and
 * keeps the one (farthest back, so most self-synchronized) whose instruction boundaries land
 * exactly on `address`. Best effort: returns `address - count` if nothing lines up.
 */
export function addressBefore(fetch: (address: number) => number, address: number, count: number): number {
  if (count <= 0) return address >>> 0;
  const target = address >>> 0;
  const window = count * 15 + 32;
  for (let back = window; back >= count; back--) {
    const start = (target - back) >>> 0;
    if (start > target) continue; // wrapped below 0
    const boundaries: number[] = [];
    let at = start;
    try {
      while (at < target) {
        boundaries.push(at);
        at += Math.max(1, decodeInstruction(fetch, at).length);
      }
    } catch {
      continue; // unreadable from this start
    }
    if (at === target && boundaries.length >= count) return boundaries[boundaries.length - count];
  }
  return (target - count) >>> 0;
}
