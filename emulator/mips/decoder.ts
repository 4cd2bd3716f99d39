// Decodes one MIPS32r2 instruction word with THE table (table.ts).
//
//   decode(word)             → MipsInstruction | null   objdump's view: strict masks, aliases first
//                                                       (e.g. 0 → 'nop', addu rd,rs,zero → 'move').
//   decodeForExecution(word) → MipsInstruction | null   the hardware's view: no alias rows, reserved
//                                                       fields ignored (execMask), as qemu-mipsel -cpu 24Kc.
//   null means no row matches: executing it raises Reserved Instruction.
//
// MipsInstruction carries the row and every field already extracted (unused ones are still there).

import { MIPS_TABLE, type MipsInstructionSpec } from './table';

export interface MipsInstruction {
  readonly word: number; // unsigned
  readonly spec: MipsInstructionSpec;
  readonly opcode: number; // bits 31..26
  readonly rs: number; // bits 25..21
  readonly rt: number; // bits 20..16
  readonly rd: number; // bits 15..11
  readonly sa: number; // bits 10..6
  readonly funct: number; // bits 5..0
  readonly simm16: number; // bits 15..0 sign-extended
  readonly uimm16: number; // bits 15..0
  readonly index26: number; // bits 25..0 (j/jal)
  readonly sel: number; // bits 2..0 (mfc0/mtc0)
}

// Rows bucketed by the primary opcode, and for SPECIAL/SPECIAL2/SPECIAL3 also by the function field.
const FUNCT_OPCODES = new Set([0x00, 0x1c, 0x1f]);

function bucketKey(word: number): number {
  const opcode = word >>> 26;
  return FUNCT_OPCODES.has(opcode) ? 64 + opcode * 64 + (word & 0x3f) : opcode;
}

function buildBuckets(useExec: boolean): MipsInstructionSpec[][] {
  const buckets: MipsInstructionSpec[][] = [];
  for (let k = 0; k < 64 + 64 * 64; k++) buckets.push([]);
  for (const spec of MIPS_TABLE) {
    if (useExec && spec.flags & 0x2000 /* ALIAS */) continue;
    const mask = useExec ? spec.execMask : spec.mask;
    const opcode = spec.match >>> 26;
    if (FUNCT_OPCODES.has(opcode) && (mask & 0x3f) === 0x3f) buckets[64 + opcode * 64 + (spec.match & 0x3f)].push(spec);
    else if (FUNCT_OPCODES.has(opcode)) for (let fn = 0; fn < 64; fn++) buckets[64 + opcode * 64 + fn].push(spec);
    else buckets[opcode].push(spec);
  }
  return buckets;
}

const strictBuckets = buildBuckets(false);
const execBuckets = buildBuckets(true);

function fields(word: number, spec: MipsInstructionSpec): MipsInstruction {
  return {
    word,
    spec,
    opcode: word >>> 26,
    rs: (word >>> 21) & 31,
    rt: (word >>> 16) & 31,
    rd: (word >>> 11) & 31,
    sa: (word >>> 6) & 31,
    funct: word & 0x3f,
    simm16: (word << 16) >> 16,
    uimm16: word & 0xffff,
    index26: word & 0x3ffffff,
    sel: word & 7,
  };
}

function find(buckets: MipsInstructionSpec[][], word: number, exec: boolean): MipsInstruction | null {
  const w = word >>> 0;
  for (const spec of buckets[bucketKey(w)]) {
    if (((w & (exec ? spec.execMask : spec.mask)) >>> 0) === spec.match) return fields(w, spec);
  }
  return null;
}

/** objdump's view of a word: the first (most specific) matching row, aliases included. */
export function decode(word: number): MipsInstruction | null {
  return find(strictBuckets, word, false);
}

/** The executing hardware's view: the architectural instruction, reserved fields ignored. */
export function decodeForExecution(word: number): MipsInstruction | null {
  return find(execBuckets, word, true);
}
