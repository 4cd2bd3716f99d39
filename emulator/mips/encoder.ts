// MIPS32r2 (little-endian) encoder and assembler: what the translators use to emit host code.
// Every encoding comes from THE table (table.ts): a row's fixed bits plus its operands placed by
// operand kind, the inverse of the disassembler. Checked against GNU as in test/mips/encoder*.test.ts.
//
// Two levels:
//   encodeInstruction(mnemonic, operands, address) → one word (no labels); for patching code in
//       place, e.g. re-pointing a chained block's `j` (address is needed for branch/jump operands).
//   class MipsAssembler — a growing code buffer at a fixed origin with one typed emitter per
//       instruction (asm.addu(rd, rs, rt), asm.lw(rt, offset, base), asm.beq(rs, rt, target) ...),
//       labels with forward/backward fix-ups, li/la, explicit delay slots, and finish() giving
//       words/bytes, label addresses and relocations.
//
// Operand order is GNU as / objdump order (the table's). Operands of kind
//   mem → two values (offset, base)   c0reg → two (register, select)   breakCode → two (code, code2).
// Trailing code/sync-type/di-ei operands and the CP0 select may be left out (0). Registers are numbers 0..31 (see GPR).
// Branch and jump targets are absolute addresses or MipsLabel. Everything is range-checked and a
// bad operand raises MipsAssemblyError naming the instruction, operand and address.
//
// Delay slots are explicit: after a branch or jump the next emitted instruction IS its delay slot.
// The assembler refuses a branch in a delay slot, a label bound on a delay slot, and finish() with an
// unfilled delay slot. With { delaySlots: 'nop' } every branch/jump is followed by a nop instead.

import type { MipsInstruction } from './decoder';
import { MIPS_TABLE, MipsClass, type MipsInstructionSpec, type MipsOperandKind } from './table';

/** o32 register numbers. */
export const GPR = {
  zero: 0, at: 1, v0: 2, v1: 3, a0: 4, a1: 5, a2: 6, a3: 7,
  t0: 8, t1: 9, t2: 10, t3: 11, t4: 12, t5: 13, t6: 14, t7: 15,
  s0: 16, s1: 17, s2: 18, s3: 19, s4: 20, s5: 21, s6: 22, s7: 23,
  t8: 24, t9: 25, k0: 26, k1: 27, gp: 28, sp: 29, s8: 30, fp: 30, ra: 31,
} as const;

export type Gpr = number;

export class MipsAssemblyError extends Error {
  override readonly name = 'MipsAssemblyError';
}

/** A code position, bound once with MipsAssembler.bind(). */
export class MipsLabel {
  /** word index in its assembler, -1 while unbound */
  index = -1;
  constructor(readonly name: string, readonly owner: object) {}
}

export type MipsTarget = number | MipsLabel;
export type MipsOperandValue = number | MipsLabel;

export type MipsRelocationKind =
  | 'branch16' // PC-relative branch to an address outside this code: changes when the code moves
  | 'jump26' // j/jal target index (absolute, 256 MB region of the delay slot)
  | 'hi16' // upper half of an absolute address (lui of la)
  | 'lo16'; // lower half (ori of la)

export interface MipsRelocation {
  /** byte offset of the instruction from the origin */
  readonly offset: number;
  readonly kind: MipsRelocationKind;
  /** the absolute address the field refers to (at the origin the code was assembled for) */
  readonly target: number;
  /** label name when the target is a label of this code (then it moves with the code) */
  readonly label?: string;
}

export interface MipsAssembledCode {
  readonly origin: number;
  readonly words: Uint32Array;
  /** named labels → absolute address */
  readonly labels: ReadonlyMap<string, number>;
  /** every field that depends on where the code sits or on an absolute address */
  readonly relocations: readonly MipsRelocation[];
  /** byte offsets of the delay-slot instructions */
  readonly delaySlots: readonly number[];
}

export interface MipsAssemblerOptions {
  /** 'explicit' (default): the caller emits each delay-slot instruction; 'nop': a nop is added. */
  delaySlots?: 'explicit' | 'nop';
}

// ---- rows by name ---------------------------------------------------------------------------

const ENCODABLE = MIPS_TABLE.filter((s) => !(s.flags & MipsClass.CATCH_ALL));
const rowsByName = new Map<string, MipsInstructionSpec[]>();
for (const spec of ENCODABLE) {
  for (const name of [spec.mnemonic, ...spec.otherNames]) {
    const list = rowsByName.get(name) ?? [];
    list.push(spec);
    rowsByName.set(name, list);
  }
}

/** The table row called `mnemonic` whose op is `op` (e.g. 'move' as 'or'), or the first one. */
function row(mnemonic: string, op?: string, operandCount?: number): MipsInstructionSpec {
  const found = (rowsByName.get(mnemonic) ?? []).find(
    (s) => (op === undefined || s.op === op) && (operandCount === undefined || s.operands.length === operandCount),
  );
  if (!found) throw new Error(`MIPS table has no row ${mnemonic}${op ? ` (${op})` : ''}`);
  return found;
}

/** All table rows an encoder can produce (everything except the CATCH_ALL coprocessor groups). */
export function encodableRows(): readonly MipsInstructionSpec[] {
  return ENCODABLE;
}

// ---- operand encoding -----------------------------------------------------------------------

const OPTIONAL_KINDS: ReadonlySet<MipsOperandKind> = new Set(['rtOptional', 'code20', 'breakCode', 'trapCode', 'stype']);

/** How many values an operand kind takes. */
function arity(kind: MipsOperandKind): number {
  return kind === 'mem' || kind === 'c0reg' || kind === 'breakCode' ? 2 : 1;
}

const valueCounts = new Map<MipsInstructionSpec, { min: number; max: number }>();

/** Fewest and most values a row takes. */
export function operandValueCount(spec: MipsInstructionSpec): { min: number; max: number } {
  let counts = valueCounts.get(spec);
  if (counts === undefined) {
    let min = 0;
    let max = 0;
    for (const kind of spec.operands) {
      max += arity(kind);
      if (kind === 'c0reg') min = max - 1; // the select may be left out (0), as in GNU as
      else if (!OPTIONAL_KINDS.has(kind)) min = max;
    }
    counts = { min, max };
    valueCounts.set(spec, counts);
  }
  return counts;
}

function hex(v: number): string {
  return '0x' + (v >>> 0).toString(16);
}

/** Resolves a label operand to an absolute address, or undefined if it is not bound yet. */
type LabelResolver = (label: MipsLabel) => number | undefined;

class OperandError extends MipsAssemblyError {}

function describe(spec: MipsInstructionSpec, address: number): string {
  return `${spec.mnemonic} at ${hex(address)}`;
}

function checkInt(value: MipsOperandValue | undefined, lo: number, hi: number, what: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < lo || value > hi) {
    const shown = value instanceof MipsLabel ? `label '${value.name}'` : String(value);
    throw new OperandError(`${what} must be an integer in ${lo}..${hi}, got ${shown}`);
  }
  return value;
}

function reg(value: MipsOperandValue | undefined, what: string): number {
  return checkInt(value, 0, 31, `${what} register`);
}

/** Signed word offset of a branch at `address` to `target`; throws when out of reach. */
export function branchOffset(address: number, target: number): number {
  if ((target & 3) !== 0) throw new OperandError(`branch target ${hex(target)} is not word-aligned`);
  const delta = ((target - ((address + 4) >>> 0)) | 0) >> 2; // wraps like the hardware's 32-bit add
  if (delta < -0x8000 || delta > 0x7fff) {
    throw new OperandError(
      `branch target ${hex(target)} is out of range: ${delta} words from the delay slot, a branch reaches -32768..32767 words (±128 KiB)`,
    );
  }
  return delta & 0xffff;
}

/** The 26-bit index field of a j/jal at `address` to `target`; throws when outside its 256 MB region. */
export function jumpIndex(address: number, target: number): number {
  if ((target & 3) !== 0) throw new OperandError(`jump target ${hex(target)} is not word-aligned`);
  const region = ((address + 4) & 0xf0000000) >>> 0;
  if (((target & 0xf0000000) >>> 0) !== region) {
    throw new OperandError(
      `jump target ${hex(target)} is outside the 256 MB region ${hex(region)}..${hex(region + 0x0ffffffc)} of the delay slot; use jr`,
    );
  }
  return (target >>> 2) & 0x3ffffff;
}

interface Pending {
  kind: 'branch16' | 'jump26' | 'hi16' | 'lo16';
  label: MipsLabel;
}

/**
 * Encodes `values` for `spec` at `address`. Label operands resolve through `resolve`; an unbound
 * label leaves its field 0 and is reported in `pending` (for a later fix-up).
 */
function encodeRow(
  spec: MipsInstructionSpec,
  values: readonly MipsOperandValue[],
  address: number,
  resolve: LabelResolver | null,
  pending: Pending[] | null,
): number {
  const { min, max } = operandValueCount(spec);
  if (values.length < min || values.length > max) {
    const count = min === max ? `${min}` : `${min} to ${max}`;
    throw new MipsAssemblyError(`${describe(spec, address)}: takes ${count} operand values (${spec.operands.join(', ')}), got ${values.length}`);
  }
  let word = spec.match;
  let i = 0;
  try {
    for (const kind of spec.operands) {
      const v = values[i];
      const present = i < values.length;
      i += arity(kind);
      switch (kind) {
        case 'rs': word |= reg(v, 'rs') << 21; break;
        case 'rt': word |= reg(v, 'rt') << 16; break;
        case 'rd': word |= reg(v, 'rd') << 11; break;
        case 'rtOptional': if (present) word |= reg(v, 'rt') << 16; break;
        case 'sa': word |= checkInt(v, 0, 31, 'shift amount') << 6; break;
        case 'pos': word |= checkInt(v, 0, 31, 'bit position') << 6; break;
        case 'simm16': word |= checkInt(v, -0x8000, 0x7fff, 'signed immediate') & 0xffff; break;
        case 'uimm16': word |= checkInt(v, 0, 0xffff, 'unsigned immediate'); break;
        case 'mem':
          word |= checkInt(v, -0x8000, 0x7fff, 'offset') & 0xffff;
          word |= reg(values[i - 1], 'base') << 21;
          break;
        case 'branch':
        case 'jump': {
          let target: number | undefined;
          if (v instanceof MipsLabel) {
            target = resolve ? resolve(v) : undefined;
            if (target === undefined) {
              if (!pending) throw new OperandError(`label '${v.name}' cannot be used here`);
              pending.push({ kind: kind === 'branch' ? 'branch16' : 'jump26', label: v });
              break;
            }
          } else {
            target = checkInt(v, -0x80000000, 0xffffffff, 'target address') >>> 0;
          }
          word |= kind === 'branch' ? branchOffset(address, target) : jumpIndex(address, target);
          break;
        }
        case 'code20': {
          const limit = ((~spec.mask >>> 6) & 0xfffff) >>> 0; // wait's code is 19 bits
          if (present) word |= checkInt(v, 0, limit, 'code') << 6;
          break;
        }
        case 'breakCode':
          if (present) word |= checkInt(v, 0, 0x3ff, 'code') << 16;
          if (i - 1 < values.length) word |= checkInt(values[i - 1], 0, 0x3ff, 'second code') << 6;
          break;
        case 'trapCode': if (present) word |= checkInt(v, 0, 0x3ff, 'code') << 6; break;
        case 'stype': if (present) word |= checkInt(v, 0, 31, 'sync type') << 6; break;
        case 'c0reg':
          word |= reg(v, 'CP0') << 11;
          if (i - 1 < values.length) word |= checkInt(values[i - 1], 0, 7, 'CP0 select');
          break;
        case 'hwreg': word |= reg(v, 'hardware') << 11; break;
        case 'extSize': {
          const pos = (word >>> 6) & 31;
          const size = checkInt(v, 1, 32 - pos, `size (position ${pos})`);
          word |= (size - 1) << 11;
          break;
        }
        case 'insSize': {
          const pos = (word >>> 6) & 31;
          const size = checkInt(v, 1, 32 - pos, `size (position ${pos})`);
          word |= (pos + size - 1) << 11;
          break;
        }
        case 'cacheOp': word |= checkInt(v, 0, 31, 'cache operation') << 16; break;
        case 'fs': word |= reg(v, 'fs') << 11; break;
        case 'ft': word |= reg(v, 'ft') << 16; break;
        case 'fd': word |= reg(v, 'fd') << 6; break;
        case 'c1reg': word |= reg(v, 'FPU control') << 11; break;
      }
    }
  } catch (e) {
    if (e instanceof OperandError) throw new MipsAssemblyError(`${describe(spec, address)}: ${e.message}`);
    throw e;
  }
  // jalr with rd = rs cannot be restarted from its delay slot (UNPREDICTABLE); GNU as refuses it too.
  if (spec.op === 'jalr' && ((word >>> 11) & 31) === ((word >>> 21) & 31)) {
    throw new MipsAssemblyError(`${describe(spec, address)}: the link register must differ from the target register (${(word >>> 21) & 31})`);
  }
  // A linking conditional branch must not test ra, which it overwrites (UNPREDICTABLE); GNU as refuses it.
  if ((spec.flags & (MipsClass.BRANCH | MipsClass.LINK)) === (MipsClass.BRANCH | MipsClass.LINK) && ((word >>> 21) & 31) === 31) {
    throw new MipsAssemblyError(`${describe(spec, address)}: the tested register must not be ra, which the branch overwrites`);
  }
  // clz/clo: the architecture wants rt = rd, and GNU as writes rd in both fields; the row places rd only.
  if (spec.op === 'clz' || spec.op === 'clo') word = (word & ~(31 << 16)) | (((word >>> 11) & 31) << 16);
  return word >>> 0;
}

/** GNU as's choice among rows of the same name where several would do (`move` assembles as `or`). */
const PREFERRED_OP: Readonly<Record<string, string>> = { move: 'or' };

function pickRow(mnemonic: string, values: readonly MipsOperandValue[], address: number): MipsInstructionSpec {
  const candidates = rowsByName.get(mnemonic);
  if (!candidates) throw new MipsAssemblyError(`unknown MIPS instruction '${mnemonic}' at ${hex(address)}`);
  const preferred = PREFERRED_OP[mnemonic];
  const ordered = preferred ? [...candidates.filter((s) => s.op === preferred), ...candidates.filter((s) => s.op !== preferred)] : candidates;
  let firstError: unknown;
  // The first row whose operands fit (li 5 → addiu, li 0xffff → ori; jalr rs → jalr ra,rs).
  for (const spec of ordered) {
    try {
      encodeRow(spec, values, address, () => undefined, []);
      return spec;
    } catch (e) {
      firstError ??= e;
    }
  }
  throw firstError;
}

/**
 * One instruction word. `mnemonic` is objdump's name or another name GNU as accepts (table otherNames);
 * targets must be absolute addresses. Throws MipsAssemblyError for unknown names or bad operands.
 */
export function encodeInstruction(mnemonic: string, values: readonly number[], address = 0): number {
  return encodeRow(pickRow(mnemonic, values, address >>> 0), values, address >>> 0, null, null);
}

/** Like encodeInstruction, for a specific table row. */
export function encodeRowAt(spec: MipsInstructionSpec, values: readonly number[], address = 0): number {
  if (spec.flags & MipsClass.CATCH_ALL) throw new MipsAssemblyError(`${spec.mnemonic} is a coprocessor group, not one instruction: cannot encode it`);
  return encodeRow(spec, values, address >>> 0, null, null);
}

/**
 * The operand values of a decoded instruction at `address`, in the order encodeRowAt() and the
 * emitters take them (targets absolute): encodeRowAt(insn.spec, instructionOperands(insn, a), a)
 * gives the word back whenever the encoder accepts it.
 */
export function instructionOperands(insn: MipsInstruction, address: number): number[] {
  const values: number[] = [];
  const w = insn.word;
  const spec = insn.spec;
  for (const kind of spec.operands) {
    switch (kind) {
      case 'rs': values.push(insn.rs); break;
      case 'rt': case 'rtOptional': case 'cacheOp': case 'ft': values.push(insn.rt); break;
      case 'rd': case 'hwreg': case 'fs': case 'c1reg': values.push(insn.rd); break;
      case 'sa': case 'pos': case 'stype': case 'fd': values.push(insn.sa); break;
      case 'simm16': values.push(insn.simm16); break;
      case 'uimm16': values.push(insn.uimm16); break;
      case 'mem': values.push(insn.simm16, insn.rs); break;
      case 'branch': values.push((address + 4 + (insn.simm16 << 2)) >>> 0); break;
      case 'jump': values.push((((address + 4) & 0xf0000000) | (insn.index26 << 2)) >>> 0); break;
      case 'code20': values.push(((w & ~spec.mask) >>> 6) & 0xfffff); break;
      case 'breakCode': values.push((w >>> 16) & 0x3ff, (w >>> 6) & 0x3ff); break;
      case 'trapCode': values.push((w >>> 6) & 0x3ff); break;
      case 'c0reg': values.push(insn.rd, insn.sel); break;
      case 'extSize': values.push(insn.rd + 1); break;
      case 'insSize': values.push(insn.rd - insn.sa + 1); break;
    }
  }
  return values;
}

// ---- the assembler --------------------------------------------------------------------------

const R = {
  sll: row('sll'), srl: row('srl'), sra: row('sra'), sllv: row('sllv'), srlv: row('srlv'), srav: row('srav'),
  rotr: row('ror'), rotrv: row('rorv'),
  jr: row('jr'), jrHb: row('jr.hb'), jalr: row('jalr', 'jalr', 2), jalrHb: row('jalr.hb', 'jalr', 2),
  movz: row('movz'), movn: row('movn'), syscall: row('syscall'), break: row('break'), sync: row('sync'),
  mfhi: row('mfhi'), mthi: row('mthi'), mflo: row('mflo'), mtlo: row('mtlo'),
  mult: row('mult'), multu: row('multu'), div: row('div'), divu: row('divu'),
  add: row('add'), addu: row('addu'), sub: row('sub'), subu: row('subu'),
  and: row('and'), or: row('or'), xor: row('xor'), nor: row('nor'), slt: row('slt'), sltu: row('sltu'),
  tge: row('tge'), tgeu: row('tgeu'), tlt: row('tlt'), tltu: row('tltu'), teq: row('teq'), tne: row('tne'),
  bltz: row('bltz'), bgez: row('bgez'), bltzl: row('bltzl'), bgezl: row('bgezl'),
  tgei: row('tgei'), tgeiu: row('tgeiu'), tlti: row('tlti'), tltiu: row('tltiu'), teqi: row('teqi'), tnei: row('tnei'),
  bltzal: row('bltzal'), bgezal: row('bgezal'), bltzall: row('bltzall'), bgezall: row('bgezall'), synci: row('synci'),
  j: row('j'), jal: row('jal'), beq: row('beq'), bne: row('bne'), blez: row('blez'), bgtz: row('bgtz'),
  beql: row('beql'), bnel: row('bnel'), blezl: row('blezl'), bgtzl: row('bgtzl'),
  addi: row('addi'), addiu: row('addiu'), slti: row('slti'), sltiu: row('sltiu'),
  andi: row('andi'), ori: row('ori'), xori: row('xori'), lui: row('lui'),
  mfc0: row('mfc0'), mtc0: row('mtc0'), rdpgpr: row('rdpgpr'), wrpgpr: row('wrpgpr'), di: row('di'), ei: row('ei'),
  tlbr: row('tlbr'), tlbwi: row('tlbwi'), tlbwr: row('tlbwr'), tlbp: row('tlbp'), eret: row('eret'), deret: row('deret'),
  wait: row('wait'),
  madd: row('madd'), maddu: row('maddu'), mul: row('mul'), msub: row('msub'), msubu: row('msubu'),
  clz: row('clz'), clo: row('clo'), sdbbp: row('sdbbp'),
  ext: row('ext'), ins: row('ins'), wsbh: row('wsbh'), seb: row('seb'), seh: row('seh'), rdhwr: row('rdhwr'),
  lb: row('lb'), lh: row('lh'), lwl: row('lwl'), lw: row('lw'), lbu: row('lbu'), lhu: row('lhu'), lwr: row('lwr'),
  sb: row('sb'), sh: row('sh'), swl: row('swl'), sw: row('sw'), swr: row('swr'),
  cache: row('cache'), ll: row('ll'), pref: row('pref'), sc: row('sc'),
  // aliases
  nop: row('nop'), ssnop: row('ssnop'), ehb: row('ehb'), pause: row('pause'),
  move: row('move', 'or'), neg: row('neg'), negu: row('negu'),
  b: row('b', 'beq'), bal: row('bal'), beqz: row('beqz'), bnez: row('bnez'), beqzl: row('beqzl'), bnezl: row('bnezl'),
} as const;

const DELAY = MipsClass.DELAY_SLOT;

export class MipsAssembler {
  readonly origin: number;
  private code: Uint32Array;
  private count = 0;
  private readonly autoNop: boolean;
  /** word index of the instruction whose delay slot comes next, or -1 */
  private pendingDelaySlot = -1;
  private pendingSpec: MipsInstructionSpec | null = null;
  private readonly fixups: { index: number; spec: MipsInstructionSpec; kind: Pending['kind']; label: MipsLabel }[] = [];
  private readonly relocs: { offset: number; kind: MipsRelocationKind; target: number; label?: MipsLabel }[] = [];
  private readonly slots: number[] = [];
  private readonly named = new Map<string, MipsLabel>();
  private labelCount = 0;
  private readonly scratchPending: Pending[] = [];

  constructor(origin: number, options: MipsAssemblerOptions = {}) {
    if (!Number.isInteger(origin) || origin < -0x80000000 || origin > 0xffffffff || (origin & 3) !== 0) {
      throw new MipsAssemblyError(`code origin ${origin} must be a word-aligned 32-bit address`);
    }
    this.origin = origin >>> 0;
    this.code = new Uint32Array(64);
    this.autoNop = options.delaySlots === 'nop';
  }

  /** Address the next instruction goes to. */
  get address(): number {
    return (this.origin + this.count * 4) >>> 0;
  }

  /** Number of words emitted so far. */
  get length(): number {
    return this.count;
  }

  /** True when the next instruction will be a delay slot. */
  get inDelaySlot(): boolean {
    return this.pendingDelaySlot >= 0;
  }

  /** A new unbound label (named ones appear in finish().labels; names must be unique). */
  newLabel(name?: string): MipsLabel {
    const label = new MipsLabel(name ?? `L${this.labelCount}`, this);
    this.labelCount++;
    if (name !== undefined) {
      if (this.named.has(name)) throw new MipsAssemblyError(`label '${name}' is defined twice`);
      this.named.set(name, label);
    }
    return label;
  }

  /** Binds `label` to the current address; branches already referring to it are fixed up by finish(). */
  bind(label: MipsLabel): MipsLabel {
    if (label.owner !== this) throw new MipsAssemblyError(`label '${label.name}' belongs to another assembler`);
    if (label.index >= 0) throw new MipsAssemblyError(`label '${label.name}' is already bound at ${hex(this.addressOf(label.index))}`);
    if (this.pendingDelaySlot >= 0) {
      throw new MipsAssemblyError(
        `label '${label.name}' would be bound to the delay slot of the ${this.pendingDescription()}`,
      );
    }
    label.index = this.count;
    return label;
  }

  /** A new label bound here. */
  here(name?: string): MipsLabel {
    return this.bind(this.newLabel(name));
  }

  /** Absolute address of a bound label. */
  addressOfLabel(label: MipsLabel): number {
    if (label.index < 0) throw new MipsAssemblyError(`label '${label.name}' is not bound`);
    return this.addressOf(label.index);
  }

  private addressOf(index: number): number {
    return (this.origin + index * 4) >>> 0;
  }

  private pendingDescription(): string {
    return `${this.pendingSpec?.mnemonic ?? 'branch'} at ${hex(this.addressOf(this.pendingDelaySlot))}`;
  }

  private push(word: number): void {
    if (this.count === this.code.length) {
      const bigger = new Uint32Array(this.code.length * 2);
      bigger.set(this.code);
      this.code = bigger;
    }
    this.code[this.count++] = word;
  }

  private readonly resolve: LabelResolver = (label) => {
    if (label.owner !== this) throw new OperandError(`label '${label.name}' belongs to another assembler`);
    return label.index >= 0 ? this.addressOf(label.index) : undefined;
  };

  /** Emits one instruction of row `spec`; returns its address. */
  private put(spec: MipsInstructionSpec, values: readonly MipsOperandValue[]): number {
    const index = this.count;
    const address = this.addressOf(index);
    const hasDelaySlot = (spec.flags & DELAY) !== 0;
    if (this.pendingDelaySlot >= 0 && hasDelaySlot) {
      throw new MipsAssemblyError(
        `${spec.mnemonic} at ${hex(address)} is in the delay slot of the ${this.pendingDescription()}`,
      );
    }
    const pending = this.scratchPending;
    pending.length = 0;
    const word = encodeRow(spec, values, address, this.resolve, pending);
    for (const p of pending) this.fixups.push({ index, spec, kind: p.kind, label: p.label });
    if ((spec.flags & (MipsClass.BRANCH | MipsClass.JUMP)) !== 0 && (spec.flags & MipsClass.INDIRECT) === 0) {
      this.recordRelocations(spec, values, index);
    }
    if (this.pendingDelaySlot >= 0) {
      this.slots.push(index * 4);
      this.pendingDelaySlot = -1;
      this.pendingSpec = null;
    }
    this.push(word);
    if (hasDelaySlot) {
      this.pendingDelaySlot = index;
      this.pendingSpec = spec;
      if (this.autoNop) this.put(R.nop, []);
    }
    return address;
  }

  private recordRelocations(spec: MipsInstructionSpec, values: readonly MipsOperandValue[], index: number): void {
    let i = 0;
    for (const kind of spec.operands) {
      const v = values[i];
      i += arity(kind);
      if (kind !== 'branch' && kind !== 'jump') continue;
      if (v instanceof MipsLabel) {
        if (kind === 'jump') this.relocs.push({ offset: index * 4, kind: 'jump26', target: 0, label: v });
        // A branch to one of our labels moves with the code: no relocation.
      } else if (typeof v === 'number') {
        this.relocs.push({ offset: index * 4, kind: kind === 'jump' ? 'jump26' : 'branch16', target: v >>> 0 });
      }
    }
  }

  /** Emits any table instruction by name (objdump's or GNU as's), e.g. emit('addu', 2, 3, 4). */
  emit(mnemonic: string, ...values: MipsOperandValue[]): number {
    return this.put(pickRow(mnemonic, values, this.address), values);
  }

  /** Emits a specific table row. */
  emitRow(spec: MipsInstructionSpec, ...values: MipsOperandValue[]): number {
    if (spec.flags & MipsClass.CATCH_ALL) throw new MipsAssemblyError(`${spec.mnemonic} is a coprocessor group, not one instruction: cannot encode it`);
    return this.put(spec, values);
  }

  /** A raw data word (literal); not allowed in a delay slot. */
  word(value: number): number {
    if (this.pendingDelaySlot >= 0) throw new MipsAssemblyError(`data word at ${hex(this.address)} would be the delay slot of the ${this.pendingDescription()}`);
    checkInt(value, -0x80000000, 0xffffffff, 'data word');
    const address = this.address;
    this.push(value >>> 0);
    return address;
  }

  // ---- macros ----

  /**
   * Loads a 32-bit constant in the fewest instructions, as GNU as's `li`: addiu (signed 16-bit),
   * ori (unsigned 16-bit), lui (low half zero) or lui+ori. Accepts -2^31..2^32-1.
   */
  li(rt: Gpr, value: number): void {
    checkIntAt(value, -0x80000000, 0xffffffff, 'li constant', this.address);
    const v = value >>> 0;
    const signed = v | 0;
    if (signed >= -0x8000 && signed <= 0x7fff) this.put(R.addiu, [rt, GPR.zero, signed]);
    else if (v <= 0xffff) this.put(R.ori, [rt, GPR.zero, v]);
    else if ((v & 0xffff) === 0) this.put(R.lui, [rt, v >>> 16]);
    else {
      this.put(R.lui, [rt, v >>> 16]);
      this.put(R.ori, [rt, rt, v & 0xffff]);
    }
  }

  /** Always lui+ori, so the constant can be patched in place later (patchLoad32). */
  li32(rt: Gpr, value: number): void {
    checkIntAt(value, -0x80000000, 0xffffffff, 'li32 constant', this.address);
    const v = value >>> 0;
    this.put(R.lui, [rt, v >>> 16]);
    this.put(R.ori, [rt, rt, v & 0xffff]);
  }

  /** Loads the absolute address of a label of this code (or a number) with lui+ori; relocations hi16/lo16. */
  la(rt: Gpr, target: MipsTarget): void {
    if (typeof target === 'number') {
      const index = this.count;
      this.li32(rt, target);
      this.relocs.push({ offset: index * 4, kind: 'hi16', target: target >>> 0 });
      this.relocs.push({ offset: index * 4 + 4, kind: 'lo16', target: target >>> 0 });
      return;
    }
    const index = this.count;
    this.put(R.lui, [rt, 0]);
    this.put(R.ori, [rt, rt, 0]);
    this.fixups.push({ index, spec: R.lui, kind: 'hi16', label: target });
    this.fixups.push({ index: index + 1, spec: R.ori, kind: 'lo16', label: target });
    this.relocs.push({ offset: index * 4, kind: 'hi16', target: 0, label: target });
    this.relocs.push({ offset: index * 4 + 4, kind: 'lo16', target: 0, label: target });
  }

  // ---- finishing ----

  /** Resolves every fix-up and returns the code. The assembler can keep going afterwards. */
  finish(): MipsAssembledCode {
    if (this.pendingDelaySlot >= 0) {
      throw new MipsAssemblyError(
        `the delay slot of the ${this.pendingDescription()} is not filled (code ends there)`,
      );
    }
    const words = this.code.slice(0, this.count);
    for (const f of this.fixups) {
      if (f.label.index < 0) {
        throw new MipsAssemblyError(`${f.spec.mnemonic} at ${hex(this.addressOf(f.index))} refers to label '${f.label.name}', which is never bound`);
      }
      const address = this.addressOf(f.index);
      const target = this.addressOf(f.label.index);
      try {
        switch (f.kind) {
          case 'branch16': words[f.index] = (words[f.index] & ~0xffff) | branchOffset(address, target); break;
          case 'jump26': words[f.index] = ((words[f.index] & 0xfc000000) | jumpIndex(address, target)) >>> 0; break;
          case 'hi16': words[f.index] = ((words[f.index] & ~0xffff) | (target >>> 16)) >>> 0; break;
          case 'lo16': words[f.index] = ((words[f.index] & ~0xffff) | (target & 0xffff)) >>> 0; break;
        }
      } catch (e) {
        if (e instanceof OperandError) throw new MipsAssemblyError(`${f.spec.mnemonic} at ${hex(address)} to label '${f.label.name}': ${e.message}`);
        throw e;
      }
      words[f.index] >>>= 0;
    }
    const labels = new Map<string, number>();
    for (const [name, label] of this.named) if (label.index >= 0) labels.set(name, this.addressOf(label.index));
    // Every label was checked bound above (each label relocation has a fix-up).
    const relocations: MipsRelocation[] = this.relocs.map((r) =>
      r.label === undefined
        ? { offset: r.offset, kind: r.kind, target: r.target }
        : { offset: r.offset, kind: r.kind, target: this.addressOf(r.label.index), label: r.label.name });
    return { origin: this.origin, words, labels, relocations, delaySlots: [...this.slots] };
  }

  // ---- typed emitters (operands in GNU as order; each returns the instruction's address) ----

  nop(): number { return this.put(R.nop, []); }
  ssnop(): number { return this.put(R.ssnop, []); }
  ehb(): number { return this.put(R.ehb, []); }
  pause(): number { return this.put(R.pause, []); }
  sll(rd: Gpr, rt: Gpr, sa: number): number { return this.put(R.sll, [rd, rt, sa]); }
  srl(rd: Gpr, rt: Gpr, sa: number): number { return this.put(R.srl, [rd, rt, sa]); }
  sra(rd: Gpr, rt: Gpr, sa: number): number { return this.put(R.sra, [rd, rt, sa]); }
  rotr(rd: Gpr, rt: Gpr, sa: number): number { return this.put(R.rotr, [rd, rt, sa]); }
  sllv(rd: Gpr, rt: Gpr, rs: Gpr): number { return this.put(R.sllv, [rd, rt, rs]); }
  srlv(rd: Gpr, rt: Gpr, rs: Gpr): number { return this.put(R.srlv, [rd, rt, rs]); }
  srav(rd: Gpr, rt: Gpr, rs: Gpr): number { return this.put(R.srav, [rd, rt, rs]); }
  rotrv(rd: Gpr, rt: Gpr, rs: Gpr): number { return this.put(R.rotrv, [rd, rt, rs]); }
  jr(rs: Gpr): number { return this.put(R.jr, [rs]); }
  jrHb(rs: Gpr): number { return this.put(R.jrHb, [rs]); }
  /** jalr rs (links ra) or jalr rd, rs. */
  jalr(rdOrRs: Gpr, rs?: Gpr): number { return rs === undefined ? this.put(R.jalr, [GPR.ra, rdOrRs]) : this.put(R.jalr, [rdOrRs, rs]); }
  jalrHb(rdOrRs: Gpr, rs?: Gpr): number { return rs === undefined ? this.put(R.jalrHb, [GPR.ra, rdOrRs]) : this.put(R.jalrHb, [rdOrRs, rs]); }
  movz(rd: Gpr, rs: Gpr, rt: Gpr): number { return this.put(R.movz, [rd, rs, rt]); }
  movn(rd: Gpr, rs: Gpr, rt: Gpr): number { return this.put(R.movn, [rd, rs, rt]); }
  syscall(code = 0): number { return this.put(R.syscall, [code]); }
  break(code = 0, code2 = 0): number { return this.put(R.break, [code, code2]); }
  sync(stype = 0): number { return this.put(R.sync, [stype]); }
  mfhi(rd: Gpr): number { return this.put(R.mfhi, [rd]); }
  mthi(rs: Gpr): number { return this.put(R.mthi, [rs]); }
  mflo(rd: Gpr): number { return this.put(R.mflo, [rd]); }
  mtlo(rs: Gpr): number { return this.put(R.mtlo, [rs]); }
  mult(rs: Gpr, rt: Gpr): number { return this.put(R.mult, [rs, rt]); }
  multu(rs: Gpr, rt: Gpr): number { return this.put(R.multu, [rs, rt]); }
  /** The real divide (GNU as "div $0, rs, rt"): HI/LO only, no zero check. */
  div(rs: Gpr, rt: Gpr): number { return this.put(R.div, [GPR.zero, rs, rt]); }
  divu(rs: Gpr, rt: Gpr): number { return this.put(R.divu, [GPR.zero, rs, rt]); }
  add(rd: Gpr, rs: Gpr, rt: Gpr): number { return this.put(R.add, [rd, rs, rt]); }
  addu(rd: Gpr, rs: Gpr, rt: Gpr): number { return this.put(R.addu, [rd, rs, rt]); }
  sub(rd: Gpr, rs: Gpr, rt: Gpr): number { return this.put(R.sub, [rd, rs, rt]); }
  subu(rd: Gpr, rs: Gpr, rt: Gpr): number { return this.put(R.subu, [rd, rs, rt]); }
  and(rd: Gpr, rs: Gpr, rt: Gpr): number { return this.put(R.and, [rd, rs, rt]); }
  or(rd: Gpr, rs: Gpr, rt: Gpr): number { return this.put(R.or, [rd, rs, rt]); }
  xor(rd: Gpr, rs: Gpr, rt: Gpr): number { return this.put(R.xor, [rd, rs, rt]); }
  nor(rd: Gpr, rs: Gpr, rt: Gpr): number { return this.put(R.nor, [rd, rs, rt]); }
  slt(rd: Gpr, rs: Gpr, rt: Gpr): number { return this.put(R.slt, [rd, rs, rt]); }
  sltu(rd: Gpr, rs: Gpr, rt: Gpr): number { return this.put(R.sltu, [rd, rs, rt]); }
  tge(rs: Gpr, rt: Gpr, code = 0): number { return this.put(R.tge, [rs, rt, code]); }
  tgeu(rs: Gpr, rt: Gpr, code = 0): number { return this.put(R.tgeu, [rs, rt, code]); }
  tlt(rs: Gpr, rt: Gpr, code = 0): number { return this.put(R.tlt, [rs, rt, code]); }
  tltu(rs: Gpr, rt: Gpr, code = 0): number { return this.put(R.tltu, [rs, rt, code]); }
  teq(rs: Gpr, rt: Gpr, code = 0): number { return this.put(R.teq, [rs, rt, code]); }
  tne(rs: Gpr, rt: Gpr, code = 0): number { return this.put(R.tne, [rs, rt, code]); }
  bltz(rs: Gpr, target: MipsTarget): number { return this.put(R.bltz, [rs, target]); }
  bgez(rs: Gpr, target: MipsTarget): number { return this.put(R.bgez, [rs, target]); }
  bltzl(rs: Gpr, target: MipsTarget): number { return this.put(R.bltzl, [rs, target]); }
  bgezl(rs: Gpr, target: MipsTarget): number { return this.put(R.bgezl, [rs, target]); }
  bltzal(rs: Gpr, target: MipsTarget): number { return this.put(R.bltzal, [rs, target]); }
  bgezal(rs: Gpr, target: MipsTarget): number { return this.put(R.bgezal, [rs, target]); }
  bltzall(rs: Gpr, target: MipsTarget): number { return this.put(R.bltzall, [rs, target]); }
  bgezall(rs: Gpr, target: MipsTarget): number { return this.put(R.bgezall, [rs, target]); }
  tgei(rs: Gpr, imm: number): number { return this.put(R.tgei, [rs, imm]); }
  tgeiu(rs: Gpr, imm: number): number { return this.put(R.tgeiu, [rs, imm]); }
  tlti(rs: Gpr, imm: number): number { return this.put(R.tlti, [rs, imm]); }
  tltiu(rs: Gpr, imm: number): number { return this.put(R.tltiu, [rs, imm]); }
  teqi(rs: Gpr, imm: number): number { return this.put(R.teqi, [rs, imm]); }
  tnei(rs: Gpr, imm: number): number { return this.put(R.tnei, [rs, imm]); }
  synci(offset: number, base: Gpr): number { return this.put(R.synci, [offset, base]); }
  j(target: MipsTarget): number { return this.put(R.j, [target]); }
  jal(target: MipsTarget): number { return this.put(R.jal, [target]); }
  beq(rs: Gpr, rt: Gpr, target: MipsTarget): number { return this.put(R.beq, [rs, rt, target]); }
  bne(rs: Gpr, rt: Gpr, target: MipsTarget): number { return this.put(R.bne, [rs, rt, target]); }
  blez(rs: Gpr, target: MipsTarget): number { return this.put(R.blez, [rs, target]); }
  bgtz(rs: Gpr, target: MipsTarget): number { return this.put(R.bgtz, [rs, target]); }
  beql(rs: Gpr, rt: Gpr, target: MipsTarget): number { return this.put(R.beql, [rs, rt, target]); }
  bnel(rs: Gpr, rt: Gpr, target: MipsTarget): number { return this.put(R.bnel, [rs, rt, target]); }
  blezl(rs: Gpr, target: MipsTarget): number { return this.put(R.blezl, [rs, target]); }
  bgtzl(rs: Gpr, target: MipsTarget): number { return this.put(R.bgtzl, [rs, target]); }
  addi(rt: Gpr, rs: Gpr, imm: number): number { return this.put(R.addi, [rt, rs, imm]); }
  addiu(rt: Gpr, rs: Gpr, imm: number): number { return this.put(R.addiu, [rt, rs, imm]); }
  slti(rt: Gpr, rs: Gpr, imm: number): number { return this.put(R.slti, [rt, rs, imm]); }
  sltiu(rt: Gpr, rs: Gpr, imm: number): number { return this.put(R.sltiu, [rt, rs, imm]); }
  andi(rt: Gpr, rs: Gpr, imm: number): number { return this.put(R.andi, [rt, rs, imm]); }
  ori(rt: Gpr, rs: Gpr, imm: number): number { return this.put(R.ori, [rt, rs, imm]); }
  xori(rt: Gpr, rs: Gpr, imm: number): number { return this.put(R.xori, [rt, rs, imm]); }
  lui(rt: Gpr, imm: number): number { return this.put(R.lui, [rt, imm]); }
  mfc0(rt: Gpr, rd: number, sel = 0): number { return this.put(R.mfc0, [rt, rd, sel]); }
  mtc0(rt: Gpr, rd: number, sel = 0): number { return this.put(R.mtc0, [rt, rd, sel]); }
  rdpgpr(rd: Gpr, rt: Gpr): number { return this.put(R.rdpgpr, [rd, rt]); }
  wrpgpr(rd: Gpr, rt: Gpr): number { return this.put(R.wrpgpr, [rd, rt]); }
  di(rt: Gpr = 0): number { return this.put(R.di, [rt]); }
  ei(rt: Gpr = 0): number { return this.put(R.ei, [rt]); }
  tlbr(): number { return this.put(R.tlbr, []); }
  tlbwi(): number { return this.put(R.tlbwi, []); }
  tlbwr(): number { return this.put(R.tlbwr, []); }
  tlbp(): number { return this.put(R.tlbp, []); }
  eret(): number { return this.put(R.eret, []); }
  deret(): number { return this.put(R.deret, []); }
  wait(code = 0): number { return this.put(R.wait, [code]); }
  madd(rs: Gpr, rt: Gpr): number { return this.put(R.madd, [rs, rt]); }
  maddu(rs: Gpr, rt: Gpr): number { return this.put(R.maddu, [rs, rt]); }
  mul(rd: Gpr, rs: Gpr, rt: Gpr): number { return this.put(R.mul, [rd, rs, rt]); }
  msub(rs: Gpr, rt: Gpr): number { return this.put(R.msub, [rs, rt]); }
  msubu(rs: Gpr, rt: Gpr): number { return this.put(R.msubu, [rs, rt]); }
  /** clz rd, rs (rd goes in both the rd and rt fields, as the architecture asks). */
  clz(rd: Gpr, rs: Gpr): number { return this.put(R.clz, [rd, rs]); }
  clo(rd: Gpr, rs: Gpr): number { return this.put(R.clo, [rd, rs]); }
  sdbbp(code = 0): number { return this.put(R.sdbbp, [code]); }
  ext(rt: Gpr, rs: Gpr, pos: number, size: number): number { return this.put(R.ext, [rt, rs, pos, size]); }
  ins(rt: Gpr, rs: Gpr, pos: number, size: number): number { return this.put(R.ins, [rt, rs, pos, size]); }
  wsbh(rd: Gpr, rt: Gpr): number { return this.put(R.wsbh, [rd, rt]); }
  seb(rd: Gpr, rt: Gpr): number { return this.put(R.seb, [rd, rt]); }
  seh(rd: Gpr, rt: Gpr): number { return this.put(R.seh, [rd, rt]); }
  rdhwr(rt: Gpr, rd: number): number { return this.put(R.rdhwr, [rt, rd]); }
  lb(rt: Gpr, offset: number, base: Gpr): number { return this.put(R.lb, [rt, offset, base]); }
  lh(rt: Gpr, offset: number, base: Gpr): number { return this.put(R.lh, [rt, offset, base]); }
  lwl(rt: Gpr, offset: number, base: Gpr): number { return this.put(R.lwl, [rt, offset, base]); }
  lw(rt: Gpr, offset: number, base: Gpr): number { return this.put(R.lw, [rt, offset, base]); }
  lbu(rt: Gpr, offset: number, base: Gpr): number { return this.put(R.lbu, [rt, offset, base]); }
  lhu(rt: Gpr, offset: number, base: Gpr): number { return this.put(R.lhu, [rt, offset, base]); }
  lwr(rt: Gpr, offset: number, base: Gpr): number { return this.put(R.lwr, [rt, offset, base]); }
  sb(rt: Gpr, offset: number, base: Gpr): number { return this.put(R.sb, [rt, offset, base]); }
  sh(rt: Gpr, offset: number, base: Gpr): number { return this.put(R.sh, [rt, offset, base]); }
  swl(rt: Gpr, offset: number, base: Gpr): number { return this.put(R.swl, [rt, offset, base]); }
  sw(rt: Gpr, offset: number, base: Gpr): number { return this.put(R.sw, [rt, offset, base]); }
  swr(rt: Gpr, offset: number, base: Gpr): number { return this.put(R.swr, [rt, offset, base]); }
  cache(op: number, offset: number, base: Gpr): number { return this.put(R.cache, [op, offset, base]); }
  ll(rt: Gpr, offset: number, base: Gpr): number { return this.put(R.ll, [rt, offset, base]); }
  pref(hint: number, offset: number, base: Gpr): number { return this.put(R.pref, [hint, offset, base]); }
  sc(rt: Gpr, offset: number, base: Gpr): number { return this.put(R.sc, [rt, offset, base]); }
  // aliases, as GNU as assembles them
  /** move rd, rs = or rd, rs, zero */
  move(rd: Gpr, rs: Gpr): number { return this.put(R.move, [rd, rs]); }
  /** not rd, rs = nor rd, rs, zero */
  not(rd: Gpr, rs: Gpr): number { return this.put(R.nor, [rd, rs, GPR.zero]); }
  neg(rd: Gpr, rt: Gpr): number { return this.put(R.neg, [rd, rt]); }
  negu(rd: Gpr, rt: Gpr): number { return this.put(R.negu, [rd, rt]); }
  /** b target = beq zero, zero, target */
  b(target: MipsTarget): number { return this.put(R.b, [target]); }
  /** bal target = bgezal zero, target */
  bal(target: MipsTarget): number { return this.put(R.bal, [target]); }
  beqz(rs: Gpr, target: MipsTarget): number { return this.put(R.beqz, [rs, target]); }
  bnez(rs: Gpr, target: MipsTarget): number { return this.put(R.bnez, [rs, target]); }
  beqzl(rs: Gpr, target: MipsTarget): number { return this.put(R.beqzl, [rs, target]); }
  bnezl(rs: Gpr, target: MipsTarget): number { return this.put(R.bnezl, [rs, target]); }
}

function checkIntAt(value: number, lo: number, hi: number, what: string, address: number): void {
  if (!Number.isInteger(value) || value < lo || value > hi) {
    throw new MipsAssemblyError(`${what} at ${hex(address)} must be an integer in ${lo}..${hi}, got ${value}`);
  }
}

/** The bytes of assembled code, little-endian. */
export function codeBytes(code: { readonly words: Uint32Array }): Uint8Array {
  const bytes = new Uint8Array(code.words.length * 4);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < code.words.length; i++) view.setUint32(i * 4, code.words[i], true);
  return bytes;
}

/**
 * The words of `code` moved to `newOrigin`: PC-relative branches to outside addresses, j/jal
 * targets and la halves are re-encoded (label targets move with the code). Throws MipsAssemblyError
 * when a field cannot reach its target from the new place.
 */
export function relocateCode(code: MipsAssembledCode, newOrigin: number): Uint32Array {
  const words = code.words.slice();
  const shift = (newOrigin - code.origin) | 0;
  for (const r of code.relocations) {
    const index = r.offset / 4;
    const address = (newOrigin + r.offset) >>> 0;
    const target = r.label !== undefined ? (r.target + shift) >>> 0 : r.target;
    try {
      switch (r.kind) {
        case 'branch16': words[index] = (words[index] & ~0xffff) | branchOffset(address, target); break;
        case 'jump26': words[index] = (words[index] & 0xfc000000) | jumpIndex(address, target); break;
        case 'hi16': words[index] = (words[index] & ~0xffff) | (target >>> 16); break;
        case 'lo16': words[index] = (words[index] & ~0xffff) | (target & 0xffff); break;
      }
    } catch (e) {
      if (e instanceof OperandError) throw new MipsAssemblyError(`relocating the instruction at ${hex(address)}: ${e.message}`);
      throw e;
    }
    words[index] >>>= 0;
  }
  return words;
}
