// THE instruction table of the simulated host: MIPS32 release 2, little-endian, integer set plus
// the privileged (CP0) instructions, and the COP1 encodings only so that they can be named and
// rejected (the host has no FPU: every COP1 instruction raises Coprocessor Unusable).
// The decoder, the CPU, the disassembler, the encoder and the test generators are all driven by it.
//
// Types
// -----
// MipsInstructionSpec (one row):
//   mnemonic   the name GNU objdump (-m mips:isa32r2) prints, e.g. 'ror' (not 'rotr'), 'jalr.hb', 'nop'.
//   otherNames other spellings GNU as accepts for the same encoding (e.g. 'rotr' for 'ror').
//   match/mask the encoding: a word w is this instruction when (w & mask) === match (unsigned 32-bit).
//              The masks are STRICT like objdump: reserved fields must be zero, otherwise objdump prints
//              '.word' and so does our disassembler.
//   execMask   the bits real hardware (and qemu-mipsel -cpu 24Kc) looks at when executing: reserved
//              fields are ignored there (e.g. ADDU with a non-zero shift field still adds). Equal to
//              mask unless stated. decodeForExecution() matches with it.
//   operands   operand kinds in the order objdump prints them, separated by ',' (except 'mem',
//              which prints as 'offset(base)'). See MipsOperandKind for each kind's bits and format.
//   flags      MipsClass bits (branch, likely, link, delay slot, load, store, privileged, trap, ...).
//   op         the architectural operation the CPU executes. An alias row (nop, move, b, li, ...)
//              has the op of the instruction it is a special case of, and the ALIAS flag.
//
// Row order matters: decode() returns the FIRST row that matches, so aliases and special cases
// come before the general row (e.g. 'nop' before 'ssnop' before 'sll', 'jalr rs' before
// 'jalr rd,rs'). Rows of non-alias instructions never overlap each other under `mask`.

/** Operand kinds. Bit fields: rs 25..21, rt 20..16, rd 15..11, sa 10..6, imm 15..0, index 25..0. */
export type MipsOperandKind =
  | 'rs' // GPR in bits 25..21
  | 'rt' // GPR in bits 20..16
  | 'rd' // GPR in bits 15..11
  | 'rtOptional' // GPR in bits 20..16, omitted by objdump when it is 0 (di, ei)
  | 'sa' // shift amount, bits 10..6, printed hex ("0x4")
  | 'simm16' // signed immediate, bits 15..0, printed decimal ("-4")
  | 'uimm16' // unsigned immediate, bits 15..0, printed hex ("0xffff")
  | 'mem' // bits 15..0 signed offset + base GPR bits 25..21, printed "offset(base)" ("-8(v1)")
  | 'branch' // bits 15..0 signed word offset from the delay slot: target = pc + 4 + (simm16 << 2), printed hex
  | 'jump' // bits 25..0 word index in the delay slot's 256 MB region: target = ((pc + 4) & 0xf0000000) | (index << 2), hex
  | 'code20' // bits 25..6, printed hex, omitted when 0 (syscall, wait, sdbbp)
  | 'breakCode' // bits 25..16 and 15..6: omitted when both 0, "0xA" when the second is 0, else "0xA,0xB"
  | 'trapCode' // bits 15..6, printed hex, omitted when 0 (teq, tne, ...)
  | 'c0reg' // CP0 register bits 15..11 with select bits 2..0: objdump prints a name from C0_REGISTER_NAMES or "$N,sel"
  | 'hwreg' // hardware register bits 15..11 (rdhwr): "hwr_cpunum" etc. from HW_REGISTER_NAMES, else "$N"
  | 'pos' // ext/ins lsb, bits 10..6, printed hex
  | 'extSize' // ext: bits 15..11 hold size-1 (msbd); printed hex as the size
  | 'insSize' // ins: bits 15..11 hold msb = pos+size-1; printed hex as the size (msb - pos + 1)
  | 'cacheOp' // cache op / pref hint, bits 20..16, printed hex
  | 'stype' // sync type, bits 10..6: omitted when 0, a name from SYNC_TYPE_NAMES, else hex
  | 'fs' // FPR bits 15..11, "$f3"
  | 'ft' // FPR bits 20..16
  | 'fd' // FPR bits 10..6
  | 'c1reg'; // FP control register bits 15..11: "c1_fcsr" for 31, "c1_fir" for 0, else "$N"

/** Semantic classes (bit flags in MipsInstructionSpec.flags). */
export const MipsClass = {
  BRANCH: 1 << 0, // conditional PC-relative branch (has a delay slot)
  JUMP: 1 << 1, // unconditional j/jal/jr/jalr (has a delay slot)
  INDIRECT: 1 << 2, // target from a register (jr, jalr)
  LINK: 1 << 3, // writes a return address (pc + 8)
  LIKELY: 1 << 4, // branch-likely: the delay slot is annulled when not taken
  DELAY_SLOT: 1 << 5, // the next instruction is a delay slot
  LOAD: 1 << 6,
  STORE: 1 << 7,
  PRIVILEGED: 1 << 8, // needs kernel mode (or CP0 usable); user mode → Coprocessor Unusable (CE=0)
  TRAP: 1 << 9, // conditional trap (Tr)
  EXCEPTION: 1 << 10, // always raises (syscall, break, sdbbp)
  COP1: 1 << 11, // FPU instruction: always Coprocessor Unusable here (CE=1)
  COP2: 1 << 12, // COP2 instruction: always Coprocessor Unusable (CE=2)
  ALIAS: 1 << 13, // objdump's name for a special case of another row (same op)
  HILO: 1 << 14, // reads or writes HI/LO
  OVERFLOW: 1 << 15, // may raise Integer Overflow
  ERET: 1 << 16, // returns from exception (no delay slot)
  CATCH_ALL: 1 << 17, // covers a group objdump names in more detail; the table only names the group
  UNSUPPORTED: 1 << 18, // decodes, but this CPU raises Reserved Instruction (TLB ops, deret, sdbbp's debug mode)
} as const;

export interface MipsInstructionSpec {
  readonly mnemonic: string;
  readonly otherNames: readonly string[];
  readonly match: number;
  readonly mask: number;
  readonly execMask: number;
  readonly operands: readonly MipsOperandKind[];
  readonly flags: number;
  readonly op: string;
}

/** CP0 register names objdump prints for mips32r2, keyed by reg*8+sel. Others print "$reg" (sel 0) or "$reg,sel". */
export const C0_REGISTER_NAMES: Readonly<Record<number, string>> = {
  [0 * 8]: 'c0_index', [1 * 8]: 'c0_random', [2 * 8]: 'c0_entrylo0', [3 * 8]: 'c0_entrylo1',
  [4 * 8]: 'c0_context', [5 * 8]: 'c0_pagemask', [5 * 8 + 1]: 'c0_pagegrain', [6 * 8]: 'c0_wired',
  [7 * 8]: 'c0_hwrena', [8 * 8]: 'c0_badvaddr', [9 * 8]: 'c0_count', [10 * 8]: 'c0_entryhi',
  [11 * 8]: 'c0_compare', [12 * 8]: 'c0_status', [12 * 8 + 1]: 'c0_intctl', [12 * 8 + 2]: 'c0_srsctl',
  [12 * 8 + 3]: 'c0_srsmap', [13 * 8]: 'c0_cause', [14 * 8]: 'c0_epc', [15 * 8]: 'c0_prid',
  [15 * 8 + 1]: 'c0_ebase', [16 * 8]: 'c0_config', [16 * 8 + 1]: 'c0_config1', [16 * 8 + 2]: 'c0_config2',
  [16 * 8 + 3]: 'c0_config3', [17 * 8]: 'c0_lladdr', [18 * 8]: 'c0_watchlo', [19 * 8]: 'c0_watchhi',
  [23 * 8]: 'c0_debug', [24 * 8]: 'c0_depc', [25 * 8]: 'c0_perfcnt', [25 * 8 + 1]: 'c0_perfcnt,1',
  [25 * 8 + 2]: 'c0_perfcnt,2', [25 * 8 + 3]: 'c0_perfcnt,3', [26 * 8]: 'c0_errctl', [27 * 8]: 'c0_cacheerr',
  [28 * 8]: 'c0_taglo', [28 * 8 + 1]: 'c0_datalo', [29 * 8]: 'c0_taghi', [29 * 8 + 1]: 'c0_datahi',
  [30 * 8]: 'c0_errorepc', [31 * 8]: 'c0_desave',
};

/** rdhwr register names objdump prints; others print "$N". */
export const HW_REGISTER_NAMES: Readonly<Record<number, string>> = {
  0: 'hwr_cpunum', 1: 'hwr_synci_step', 2: 'hwr_cc', 3: 'hwr_ccres',
};

/** sync stype names objdump prints; other non-zero values print hex. */
export const SYNC_TYPE_NAMES: Readonly<Record<number, string>> = {
  0x4: 'sync_wmb', 0x10: 'sync_mb', 0x11: 'sync_acquire', 0x12: 'sync_release', 0x13: 'sync_rmb',
};

/** GPR names objdump prints (o32 ABI names). */
export const GPR_NAMES: readonly string[] = [
  'zero', 'at', 'v0', 'v1', 'a0', 'a1', 'a2', 'a3', 't0', 't1', 't2', 't3', 't4', 't5', 't6', 't7',
  's0', 's1', 's2', 's3', 's4', 's5', 's6', 's7', 't8', 't9', 'k0', 'k1', 'gp', 'sp', 's8', 'ra',
];

// ---- row builders ---------------------------------------------------------------------------

const C = MipsClass;
const RS = 0x1f << 21;
const RT = 0x1f << 16;
const RD = 0x1f << 11;
const SA = 0x1f << 6;
const OPC = 0x3f << 26;
const FN = 0x3f;

interface RowOptions {
  otherNames?: readonly string[];
  flags?: number;
  op?: string;
  execMask?: number;
}

const rows: MipsInstructionSpec[] = [];

function row(mnemonic: string, match: number, mask: number, operands: readonly MipsOperandKind[], o: RowOptions = {}): void {
  rows.push({
    mnemonic,
    otherNames: o.otherNames ?? [],
    match: match >>> 0,
    mask: mask >>> 0,
    execMask: (o.execMask ?? mask) >>> 0,
    operands,
    flags: o.flags ?? 0,
    op: o.op ?? mnemonic,
  });
}

/** SPECIAL (opcode 0) function `fn`; `zero` are the fields that must be 0 (strictly). */
function special(mnemonic: string, fn: number, zero: number, operands: readonly MipsOperandKind[], o: RowOptions = {}): void {
  row(mnemonic, fn, OPC | FN | zero, operands, { execMask: OPC | FN, ...o });
}

function special2(mnemonic: string, fn: number, zero: number, operands: readonly MipsOperandKind[], o: RowOptions = {}): void {
  row(mnemonic, (0x1c << 26) | fn, OPC | FN | zero, operands, { execMask: OPC | FN, ...o });
}

function regimm(mnemonic: string, rt: number, operands: readonly MipsOperandKind[], o: RowOptions = {}): void {
  row(mnemonic, (1 << 26) | (rt << 16), OPC | RT, operands, o);
}

function itype(mnemonic: string, opcode: number, operands: readonly MipsOperandKind[], o: RowOptions = {}): void {
  row(mnemonic, opcode << 26, OPC, operands, o);
}

const ALU3: readonly MipsOperandKind[] = ['rd', 'rs', 'rt'];
const SHIFT: readonly MipsOperandKind[] = ['rd', 'rt', 'sa'];
const SHIFTV: readonly MipsOperandKind[] = ['rd', 'rt', 'rs'];
const IMM_S: readonly MipsOperandKind[] = ['rt', 'rs', 'simm16'];
const IMM_U: readonly MipsOperandKind[] = ['rt', 'rs', 'uimm16'];
const MEM: readonly MipsOperandKind[] = ['rt', 'mem'];
const BR1: readonly MipsOperandKind[] = ['rs', 'branch'];
const BR2: readonly MipsOperandKind[] = ['rs', 'rt', 'branch'];

const BRANCH = C.BRANCH | C.DELAY_SLOT;
const LIKELY = BRANCH | C.LIKELY;

// ---- SPECIAL --------------------------------------------------------------------------------

row('nop', 0x00000000, 0xffffffff, [], { flags: C.ALIAS, op: 'sll' });
row('ssnop', 0x00000040, 0xffffffff, [], { flags: C.ALIAS, op: 'sll' });
row('ehb', 0x000000c0, 0xffffffff, [], { flags: C.ALIAS, op: 'sll' });
row('pause', 0x00000140, 0xffffffff, [], { flags: C.ALIAS, op: 'sll' });
special('sll', 0x00, RS, SHIFT);
// MOVCI (movf/movt) reads FP condition codes: an FPU instruction.
special('movf', 0x01, 0, ['rd', 'rs'], { flags: C.COP1 | C.CATCH_ALL, otherNames: ['movt'], op: 'cop1', execMask: OPC | FN });
row('ror', 0x00200002, OPC | RS | FN, SHIFT, { otherNames: ['rotr'], op: 'rotr', execMask: OPC | RS | FN });
special('srl', 0x02, RS, SHIFT);
special('sra', 0x03, RS, SHIFT);
special('sllv', 0x04, SA, SHIFTV);
row('rorv', 0x00000046, OPC | SA | FN, SHIFTV, { otherNames: ['rotrv'], op: 'rotrv', execMask: OPC | SA | FN });
special('srlv', 0x06, SA, SHIFTV);
special('srav', 0x07, SA, SHIFTV);
row('jr.hb', 0x00000408, OPC | RT | RD | SA | FN, ['rs'], { flags: C.JUMP | C.INDIRECT | C.DELAY_SLOT, op: 'jr', execMask: OPC | (1 << 10) | FN });
special('jr', 0x08, RT | RD | SA, ['rs'], { flags: C.JUMP | C.INDIRECT | C.DELAY_SLOT, execMask: OPC | (1 << 10) | FN });
const JALR = C.JUMP | C.INDIRECT | C.LINK | C.DELAY_SLOT;
row('jalr.hb', 0x0000fc09, OPC | RT | RD | SA | FN, ['rs'], { flags: JALR | C.ALIAS, op: 'jalr' });
row('jalr.hb', 0x00000409, OPC | RT | SA | FN, ['rd', 'rs'], { flags: JALR, op: 'jalr', execMask: OPC | (1 << 10) | FN });
row('jalr', 0x0000f809, OPC | RT | RD | SA | FN, ['rs'], { flags: JALR | C.ALIAS, op: 'jalr' });
special('jalr', 0x09, RT | SA, ['rd', 'rs'], { flags: JALR, execMask: OPC | (1 << 10) | FN });
special('movz', 0x0a, SA, ALU3);
special('movn', 0x0b, SA, ALU3);
special('syscall', 0x0c, 0, ['code20'], { flags: C.EXCEPTION });
special('break', 0x0d, 0, ['breakCode'], { flags: C.EXCEPTION });
special('sync', 0x0f, RS | RT | RD, ['stype']);
special('mfhi', 0x10, RS | RT | SA, ['rd'], { flags: C.HILO });
special('mthi', 0x11, RT | RD | SA, ['rs'], { flags: C.HILO });
special('mflo', 0x12, RS | RT | SA, ['rd'], { flags: C.HILO });
special('mtlo', 0x13, RT | RD | SA, ['rs'], { flags: C.HILO });
special('mult', 0x18, RD | SA, ['rs', 'rt'], { flags: C.HILO });
special('multu', 0x19, RD | SA, ['rs', 'rt'], { flags: C.HILO });
// objdump prints the (zero) rd field first: "div zero,v0,v1".
special('div', 0x1a, RD | SA, ['rd', 'rs', 'rt'], { flags: C.HILO });
special('divu', 0x1b, RD | SA, ['rd', 'rs', 'rt'], { flags: C.HILO });
row('move', 0x00000021, OPC | RT | SA | FN, ['rd', 'rs'], { flags: C.ALIAS, op: 'addu' });
row('move', 0x00000025, OPC | RT | SA | FN, ['rd', 'rs'], { flags: C.ALIAS, op: 'or' });
row('neg', 0x00000022, OPC | RS | SA | FN, ['rd', 'rt'], { flags: C.ALIAS | C.OVERFLOW, op: 'sub' });
row('negu', 0x00000023, OPC | RS | SA | FN, ['rd', 'rt'], { flags: C.ALIAS, op: 'subu' });
special('add', 0x20, SA, ALU3, { flags: C.OVERFLOW });
special('addu', 0x21, SA, ALU3);
special('sub', 0x22, SA, ALU3, { flags: C.OVERFLOW });
special('subu', 0x23, SA, ALU3);
special('and', 0x24, SA, ALU3);
special('or', 0x25, SA, ALU3);
special('xor', 0x26, SA, ALU3);
special('nor', 0x27, SA, ALU3);
special('slt', 0x2a, SA, ALU3);
special('sltu', 0x2b, SA, ALU3);
const TRAP3: readonly MipsOperandKind[] = ['rs', 'rt', 'trapCode'];
special('tge', 0x30, 0, TRAP3, { flags: C.TRAP });
special('tgeu', 0x31, 0, TRAP3, { flags: C.TRAP });
special('tlt', 0x32, 0, TRAP3, { flags: C.TRAP });
special('tltu', 0x33, 0, TRAP3, { flags: C.TRAP });
special('teq', 0x34, 0, TRAP3, { flags: C.TRAP });
special('tne', 0x36, 0, TRAP3, { flags: C.TRAP });

// ---- REGIMM ---------------------------------------------------------------------------------

// "bgez zero" is objdump's "b"; "bgezal zero" is "bal".
row('b', 0x04010000, OPC | RS | RT, ['branch'], { flags: BRANCH | C.ALIAS, op: 'bgez' });
row('bal', 0x04110000, OPC | RS | RT, ['branch'], { flags: BRANCH | C.LINK | C.ALIAS, op: 'bgezal' });
regimm('bltz', 0x00, BR1, { flags: BRANCH });
regimm('bgez', 0x01, BR1, { flags: BRANCH });
regimm('bltzl', 0x02, BR1, { flags: LIKELY });
regimm('bgezl', 0x03, BR1, { flags: LIKELY });
const TRAPI: readonly MipsOperandKind[] = ['rs', 'simm16'];
regimm('tgei', 0x08, TRAPI, { flags: C.TRAP });
regimm('tgeiu', 0x09, TRAPI, { flags: C.TRAP });
regimm('tlti', 0x0a, TRAPI, { flags: C.TRAP });
regimm('tltiu', 0x0b, TRAPI, { flags: C.TRAP });
regimm('teqi', 0x0c, TRAPI, { flags: C.TRAP });
regimm('tnei', 0x0e, TRAPI, { flags: C.TRAP });
regimm('bltzal', 0x10, BR1, { flags: BRANCH | C.LINK });
regimm('bgezal', 0x11, BR1, { flags: BRANCH | C.LINK });
regimm('bltzall', 0x12, BR1, { flags: LIKELY | C.LINK });
regimm('bgezall', 0x13, BR1, { flags: LIKELY | C.LINK });
regimm('synci', 0x1f, ['mem']);

// ---- I-type and J-type ----------------------------------------------------------------------

itype('j', 0x02, ['jump'], { flags: C.JUMP | C.DELAY_SLOT });
itype('jal', 0x03, ['jump'], { flags: C.JUMP | C.LINK | C.DELAY_SLOT });
row('b', 0x10000000, OPC | RS | RT, ['branch'], { flags: BRANCH | C.ALIAS, op: 'beq' });
row('beqz', 0x10000000, OPC | RT, BR1, { flags: BRANCH | C.ALIAS, op: 'beq' });
itype('beq', 0x04, BR2, { flags: BRANCH });
row('bnez', 0x14000000, OPC | RT, BR1, { flags: BRANCH | C.ALIAS, op: 'bne' });
itype('bne', 0x05, BR2, { flags: BRANCH });
row('blez', 0x18000000, OPC | RT, BR1, { flags: BRANCH, execMask: OPC });
row('bgtz', 0x1c000000, OPC | RT, BR1, { flags: BRANCH, execMask: OPC });
itype('addi', 0x08, IMM_S, { flags: C.OVERFLOW });
row('li', 0x24000000, OPC | RS, ['rt', 'simm16'], { flags: C.ALIAS, op: 'addiu' });
itype('addiu', 0x09, IMM_S);
itype('slti', 0x0a, IMM_S);
itype('sltiu', 0x0b, IMM_S);
itype('andi', 0x0c, IMM_U);
row('li', 0x34000000, OPC | RS, ['rt', 'uimm16'], { flags: C.ALIAS, op: 'ori' });
itype('ori', 0x0d, IMM_U);
itype('xori', 0x0e, IMM_U);
row('lui', 0x3c000000, OPC | RS, ['rt', 'uimm16'], { execMask: OPC });
row('beqzl', 0x50000000, OPC | RT, BR1, { flags: LIKELY | C.ALIAS, op: 'beql' });
itype('beql', 0x14, BR2, { flags: LIKELY });
row('bnezl', 0x54000000, OPC | RT, BR1, { flags: LIKELY | C.ALIAS, op: 'bnel' });
itype('bnel', 0x15, BR2, { flags: LIKELY });
row('blezl', 0x58000000, OPC | RT, BR1, { flags: LIKELY, execMask: OPC });
row('bgtzl', 0x5c000000, OPC | RT, BR1, { flags: LIKELY, execMask: OPC });

// ---- COP0 (privileged) ----------------------------------------------------------------------

const P = C.PRIVILEGED;
row('mfc0', 0x40000000, OPC | RS | 0x7f8, ['rt', 'c0reg'], { flags: P });
row('mtc0', 0x40800000, OPC | RS | 0x7f8, ['rt', 'c0reg'], { flags: P });
row('rdpgpr', 0x41400000, OPC | RS | 0x7ff, ['rd', 'rt'], { flags: P });
row('di', 0x41606000, 0xffe0ffff, ['rtOptional'], { flags: P });
row('ei', 0x41606020, 0xffe0ffff, ['rtOptional'], { flags: P });
row('wrpgpr', 0x41c00000, OPC | RS | 0x7ff, ['rd', 'rt'], { flags: P });
row('tlbr', 0x42000001, 0xffffffff, [], { flags: P | C.UNSUPPORTED });
row('tlbwi', 0x42000002, 0xffffffff, [], { flags: P | C.UNSUPPORTED });
row('tlbwr', 0x42000006, 0xffffffff, [], { flags: P | C.UNSUPPORTED });
row('tlbp', 0x42000008, 0xffffffff, [], { flags: P | C.UNSUPPORTED });
row('eret', 0x42000018, 0xffffffff, [], { flags: P | C.ERET });
row('deret', 0x4200001f, 0xffffffff, [], { flags: P | C.UNSUPPORTED });
row('wait', 0x42000020, 0xfe00003f, ['code20'], { flags: P });

// ---- COP1 / COP2 (no FPU or COP2 here: always Coprocessor Unusable) -------------------------

const F = C.COP1;
row('mfc1', 0x44000000, OPC | RS | 0x7ff, ['rt', 'fs'], { flags: F, op: 'cop1' });
row('cfc1', 0x44400000, OPC | RS | 0x7ff, ['rt', 'c1reg'], { flags: F, op: 'cop1' });
row('mfhc1', 0x44600000, OPC | RS | 0x7ff, ['rt', 'fs'], { flags: F, op: 'cop1' });
row('mtc1', 0x44800000, OPC | RS | 0x7ff, ['rt', 'fs'], { flags: F, op: 'cop1' });
row('ctc1', 0x44c00000, OPC | RS | 0x7ff, ['rt', 'c1reg'], { flags: F, op: 'cop1' });
row('mthc1', 0x44e00000, OPC | RS | 0x7ff, ['rt', 'fs'], { flags: F, op: 'cop1' });
row('bc1f', 0x45000000, 0xffff0000, ['branch'], { flags: F | BRANCH, op: 'cop1' });
row('bc1t', 0x45010000, 0xffff0000, ['branch'], { flags: F | BRANCH, op: 'cop1' });
row('bc1fl', 0x45020000, 0xffff0000, ['branch'], { flags: F | LIKELY, op: 'cop1' });
row('bc1tl', 0x45030000, 0xffff0000, ['branch'], { flags: F | LIKELY, op: 'cop1' });
itype('cop1', 0x11, [], { flags: F | C.CATCH_ALL, op: 'cop1' });
itype('cop1x', 0x13, [], { flags: F | C.CATCH_ALL, op: 'cop1' });
itype('lwc1', 0x31, ['ft', 'mem'], { flags: F | C.LOAD, op: 'cop1' });
itype('ldc1', 0x35, ['ft', 'mem'], { flags: F | C.LOAD, op: 'cop1' });
itype('swc1', 0x39, ['ft', 'mem'], { flags: F | C.STORE, op: 'cop1' });
itype('sdc1', 0x3d, ['ft', 'mem'], { flags: F | C.STORE, op: 'cop1' });
const C2 = C.COP2 | C.CATCH_ALL;
itype('cop2', 0x12, [], { flags: C2, op: 'cop2' });
itype('lwc2', 0x32, ['rt', 'mem'], { flags: C2 | C.LOAD, op: 'cop2' });
itype('ldc2', 0x36, ['rt', 'mem'], { flags: C2 | C.LOAD, op: 'cop2' });
itype('swc2', 0x3a, ['rt', 'mem'], { flags: C2 | C.STORE, op: 'cop2' });
itype('sdc2', 0x3e, ['rt', 'mem'], { flags: C2 | C.STORE, op: 'cop2' });

// ---- SPECIAL2 -------------------------------------------------------------------------------

special2('madd', 0x00, RD | SA, ['rs', 'rt'], { flags: C.HILO });
special2('maddu', 0x01, RD | SA, ['rs', 'rt'], { flags: C.HILO });
special2('mul', 0x02, SA, ALU3, { flags: C.HILO });
special2('msub', 0x04, RD | SA, ['rs', 'rt'], { flags: C.HILO });
special2('msubu', 0x05, RD | SA, ['rs', 'rt'], { flags: C.HILO });
// clz/clo: the architecture asks rt == rd; objdump shows rd, rs and does not check rt.
special2('clz', 0x20, SA, ['rd', 'rs']);
special2('clo', 0x21, SA, ['rd', 'rs']);
special2('sdbbp', 0x3f, 0, ['code20'], { flags: C.EXCEPTION | C.UNSUPPORTED });

// ---- SPECIAL3 -------------------------------------------------------------------------------

row('ext', 0x7c000000, OPC | FN, ['rt', 'rs', 'pos', 'extSize']);
row('ins', 0x7c000004, OPC | FN, ['rt', 'rs', 'pos', 'insSize']);
row('wsbh', 0x7c0000a0, OPC | RS | SA | FN, ['rd', 'rt'], { execMask: OPC | SA | FN });
row('seb', 0x7c000420, OPC | RS | SA | FN, ['rd', 'rt'], { execMask: OPC | SA | FN });
row('seh', 0x7c000620, OPC | RS | SA | FN, ['rd', 'rt'], { execMask: OPC | SA | FN });
row('rdhwr', 0x7c00003b, OPC | RS | SA | FN, ['rt', 'hwreg'], { execMask: OPC | FN });

// ---- loads and stores -----------------------------------------------------------------------

itype('lb', 0x20, MEM, { flags: C.LOAD });
itype('lh', 0x21, MEM, { flags: C.LOAD });
itype('lwl', 0x22, MEM, { flags: C.LOAD });
itype('lw', 0x23, MEM, { flags: C.LOAD });
itype('lbu', 0x24, MEM, { flags: C.LOAD });
itype('lhu', 0x25, MEM, { flags: C.LOAD });
itype('lwr', 0x26, MEM, { flags: C.LOAD });
itype('sb', 0x28, MEM, { flags: C.STORE });
itype('sh', 0x29, MEM, { flags: C.STORE });
itype('swl', 0x2a, MEM, { flags: C.STORE });
itype('sw', 0x2b, MEM, { flags: C.STORE });
itype('swr', 0x2e, MEM, { flags: C.STORE });
itype('cache', 0x2f, ['cacheOp', 'mem'], { flags: P });
itype('ll', 0x30, MEM, { flags: C.LOAD });
itype('pref', 0x33, ['cacheOp', 'mem']);
itype('sc', 0x38, MEM, { flags: C.STORE });

/** All rows, in match order (aliases and special cases first). */
export const MIPS_TABLE: readonly MipsInstructionSpec[] = rows;

/** The distinct operations the CPU implements (the `op` values of the table). */
export const MIPS_OPS: readonly string[] = [...new Set(rows.map((r) => r.op))];
