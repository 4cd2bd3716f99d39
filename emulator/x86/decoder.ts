// IA-32 instruction decoder (32-bit protected mode), driven by table.ts.
//
// decodeInstruction(fetch, address) reads bytes through `fetch(address)` (which returns 0..255
// or throws, e.g. a MemoryFault — fetch errors propagate unchanged; nothing else is ever
// thrown) and returns a DecodedInstruction:
//
//   status      'ok'          — a complete instruction; every field below is filled in.
//               'invalid'     — the bytes are #UD (undefined opcode, mod==3 where memory is required,
//                               more than 15 bytes). `length` is how far decoding got.
//               'unsupported' — a real instruction outside the emulator's scope (x87, MMX, SSE,
//                               system, I/O, far transfers, memory accesses with 16-bit addressing
//                               via 0x67 — lea is 'ok' —, 16-bit branch targets via 0x66). `length` is its true length when known;
//                               `entry` names it when the table does.
//   reason      human-readable text for non-ok results ('' when ok).
//   address     where the instruction starts; length = number of bytes (1..15).
//   entry       the table entry (null only when no entry applies).
//   opcode      primary opcode byte; two-byte opcodes are 0x0F00 | second byte.
//   modrm, sib  raw bytes, or -1 when absent.
//   operandSize 2 or 4: the size of 'v'/'z' operands (4 unless 0x66).
//   addressSize 2 or 4 (2 with 0x67; such instructions are 'unsupported' if they address memory).
//   lock, rep ('rep' = F3, 'repne' = F2, or null; the last of F2/F3 wins), segment (override
//               0..5 = ES CS SS DS FS GS, or -1), opsizePrefix / addrsizePrefix (prefix bytes
//               present), prefixCount.
//   lockInvalid true when a LOCK prefix is present but not allowed (the CPU raises #UD).
//   operands    DecodedOperand[] in Intel order (destination first), one per table operand:
//                 reg  — general register `reg` 0..7 of `size` bytes; for size 1, 4..7 are AH CH DH BH.
//                 sreg — segment register 0..5.
//                 mem  — [base + index*scale + disp] of `size` bytes (0 for lea/nop 'M');
//                        base/index = register 0..7 or -1; `segment` = override or -1;
//                        `defaultSegment` = SS for EBP/ESP bases, else DS (ES for string dest).
//                 imm  — `value` is the unsigned value at `size` bytes after any sign extension
//                        (e.g. 83 /0 FF with operandSize 4 → size 4, value 0xffffffff).
//                 rel  — `target` is the absolute unsigned branch target.
//   immediate   value of the first imm operand (0 if none); target = rel target (0 if none).
//   cond        condition code from the entry (-1 if none).
//
// The decoder allocates; callers that decode hot code should cache results (the CPU does).

import { AVX_ENTRY, ONE_BYTE, TWO_BYTE, isEntry, OpcodeEntry, OperandSpec, TableSlot } from './table';

export type DecodeStatus = 'ok' | 'invalid' | 'unsupported';

export interface RegOperand {
  readonly kind: 'reg';
  readonly reg: number;
  readonly size: 1 | 2 | 4;
}
export interface SegOperand {
  readonly kind: 'sreg';
  readonly sreg: number;
}
export interface MemOperand {
  readonly kind: 'mem';
  readonly size: number;
  readonly base: number;
  readonly index: number;
  readonly scale: 1 | 2 | 4 | 8;
  readonly disp: number;
  readonly segment: number;
  readonly defaultSegment: number;
}
export interface ImmOperand {
  readonly kind: 'imm';
  readonly value: number;
  readonly size: 1 | 2 | 4;
}
export interface RelOperand {
  readonly kind: 'rel';
  readonly target: number;
}
export type DecodedOperand = RegOperand | SegOperand | MemOperand | ImmOperand | RelOperand;

export interface DecodedInstruction {
  status: DecodeStatus;
  reason: string;
  address: number;
  length: number;
  entry: OpcodeEntry | null;
  opcode: number;
  modrm: number;
  sib: number;
  operandSize: 2 | 4;
  addressSize: 2 | 4;
  lock: boolean;
  lockInvalid: boolean;
  rep: 'rep' | 'repne' | null;
  segment: number;
  opsizePrefix: boolean;
  addrsizePrefix: boolean;
  prefixCount: number;
  operands: DecodedOperand[];
  immediate: number;
  target: number;
  cond: number;
}

export const MAX_INSTRUCTION_LENGTH = 15;

const SEG_ES = 0;
const SEG_SS = 2;
const SEG_DS = 3;
const REG_ESP = 4;
const REG_EBP = 5;
const REG_ESI = 6;
const REG_EDI = 7;

/** Internal: thrown when the instruction runs past 15 bytes; caught in decodeInstruction. */
class TooLong {}
const TOO_LONG = new TooLong();

class ByteReader {
  pos = 0;
  constructor(
    readonly fetch: (address: number) => number,
    readonly address: number,
  ) {}
  u8(): number {
    if (this.pos >= MAX_INSTRUCTION_LENGTH) throw TOO_LONG;
    const b = this.fetch((this.address + this.pos) >>> 0) & 0xff;
    this.pos++;
    return b;
  }
  /** True when the next byte (not consumed) has ModRM.mod == 3 — a VEX/EVEX prefix after C4/C5/62. */
  peekModIsRegister(): boolean {
    if (this.pos >= MAX_INSTRUCTION_LENGTH) return false;
    return this.fetch((this.address + this.pos) >>> 0) >> 6 === 3;
  }
  u16(): number {
    const lo = this.u8();
    return lo | (this.u8() << 8);
  }
  u32(): number {
    const lo = this.u16();
    return (lo | (this.u16() << 16)) >>> 0;
  }
}

function blank(address: number): DecodedInstruction {
  return {
    status: 'ok',
    reason: '',
    address: address >>> 0,
    length: 0,
    entry: null,
    opcode: -1,
    modrm: -1,
    sib: -1,
    operandSize: 4,
    addressSize: 4,
    lock: false,
    lockInvalid: false,
    rep: null,
    segment: -1,
    opsizePrefix: false,
    addrsizePrefix: false,
    prefixCount: 0,
    operands: [],
    immediate: 0,
    target: 0,
    cond: -1,
  };
}

const MODRM_SPECS: ReadonlySet<string> = new Set(['Eb', 'Ew', 'Ed', 'Ev', 'Ex', 'Gb', 'Gw', 'Gd', 'Gv', 'Gx', 'M', 'Mq', 'Mp', 'Ma', 'Sw']);

function needsModrm(operands: readonly OperandSpec[]): boolean {
  for (const o of operands) if (MODRM_SPECS.has(o)) return true;
  return false;
}

const FIXED_BYTE_REGS: Record<string, number> = { AL: 0, CL: 1, DL: 2, BL: 3, AH: 4, CH: 5, DH: 6, BH: 7 };
const FIXED_V_REGS: Record<string, number> = { eAX: 0, eCX: 1, eDX: 2, eBX: 3, eSP: 4, eBP: 5, eSI: 6, eDI: 7 };
const FIXED_SEGS: Record<string, number> = { ES: 0, CS: 1, SS: 2, DS: 3, FS: 4, GS: 5 };

function sizeOf(letter: string, operandSize: 2 | 4): number {
  switch (letter) {
    case 'b':
      return 1;
    case 'w':
      return 2;
    case 'd':
      return 4;
    case 'q':
      return 8;
    case 'p':
      return operandSize + 2;
    case 'a':
      return operandSize * 2;
    case 'x':
    case '':
      return 0;
    default:
      return operandSize; // v, z
  }
}

/** Decodes one instruction; see the header comment for the result. */
export function decodeInstruction(fetch: (address: number) => number, address: number): DecodedInstruction {
  const d = blank(address);
  const rd = new ByteReader(fetch, address >>> 0);
  try {
    decodeInto(d, rd);
  } catch (e) {
    if (e !== TOO_LONG) throw e;
    d.status = 'invalid';
    d.reason = 'instruction longer than 15 bytes';
    d.operands = [];
  }
  d.length = rd.pos;
  return d;
}

function decodeInto(d: DecodedInstruction, rd: ByteReader): void {
  // Prefixes.
  let b: number;
  let slot: TableSlot | null;
  for (;;) {
    b = rd.u8();
    slot = ONE_BYTE[b];
    if (slot === null || isEntry(slot) || slot.kind !== 'prefix') break;
    d.prefixCount++;
    switch (slot.prefix) {
      case 'lock':
        d.lock = true;
        break;
      case 'rep':
        d.rep = 'rep';
        break;
      case 'repne':
        d.rep = 'repne';
        break;
      case 'opsize':
        d.opsizePrefix = true;
        d.operandSize = 2;
        break;
      case 'addrsize':
        d.addrsizePrefix = true;
        d.addressSize = 2;
        break;
      case 'segment':
        d.segment = slot.segment;
        break;
    }
  }
  d.opcode = b;
  if ((b === 0xc4 || b === 0xc5 || b === 0x62) && rd.peekModIsRegister()) {
    decodeVex(d, rd, b);
    return;
  }
  if (slot !== null && !isEntry(slot) && slot.kind === 'escape') {
    b = rd.u8();
    d.opcode = 0x0f00 | b;
    slot = TWO_BYTE[b];
    if (b === 0x38 || b === 0x3a) rd.u8(); // third opcode byte of the three-byte maps
  }
  if (slot === null) {
    d.status = 'invalid';
    d.reason = 'undefined opcode';
    return;
  }

  // Entry (ModRM.reg selects a group member).
  let e: OpcodeEntry;
  if (isEntry(slot)) {
    e = slot;
    if (needsModrm(e.operands)) d.modrm = rd.u8();
  } else if (slot.kind === 'group') {
    d.modrm = rd.u8();
    const reg = (d.modrm >> 3) & 7;
    e = (d.modrm >> 6 === 3 && slot.registerEntries !== null ? slot.registerEntries : slot.entries)[reg];
  } else {
    d.status = 'invalid';
    d.reason = 'undefined opcode';
    return;
  }
  d.entry = e;
  d.cond = e.cond;
  if (e.status === 'invalid' && !needsModrm(e.operands) && d.modrm < 0 && d.opcode !== 0x0fb9) {
    d.status = 'invalid';
    d.reason = 'undefined opcode';
    return;
  }

  const opSize = d.operandSize;
  const mod = d.modrm >> 6;
  const regField = (d.modrm >> 3) & 7;
  const rmField = d.modrm & 7;
  let memoryUsed = false;
  let unsupportedReason = '';

  // ModRM memory operand (decoded once, shared by whichever operand is E/M).
  let mem: MemOperand | null = null;
  // mov to/from control and debug registers ignore ModRM.mod: always register operands.
  const registerOnly = d.opcode >= 0x0f20 && d.opcode <= 0x0f23;
  if (d.modrm >= 0 && mod !== 3 && !registerOnly) {
    memoryUsed = true;
    if (d.addressSize === 2) {
      // 16-bit addressing. Only lea (pure arithmetic) is executed; anything that would access
      // memory through it is refused. base/index name the 32-bit registers whose low halves
      // take part; the address is the 16-bit sum.
      const pairs = [[3, 6], [3, 7], [5, 6], [5, 7], [6, -1], [7, -1], [5, -1], [3, -1]];
      let [base, index] = pairs[rmField];
      let disp = 0;
      if (mod === 0 && rmField === 6) {
        base = -1;
        disp = rd.u16();
      } else if (mod === 1) disp = (rd.u8() << 24) >> 24;
      else if (mod === 2) disp = (rd.u16() << 16) >> 16;
      mem = { kind: 'mem', size: 0, base, index, scale: 1, disp, segment: d.segment, defaultSegment: base === 5 ? SEG_SS : SEG_DS };
      if (e.op !== 'lea') unsupportedReason = '16-bit addressing (0x67 prefix) is not supported';
    } else {
      let base = rmField;
      let index = -1;
      let scale: 1 | 2 | 4 | 8 = 1;
      if (rmField === 4) {
        d.sib = rd.u8();
        scale = (1 << (d.sib >> 6)) as 1 | 2 | 4 | 8;
        index = (d.sib >> 3) & 7;
        if (index === 4) index = -1;
        base = d.sib & 7;
        if (base === 5 && mod === 0) base = -1;
      } else if (rmField === 5 && mod === 0) {
        base = -1;
      }
      let disp = 0;
      if (mod === 1) disp = (rd.u8() << 24) >> 24;
      else if (mod === 2 || base === -1) disp = rd.u32() | 0;
      if (index === -1) scale = 1;
      mem = {
        kind: 'mem',
        size: 0,
        base,
        index,
        scale,
        disp,
        segment: d.segment,
        defaultSegment: base === REG_ESP || base === REG_EBP ? SEG_SS : SEG_DS,
      };
    }
  }

  // 0F B8 is popcnt only under F3; without it the CPU raises #UD (jmpe exists only on Itanium).
  if (d.opcode === 0x0fb8 && d.rep !== 'rep') {
    d.status = 'invalid';
    d.reason = 'undefined opcode (0F B8 without F3)';
    return;
  }
  if (e.memoryOnly && d.modrm >= 0 && mod === 3) {
    d.status = 'invalid';
    d.reason = `${e.mnemonic} requires a memory operand`;
    return;
  }

  // Operands, immediates and branch targets, in table order (immediates follow ModRM/disp).
  const ops: DecodedOperand[] = [];
  let firstImm = true;
  for (const spec of e.operands) {
    if (spec in FIXED_SEGS) {
      ops.push({ kind: 'sreg', sreg: FIXED_SEGS[spec] });
      continue;
    }
    const c = spec[0];
    const letter = spec.slice(1);
    if (c === 'E' || c === 'M') {
      const size = spec === 'M' ? 0 : sizeOf(letter, opSize);
      if (mod === 3) ops.push({ kind: 'reg', reg: rmField, size: (size === 0 ? opSize : size) as 1 | 2 | 4 });
      else if (mem !== null) ops.push({ ...mem, size });
      continue;
    }
    if (c === 'G') {
      ops.push({ kind: 'reg', reg: regField, size: (sizeOf(letter, opSize) || opSize) as 1 | 2 | 4 });
      continue;
    }
    if (spec === 'Sw') {
      ops.push({ kind: 'sreg', sreg: regField });
      continue;
    }
    if (c === 'I') {
      let value: number;
      let size: 1 | 2 | 4;
      if (spec === 'Ib') {
        value = rd.u8();
        size = 1;
      } else if (spec === 'Iw') {
        value = rd.u16();
        size = 2;
      } else if (spec === 'Ibs') {
        const v = (rd.u8() << 24) >> 24;
        size = opSize;
        value = opSize === 2 ? v & 0xffff : v >>> 0;
      } else {
        size = opSize;
        value = opSize === 2 ? rd.u16() : rd.u32();
      }
      if (firstImm) {
        d.immediate = value;
        firstImm = false;
      }
      ops.push({ kind: 'imm', value, size });
      continue;
    }
    if (c === 'J') {
      let rel: number;
      if (spec === 'Jb') rel = (rd.u8() << 24) >> 24;
      else if (opSize === 2) {
        rel = (rd.u16() << 16) >> 16;
        unsupportedReason = '16-bit branch target (0x66 prefix) is not supported';
      } else rel = rd.u32() | 0;
      // The target is relative to the end of the instruction, which is here (J is always last).
      d.target = (d.address + rd.pos + rel) >>> 0;
      ops.push({ kind: 'rel', target: d.target });
      continue;
    }
    if (c === 'O') {
      memoryUsed = true;
      let disp: number;
      if (d.addressSize === 2) {
        disp = rd.u16();
        unsupportedReason = '16-bit addressing (0x67 prefix) is not supported';
      } else disp = rd.u32() | 0;
      ops.push({ kind: 'mem', size: sizeOf(letter, opSize), base: -1, index: -1, scale: 1, disp, segment: d.segment, defaultSegment: SEG_DS });
      continue;
    }
    if (c === 'X' || c === 'Y') {
      memoryUsed = true;
      if (d.addressSize === 2) unsupportedReason = '16-bit addressing (0x67 prefix) is not supported';
      const isDest = c === 'Y';
      ops.push({
        kind: 'mem',
        size: sizeOf(letter, opSize),
        base: isDest ? REG_EDI : REG_ESI,
        index: -1,
        scale: 1,
        disp: 0,
        // ES:[EDI] cannot be overridden; DS:[ESI] can.
        segment: isDest ? -1 : d.segment,
        defaultSegment: isDest ? SEG_ES : SEG_DS,
      });
      continue;
    }
    if (c === 'Z') {
      ops.push({ kind: 'reg', reg: d.opcode & 7, size: (spec === 'Zb' ? 1 : spec === 'Zd' ? 4 : opSize) as 1 | 2 | 4 });
      continue;
    }
    if (spec in FIXED_BYTE_REGS) {
      ops.push({ kind: 'reg', reg: FIXED_BYTE_REGS[spec], size: 1 });
      continue;
    }
    if (spec in FIXED_V_REGS) {
      ops.push({ kind: 'reg', reg: FIXED_V_REGS[spec], size: opSize });
      continue;
    }
    if (spec === 'AX' || spec === 'DX') {
      ops.push({ kind: 'reg', reg: spec === 'AX' ? 0 : 2, size: 2 });
      continue;
    }
    if (spec === '1') {
      ops.push({ kind: 'imm', value: 1, size: 1 });
      continue;
    }
    if (spec === 'Ap') {
      if (opSize === 2) rd.u16();
      else rd.u32();
      rd.u16();
      continue;
    }
    // 'Ex' / 'Gx' placeholders: the ModRM (and displacement) were consumed above.
  }
  d.operands = ops;
  // SSE4a extrq/insertq (66/F2 0F 78) carry two immediate bytes.
  if (d.opcode === 0x0f78 && (d.opsizePrefix || d.rep === 'repne')) {
    rd.u8();
    rd.u8();
  }

  // Instructions with an implicit 16-bit address under 0x67.
  if (d.addressSize === 2 && (e.op === 'loop' || e.op === 'loope' || e.op === 'loopne' || e.op === 'jecxz' || e.op === 'xlat')) {
    unsupportedReason = '16-bit addressing (0x67 prefix) is not supported';
  }
  if (opSize === 2 && (e.op === 'call' || e.op === 'ret' || e.op === 'call_indirect' || e.op === 'jmp_indirect')) {
    unsupportedReason = `16-bit operand size (0x66 prefix) with ${e.mnemonic} is not supported`;
  }

  if ((e.op === 'mov_to_seg' && (regField === 1 || regField > 5)) || (e.op === 'mov_from_seg' && regField > 5)) {
    d.status = 'invalid';
    d.reason = 'no such segment register';
    d.operands = [];
    return;
  }
  if (d.lock && (!e.lockable || !memoryUsed)) d.lockInvalid = true;

  if (e.status === 'invalid') {
    d.status = 'invalid';
    d.reason = 'undefined opcode';
    d.operands = [];
  } else if (e.status === 'unsupported') {
    d.status = 'unsupported';
    d.reason = `${e.mnemonic} is outside the emulated instruction set`;
  } else if (unsupportedReason !== '') {
    d.status = 'unsupported';
    d.reason = unsupportedReason;
  }
}

/** VEX (C4/C5) and EVEX (62) encoded AVX instructions: consumed for their length, unsupported. */
function decodeVex(d: DecodedInstruction, rd: ByteReader, first: number): void {
  let map = 1;
  if (first === 0xc5) rd.u8();
  else if (first === 0xc4) {
    map = rd.u8() & 0x1f;
    rd.u8();
  } else {
    map = rd.u8() & 3;
    rd.u8();
    rd.u8();
  }
  const opcode = rd.u8();
  const modrm = rd.u8();
  const mod = modrm >> 6;
  if (mod !== 3) {
    if ((modrm & 7) === 4) {
      const sib = rd.u8();
      if ((sib & 7) === 5 && mod === 0) rd.u32();
    } else if ((modrm & 7) === 5 && mod === 0) rd.u32();
    if (mod === 1) rd.u8();
    else if (mod === 2) rd.u32();
  }
  const imm8 = map === 3 || (map === 1 && ((opcode >= 0x70 && opcode <= 0x73) || opcode === 0xc2 || (opcode >= 0xc4 && opcode <= 0xc6)));
  if (imm8) rd.u8();
  d.entry = AVX_ENTRY;
  d.status = 'unsupported';
  d.reason = `${first === 0x62 ? 'EVEX' : 'VEX'}-encoded (AVX) instruction is outside the emulated instruction set`;
}

/** Register names for messages and tests (Intel spelling). */
export const REG32_NAMES = ['eax', 'ecx', 'edx', 'ebx', 'esp', 'ebp', 'esi', 'edi'] as const;
export const REG16_NAMES = ['ax', 'cx', 'dx', 'bx', 'sp', 'bp', 'si', 'di'] as const;
export const REG8_NAMES = ['al', 'cl', 'dl', 'bl', 'ah', 'ch', 'dh', 'bh'] as const;
export const SEG_NAMES = ['es', 'cs', 'ss', 'ds', 'fs', 'gs'] as const;
export { SEG_ES, SEG_SS, SEG_DS, REG_ESI, REG_EDI };
