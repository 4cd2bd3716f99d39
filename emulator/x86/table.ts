// The one IA-32 instruction table. The decoder, the interpreter, the disassembler and the
// differential-test generator all read it, so every fact about an opcode lives here once.
//
// Layout (Intel SDM vol. 2, appendix A):
//   ONE_BYTE[b]        — primary opcode map
//   TWO_BYTE[b]        — 0F xx map
//   a slot is an OpcodeEntry, an OpcodeGroup (ModRM.reg picks one of 8 entries, optionally a
//   separate set when ModRM.mod == 3), a prefix marker, or the 0F escape.
//
// Operand specs use the SDM appendix-A codes, destination first (Intel order):
//   E = ModRM r/m (register or memory), G = ModRM reg, M = ModRM memory only, S = ModRM.reg as a
//   segment register, I = immediate, J = relative branch target, O = moffs (absolute address, no
//   ModRM), X = DS:[eSI] (string source), Y = ES:[eDI] (string destination),
//   Z = register in the low 3 bits of the opcode.
//   Size letters: b = byte, w = word, d = dword, v = word or dword by operand size (0x66),
//   z = word or dword immediate by operand size (never 64-bit), q = qword (memory only),
//   bs = byte immediate sign-extended to the operand size, p = far pointer, a = bound pair.
//   Fixed operands: AL CL DL BL AH CH DH BH (bytes), eAX eCX eDX eBX eSP eBP eSI eDI (v-sized),
//   AX, DX (word), ES CS SS DS FS GS (segment registers), 1 (the constant 1 of shift-by-one).
//
// Flags: `definedFlags` are the status flags the instruction writes with a defined value;
// `undefinedFlags` those it writes with an architecturally undefined value (the SDM's
// "undefined" — a test must not compare them); every other flag is left unchanged. Where the
// SDM makes this depend on a value (shift/rotate counts, zero divisors) `flagNote` says how, and
// the masks describe the case count == 1 / the common case.

export const CF = 0x0001;
export const PF = 0x0004;
export const AF = 0x0010;
export const ZF = 0x0040;
export const SF = 0x0080;
export const TF = 0x0100;
export const IF = 0x0200;
export const DF = 0x0400;
export const OF = 0x0800;
/** The six arithmetic status flags. */
export const STATUS_FLAGS = CF | PF | AF | ZF | SF | OF;

/** How an instruction can stop instead of retiring (see X86Fault in cpu.ts). */
export type FaultKind = 'page' | 'divide' | 'invalid-opcode' | 'general-protection' | 'int3' | 'interrupt' | 'unsupported';

/** Appendix-A operand code; see the header comment. */
export type OperandSpec =
  | 'Eb' | 'Ew' | 'Ed' | 'Ev' | 'Gb' | 'Gw' | 'Gd' | 'Gv' | 'M' | 'Mq' | 'Mp' | 'Ma' | 'Sw'
  | 'Ib' | 'Iw' | 'Iz' | 'Ibs' | 'Jb' | 'Jz' | 'Ob' | 'Ov' | 'Ap'
  | 'Xb' | 'Xv' | 'Yb' | 'Yv' | 'Zb' | 'Zv' | 'Zd'
  | 'AL' | 'CL' | 'DL' | 'BL' | 'AH' | 'CH' | 'DH' | 'BH'
  | 'eAX' | 'eCX' | 'eDX' | 'eBX' | 'eSP' | 'eBP' | 'eSI' | 'eDI' | 'AX' | 'DX'
  | 'ES' | 'CS' | 'SS' | 'DS' | 'FS' | 'GS' | '1'
  // Placeholders that only give the length of out-of-scope instructions (x87/MMX/SSE/system):
  | 'Ex' | 'Gx';

export interface OpcodeEntry {
  /** Intel mnemonic, lower case ('add', 'jcc' forms are spelled out: 'jne', 'cmovb', 'setg'). */
  readonly mnemonic: string;
  /** Semantic operation the interpreter implements (several mnemonics may share one). */
  readonly op: string;
  readonly operands: readonly OperandSpec[];
  /** 'invalid' = #UD on the CPU; 'unsupported' = a real instruction outside this emulator's scope. */
  readonly status: 'ok' | 'invalid' | 'unsupported';
  readonly definedFlags: number;
  readonly undefinedFlags: number;
  /** Flags the instruction reads (condition, carry-in, DF for string ops). */
  readonly testedFlags: number;
  /** Condition code 0..15 (o no b ae e ne be a s ns p np l ge le g) for jcc/setcc/cmovcc. */
  readonly cond: number;
  /** LOCK is allowed (with a memory destination); otherwise LOCK is #UD. */
  readonly lockable: boolean;
  /** String instruction: 'rep' honours REP; 'repcc' honours REPE/REPNE (cmps/scas). */
  readonly stringRep: 'rep' | 'repcc' | null;
  /** Only a memory r/m is valid (mod == 3 is #UD), e.g. lea, cmpxchg8b. */
  readonly memoryOnly: boolean;
  /** Every way the instruction can stop instead of retiring (memory access → 'page'). */
  readonly faults: readonly FaultKind[];
  /** Mnemonic spelling differences of AT&T syntax as objdump prints it (e.g. cwde → cwtl). */
  readonly attMnemonic: string | null;
  /** Value-dependent flag or result rules not expressible in the masks. */
  readonly flagNote: string | null;
}

export interface OpcodeGroup {
  readonly kind: 'group';
  readonly name: string;
  /** Indexed by ModRM.reg. */
  readonly entries: readonly OpcodeEntry[];
  /** When present, used instead of `entries` if ModRM.mod == 3. */
  readonly registerEntries: readonly OpcodeEntry[] | null;
}

export type PrefixKind = 'lock' | 'repne' | 'rep' | 'opsize' | 'addrsize' | 'segment';
export interface PrefixSlot {
  readonly kind: 'prefix';
  readonly prefix: PrefixKind;
  /** Segment index (ES CS SS DS FS GS = 0..5) for segment overrides, else -1. */
  readonly segment: number;
}
export interface EscapeSlot {
  readonly kind: 'escape';
}
export type TableSlot = OpcodeEntry | OpcodeGroup | PrefixSlot | EscapeSlot;

export const CONDITION_NAMES = ['o', 'no', 'b', 'ae', 'e', 'ne', 'be', 'a', 's', 'ns', 'p', 'np', 'l', 'ge', 'le', 'g'] as const;
/** Flags read by each condition code. */
export const CONDITION_FLAGS = [OF, OF, CF, CF, ZF, ZF, CF | ZF, CF | ZF, SF, SF, PF, PF, SF | OF, SF | OF, ZF | SF | OF, ZF | SF | OF];

export function isEntry(slot: TableSlot | null): slot is OpcodeEntry {
  return slot !== null && (slot as OpcodeEntry).mnemonic !== undefined;
}

// ---------------------------------------------------------------------------------------------
// Construction helpers.

interface EntryOptions {
  defined?: number;
  undefined?: number;
  tested?: number;
  cond?: number;
  lockable?: boolean;
  stringRep?: 'rep' | 'repcc';
  memoryOnly?: boolean;
  faults?: FaultKind[];
  att?: string;
  note?: string;
  status?: 'ok' | 'invalid' | 'unsupported';
}

function hasMemoryOperand(operands: readonly OperandSpec[]): boolean {
  return operands.some((o) => o[0] === 'E' || o[0] === 'M' || o[0] === 'O' || o[0] === 'X' || o[0] === 'Y');
}

function entry(mnemonic: string, op: string, operands: OperandSpec[], o: EntryOptions = {}): OpcodeEntry {
  const faults = new Set<FaultKind>(o.faults ?? []);
  if (hasMemoryOperand(operands) && op !== 'lea' && op !== 'nop') faults.add('page');
  if (o.status === 'invalid') faults.add('invalid-opcode');
  if (o.status === 'unsupported') faults.add('unsupported');
  return {
    mnemonic,
    op,
    operands,
    status: o.status ?? 'ok',
    definedFlags: o.defined ?? 0,
    undefinedFlags: o.undefined ?? 0,
    testedFlags: o.tested ?? 0,
    cond: o.cond ?? -1,
    lockable: o.lockable ?? false,
    stringRep: o.stringRep ?? null,
    // An M operand (a far pointer, a bound pair, an 8-byte operand) has no register form: mod=3 is #UD.
    memoryOnly: o.memoryOnly ?? operands.some((s) => s[0] === 'M'),
    faults: [...faults],
    attMnemonic: o.att ?? null,
    flagNote: o.note ?? null,
  };
}

const INVALID = entry('(bad)', 'invalid', [], { status: 'invalid' });
function unsupported(mnemonic: string, operands: OperandSpec[] = []): OpcodeEntry {
  return entry(mnemonic, 'unsupported', operands, { status: 'unsupported' });
}
function group(name: string, entries: OpcodeEntry[], registerEntries: OpcodeEntry[] | null = null): OpcodeGroup {
  return { kind: 'group', name, entries, registerEntries };
}
function prefix(p: PrefixKind, segment = -1): PrefixSlot {
  return { kind: 'prefix', prefix: p, segment };
}

const ARITH = { defined: STATUS_FLAGS };
const LOGIC = { defined: CF | OF | SF | ZF | PF, undefined: AF };
const INCDEC = { defined: OF | SF | ZF | AF | PF };
const MULF = { defined: CF | OF, undefined: SF | ZF | AF | PF };
const DIVF = { undefined: STATUS_FLAGS, faults: ['divide' as FaultKind] };
const SHIFT_NOTE =
  'count is masked to 5 bits; masked count 0 changes no flag; OF is defined only for count 1; ' +
  'for 8/16-bit shl/shr a count larger than the width leaves CF undefined';
const ROTATE_NOTE =
  'count is masked to 5 bits (rcl/rcr then reduce mod 9 / mod 17 for 8/16 bits); masked count 0 ' +
  'changes no flag; OF is defined only for masked count 1; CF is the last bit rotated';
const SHIFTF = { defined: CF | OF | SF | ZF | PF, undefined: AF, note: SHIFT_NOTE };
const ROTF = { defined: CF | OF, note: ROTATE_NOTE };
const BTF = { defined: CF, undefined: OF | SF | AF | PF };

// The eight ALU operations of group 1 and the 00–3F block.
const ALU = ['add', 'or', 'adc', 'sbb', 'and', 'sub', 'xor', 'cmp'] as const;
function aluOptions(name: string, memDest: boolean): EntryOptions {
  const flags = name === 'and' || name === 'or' || name === 'xor' ? LOGIC : ARITH;
  return {
    ...flags,
    tested: name === 'adc' || name === 'sbb' ? CF : 0,
    lockable: memDest && name !== 'cmp',
  };
}

// ---------------------------------------------------------------------------------------------
// One-byte map.

export const ONE_BYTE: (TableSlot | null)[] = new Array(256).fill(null);

for (let i = 0; i < 8; i++) {
  const name = ALU[i];
  const base = i * 8;
  ONE_BYTE[base + 0] = entry(name, name, ['Eb', 'Gb'], aluOptions(name, true));
  ONE_BYTE[base + 1] = entry(name, name, ['Ev', 'Gv'], aluOptions(name, true));
  ONE_BYTE[base + 2] = entry(name, name, ['Gb', 'Eb'], aluOptions(name, false));
  ONE_BYTE[base + 3] = entry(name, name, ['Gv', 'Ev'], aluOptions(name, false));
  ONE_BYTE[base + 4] = entry(name, name, ['AL', 'Ib'], aluOptions(name, false));
  ONE_BYTE[base + 5] = entry(name, name, ['eAX', 'Iz'], aluOptions(name, false));
}
const SEGMENT_OPERANDS: OperandSpec[] = ['ES', 'CS', 'SS', 'DS'];
for (let s = 0; s < 4; s++) {
  ONE_BYTE[s * 8 + 6] = entry('push', 'push_seg', [SEGMENT_OPERANDS[s]], { faults: ['page'] });
  ONE_BYTE[s * 8 + 7] =
    s === 1 ? INVALID : entry('pop', 'pop_seg', [SEGMENT_OPERANDS[s]], { faults: ['page', 'general-protection'] });
}
ONE_BYTE[0x0f] = { kind: 'escape' };
ONE_BYTE[0x26] = prefix('segment', 0);
ONE_BYTE[0x2e] = prefix('segment', 1);
ONE_BYTE[0x36] = prefix('segment', 2);
ONE_BYTE[0x3e] = prefix('segment', 3);
ONE_BYTE[0x64] = prefix('segment', 4);
ONE_BYTE[0x65] = prefix('segment', 5);
ONE_BYTE[0x66] = prefix('opsize');
ONE_BYTE[0x67] = prefix('addrsize');
ONE_BYTE[0xf0] = prefix('lock');
ONE_BYTE[0xf2] = prefix('repne');
ONE_BYTE[0xf3] = prefix('rep');

ONE_BYTE[0x27] = entry('daa', 'daa', [], { defined: CF | AF | SF | ZF | PF, undefined: OF, tested: CF | AF });
ONE_BYTE[0x2f] = entry('das', 'das', [], { defined: CF | AF | SF | ZF | PF, undefined: OF, tested: CF | AF });
ONE_BYTE[0x37] = entry('aaa', 'aaa', [], { defined: AF | CF, undefined: OF | SF | ZF | PF, tested: AF });
ONE_BYTE[0x3f] = entry('aas', 'aas', [], { defined: AF | CF, undefined: OF | SF | ZF | PF, tested: AF });

for (let r = 0; r < 8; r++) {
  ONE_BYTE[0x40 + r] = entry('inc', 'inc', ['Zv'], INCDEC);
  ONE_BYTE[0x48 + r] = entry('dec', 'dec', ['Zv'], INCDEC);
  ONE_BYTE[0x50 + r] = entry('push', 'push', ['Zv'], { faults: ['page'] });
  ONE_BYTE[0x58 + r] = entry('pop', 'pop', ['Zv'], { faults: ['page'] });
  ONE_BYTE[0xb0 + r] = entry('mov', 'mov', ['Zb', 'Ib']);
  ONE_BYTE[0xb8 + r] = entry('mov', 'mov', ['Zv', 'Iz']);
  if (r > 0) ONE_BYTE[0x90 + r] = entry('xchg', 'xchg', ['Zv', 'eAX']);
}
ONE_BYTE[0x60] = entry('pusha', 'pusha', [], { faults: ['page'], att: 'pusha' });
ONE_BYTE[0x61] = entry('popa', 'popa', [], { faults: ['page'], att: 'popa' });
ONE_BYTE[0x62] = unsupported('bound', ['Gv', 'Ma']);
ONE_BYTE[0x63] = unsupported('arpl', ['Ew', 'Gw']);
ONE_BYTE[0x68] = entry('push', 'push', ['Iz'], { faults: ['page'] });
ONE_BYTE[0x69] = entry('imul', 'imul3', ['Gv', 'Ev', 'Iz'], MULF);
ONE_BYTE[0x6a] = entry('push', 'push', ['Ibs'], { faults: ['page'] });
ONE_BYTE[0x6b] = entry('imul', 'imul3', ['Gv', 'Ev', 'Ibs'], MULF);
ONE_BYTE[0x6c] = unsupported('insb', ['Yb', 'DX']);
ONE_BYTE[0x6d] = unsupported('ins', ['Yv', 'DX']);
ONE_BYTE[0x6e] = unsupported('outsb', ['DX', 'Xb']);
ONE_BYTE[0x6f] = unsupported('outs', ['DX', 'Xv']);
for (let c = 0; c < 16; c++) {
  ONE_BYTE[0x70 + c] = entry('j' + CONDITION_NAMES[c], 'jcc', ['Jb'], { cond: c, tested: CONDITION_FLAGS[c] });
}
const GROUP1_FLAGS = ALU.map((n) => aluOptions(n, true));
ONE_BYTE[0x80] = group('group1', ALU.map((n, i) => entry(n, n, ['Eb', 'Ib'], GROUP1_FLAGS[i])));
ONE_BYTE[0x81] = group('group1', ALU.map((n, i) => entry(n, n, ['Ev', 'Iz'], GROUP1_FLAGS[i])));
ONE_BYTE[0x82] = ONE_BYTE[0x80]; // 32-bit mode alias of 0x80
ONE_BYTE[0x83] = group('group1', ALU.map((n, i) => entry(n, n, ['Ev', 'Ibs'], GROUP1_FLAGS[i])));
ONE_BYTE[0x84] = entry('test', 'test', ['Eb', 'Gb'], LOGIC);
ONE_BYTE[0x85] = entry('test', 'test', ['Ev', 'Gv'], LOGIC);
ONE_BYTE[0x86] = entry('xchg', 'xchg', ['Eb', 'Gb'], { lockable: true });
ONE_BYTE[0x87] = entry('xchg', 'xchg', ['Ev', 'Gv'], { lockable: true });
ONE_BYTE[0x88] = entry('mov', 'mov', ['Eb', 'Gb']);
ONE_BYTE[0x89] = entry('mov', 'mov', ['Ev', 'Gv']);
ONE_BYTE[0x8a] = entry('mov', 'mov', ['Gb', 'Eb']);
ONE_BYTE[0x8b] = entry('mov', 'mov', ['Gv', 'Ev']);
ONE_BYTE[0x8c] = entry('mov', 'mov_from_seg', ['Ev', 'Sw'], {
  faults: ['invalid-opcode'],
  note: 'a memory destination is always 16 bits; a register destination takes the operand size (zero-extended); ModRM.reg > 5 is #UD',
});
ONE_BYTE[0x8d] = entry('lea', 'lea', ['Gv', 'M'], { memoryOnly: true });
ONE_BYTE[0x8e] = entry('mov', 'mov_to_seg', ['Sw', 'Ew'], {
  faults: ['page', 'general-protection', 'invalid-opcode'],
  note: 'ModRM.reg 1 (CS) or > 5 is #UD; a selector with no descriptor is #GP',
});
ONE_BYTE[0x8f] = group('group1a', [entry('pop', 'pop', ['Ev'], { faults: ['page'] }), INVALID, INVALID, INVALID, INVALID, INVALID, INVALID, INVALID]);
ONE_BYTE[0x90] = entry('nop', 'nop', [], { note: 'F3 90 is pause' });
ONE_BYTE[0x98] = entry('cwde', 'cwde', [], { att: 'cwtl', note: 'with 0x66: cbw (AT&T cbtw)' });
ONE_BYTE[0x99] = entry('cdq', 'cdq', [], { att: 'cltd', note: 'with 0x66: cwd (AT&T cwtd)' });
ONE_BYTE[0x9a] = unsupported('call far', ['Ap']);
ONE_BYTE[0x9b] = unsupported('fwait');
ONE_BYTE[0x9c] = entry('pushf', 'pushf', [], { faults: ['page'], tested: STATUS_FLAGS | DF });
ONE_BYTE[0x9d] = entry('popf', 'popf', [], {
  faults: ['page'],
  defined: STATUS_FLAGS | DF,
  note: 'user mode: IF, IOPL, VM, RF stay; TF is not emulated; AC and ID are writable',
});
ONE_BYTE[0x9e] = entry('sahf', 'sahf', [], { defined: SF | ZF | AF | PF | CF });
ONE_BYTE[0x9f] = entry('lahf', 'lahf', [], { tested: SF | ZF | AF | PF | CF });
ONE_BYTE[0xa0] = entry('mov', 'mov', ['AL', 'Ob']);
ONE_BYTE[0xa1] = entry('mov', 'mov', ['eAX', 'Ov']);
ONE_BYTE[0xa2] = entry('mov', 'mov', ['Ob', 'AL']);
ONE_BYTE[0xa3] = entry('mov', 'mov', ['Ov', 'eAX']);
ONE_BYTE[0xa4] = entry('movsb', 'movs', ['Yb', 'Xb'], { stringRep: 'rep', tested: DF });
ONE_BYTE[0xa5] = entry('movs', 'movs', ['Yv', 'Xv'], { stringRep: 'rep', tested: DF });
ONE_BYTE[0xa6] = entry('cmpsb', 'cmps', ['Xb', 'Yb'], { stringRep: 'repcc', tested: DF, ...ARITH });
ONE_BYTE[0xa7] = entry('cmps', 'cmps', ['Xv', 'Yv'], { stringRep: 'repcc', tested: DF, ...ARITH });
ONE_BYTE[0xa8] = entry('test', 'test', ['AL', 'Ib'], LOGIC);
ONE_BYTE[0xa9] = entry('test', 'test', ['eAX', 'Iz'], LOGIC);
ONE_BYTE[0xaa] = entry('stosb', 'stos', ['Yb', 'AL'], { stringRep: 'rep', tested: DF });
ONE_BYTE[0xab] = entry('stos', 'stos', ['Yv', 'eAX'], { stringRep: 'rep', tested: DF });
ONE_BYTE[0xac] = entry('lodsb', 'lods', ['AL', 'Xb'], { stringRep: 'rep', tested: DF });
ONE_BYTE[0xad] = entry('lods', 'lods', ['eAX', 'Xv'], { stringRep: 'rep', tested: DF });
ONE_BYTE[0xae] = entry('scasb', 'scas', ['AL', 'Yb'], { stringRep: 'repcc', tested: DF, ...ARITH });
ONE_BYTE[0xaf] = entry('scas', 'scas', ['eAX', 'Yv'], { stringRep: 'repcc', tested: DF, ...ARITH });

const GROUP2 = ['rol', 'ror', 'rcl', 'rcr', 'shl', 'shr', 'sal', 'sar'];
function group2(operands: OperandSpec[]): OpcodeGroup {
  return group(
    'group2',
    GROUP2.map((n) => {
      const op = n === 'sal' ? 'shl' : n;
      const flags = op === 'rol' || op === 'ror' || op === 'rcl' || op === 'rcr' ? ROTF : SHIFTF;
      return entry(n, op, operands, { ...flags, tested: op === 'rcl' || op === 'rcr' ? CF : 0 });
    }),
  );
}
ONE_BYTE[0xc0] = group2(['Eb', 'Ib']);
ONE_BYTE[0xc1] = group2(['Ev', 'Ib']);
ONE_BYTE[0xc2] = entry('ret', 'ret', ['Iw'], { faults: ['page'] });
ONE_BYTE[0xc3] = entry('ret', 'ret', [], { faults: ['page'] });
ONE_BYTE[0xc4] = unsupported('les', ['Gv', 'Mp']);
ONE_BYTE[0xc5] = unsupported('lds', ['Gv', 'Mp']);
ONE_BYTE[0xc6] = group('group11', [entry('mov', 'mov', ['Eb', 'Ib']), INVALID, INVALID, INVALID, INVALID, INVALID, INVALID, INVALID]);
ONE_BYTE[0xc7] = group('group11', [entry('mov', 'mov', ['Ev', 'Iz']), INVALID, INVALID, INVALID, INVALID, INVALID, INVALID, INVALID]);
ONE_BYTE[0xc8] = entry('enter', 'enter', ['Iw', 'Ib'], { faults: ['page'] });
ONE_BYTE[0xc9] = entry('leave', 'leave', [], { faults: ['page'] });
ONE_BYTE[0xca] = unsupported('lret', ['Iw']);
ONE_BYTE[0xcb] = unsupported('lret');
ONE_BYTE[0xcc] = entry('int3', 'int3', [], { faults: ['int3'] });
ONE_BYTE[0xcd] = entry('int', 'int', ['Ib'], { faults: ['interrupt'], note: 'int 0x80 stops with kind syscall' });
ONE_BYTE[0xce] = entry('into', 'into', [], { faults: ['interrupt'], tested: OF, note: 'vector 4 when OF is set' });
ONE_BYTE[0xcf] = unsupported('iret');
ONE_BYTE[0xd0] = group2(['Eb', '1']);
ONE_BYTE[0xd1] = group2(['Ev', '1']);
ONE_BYTE[0xd2] = group2(['Eb', 'CL']);
ONE_BYTE[0xd3] = group2(['Ev', 'CL']);
ONE_BYTE[0xd4] = entry('aam', 'aam', ['Ib'], { defined: SF | ZF | PF, undefined: OF | AF | CF, faults: ['divide'] });
ONE_BYTE[0xd5] = entry('aad', 'aad', ['Ib'], { defined: SF | ZF | PF, undefined: OF | AF | CF });
ONE_BYTE[0xd6] = unsupported('salc');
ONE_BYTE[0xd7] = entry('xlat', 'xlat', [], { faults: ['page'], note: 'reads DS:[EBX + AL]' });
for (let b = 0xd8; b <= 0xdf; b++) ONE_BYTE[b] = unsupported('x87', ['Ex']);
ONE_BYTE[0xe0] = entry('loopne', 'loopne', ['Jb'], { tested: ZF });
ONE_BYTE[0xe1] = entry('loope', 'loope', ['Jb'], { tested: ZF });
ONE_BYTE[0xe2] = entry('loop', 'loop', ['Jb']);
ONE_BYTE[0xe3] = entry('jecxz', 'jecxz', ['Jb']);
ONE_BYTE[0xe4] = unsupported('in', ['AL', 'Ib']);
ONE_BYTE[0xe5] = unsupported('in', ['eAX', 'Ib']);
ONE_BYTE[0xe6] = unsupported('out', ['Ib', 'AL']);
ONE_BYTE[0xe7] = unsupported('out', ['Ib', 'eAX']);
ONE_BYTE[0xe8] = entry('call', 'call', ['Jz'], { faults: ['page'] });
ONE_BYTE[0xe9] = entry('jmp', 'jmp', ['Jz']);
ONE_BYTE[0xea] = unsupported('ljmp', ['Ap']);
ONE_BYTE[0xeb] = entry('jmp', 'jmp', ['Jb']);
ONE_BYTE[0xec] = unsupported('in', ['AL', 'DX']);
ONE_BYTE[0xed] = unsupported('in', ['eAX', 'DX']);
ONE_BYTE[0xee] = unsupported('out', ['DX', 'AL']);
ONE_BYTE[0xef] = unsupported('out', ['DX', 'eAX']);
ONE_BYTE[0xf1] = unsupported('int1');
ONE_BYTE[0xf4] = entry('hlt', 'hlt', []);
ONE_BYTE[0xf5] = entry('cmc', 'cmc', [], { defined: CF, tested: CF });
const GROUP3_DIV = { ...DIVF };
function group3(size: 'Eb' | 'Ev'): OpcodeGroup {
  const imm: OperandSpec = size === 'Eb' ? 'Ib' : 'Iz';
  return group('group3', [
    entry('test', 'test', [size, imm], LOGIC),
    entry('test', 'test', [size, imm], LOGIC),
    entry('not', 'not', [size], { lockable: true }),
    entry('neg', 'neg', [size], { ...ARITH, lockable: true, note: 'CF = (source != 0)' }),
    entry('mul', 'mul', [size], MULF),
    entry('imul', 'imul1', [size], MULF),
    entry('div', 'div', [size], GROUP3_DIV),
    entry('idiv', 'idiv', [size], GROUP3_DIV),
  ]);
}
ONE_BYTE[0xf6] = group3('Eb');
ONE_BYTE[0xf7] = group3('Ev');
ONE_BYTE[0xf8] = entry('clc', 'clc', [], { defined: CF });
ONE_BYTE[0xf9] = entry('stc', 'stc', [], { defined: CF });
ONE_BYTE[0xfa] = unsupported('cli');
ONE_BYTE[0xfb] = unsupported('sti');
ONE_BYTE[0xfc] = entry('cld', 'cld', [], { defined: DF });
ONE_BYTE[0xfd] = entry('std', 'std', [], { defined: DF });
ONE_BYTE[0xfe] = group('group4', [
  entry('inc', 'inc', ['Eb'], { ...INCDEC, lockable: true }),
  entry('dec', 'dec', ['Eb'], { ...INCDEC, lockable: true }),
  INVALID, INVALID, INVALID, INVALID, INVALID, INVALID,
]);
ONE_BYTE[0xff] = group('group5', [
  entry('inc', 'inc', ['Ev'], { ...INCDEC, lockable: true }),
  entry('dec', 'dec', ['Ev'], { ...INCDEC, lockable: true }),
  entry('call', 'call_indirect', ['Ev'], { faults: ['page'] }),
  unsupported('lcall', ['Mp']),
  entry('jmp', 'jmp_indirect', ['Ev']),
  unsupported('ljmp', ['Mp']),
  entry('push', 'push', ['Ev'], { faults: ['page'] }),
  INVALID,
]);

// ---------------------------------------------------------------------------------------------
// Two-byte map (0F xx).

export const TWO_BYTE: (TableSlot | null)[] = new Array(256).fill(null);
const SSE = (): OpcodeEntry => unsupported('sse', ['Gx', 'Ex']);
const SSE_IMM = (): OpcodeEntry => unsupported('sse', ['Gx', 'Ex', 'Ib']);

TWO_BYTE[0x00] = group('group6', new Array(8).fill(0).map(() => unsupported('system', ['Ew'])));
TWO_BYTE[0x01] = group('group7', new Array(8).fill(0).map(() => unsupported('system', ['Ex'])));
TWO_BYTE[0x02] = unsupported('lar', ['Gv', 'Ew']);
TWO_BYTE[0x03] = unsupported('lsl', ['Gv', 'Ew']);
TWO_BYTE[0x05] = unsupported('syscall');
TWO_BYTE[0x06] = unsupported('clts');
TWO_BYTE[0x07] = unsupported('sysret');
TWO_BYTE[0x08] = unsupported('invd');
TWO_BYTE[0x09] = unsupported('wbinvd');
TWO_BYTE[0x0b] = entry('ud2', 'ud2', [], { status: 'ok', faults: ['invalid-opcode'] });
TWO_BYTE[0x0d] = entry('prefetch', 'nop', ['M'], { memoryOnly: true, note: 'AMD prefetch hint' });
TWO_BYTE[0x0e] = unsupported('femms');
TWO_BYTE[0x0f] = unsupported('3dnow', ['Gx', 'Ex', 'Ib']); // the trailing byte is the 3DNow! opcode
for (let b = 0x10; b <= 0x17; b++) TWO_BYTE[b] = SSE();
TWO_BYTE[0x18] = group('group16', new Array(8).fill(0).map(() => entry('nop', 'nop', ['Ev'], { note: 'prefetch hint' })));
for (let b = 0x19; b <= 0x1f; b++) TWO_BYTE[b] = entry('nop', 'nop', ['Ev'], { note: 'hint nop (0F 1F /0 is the multi-byte nop; F3 0F 1E FB is endbr32)' });
for (let b = 0x20; b <= 0x23; b++) TWO_BYTE[b] = unsupported('mov', ['Ex', 'Gx']);
for (let b = 0x28; b <= 0x2f; b++) TWO_BYTE[b] = SSE();
TWO_BYTE[0x30] = unsupported('wrmsr');
TWO_BYTE[0x31] = entry('rdtsc', 'rdtsc', [], { note: 'returns the retired-instruction count' });
TWO_BYTE[0x32] = unsupported('rdmsr');
TWO_BYTE[0x33] = unsupported('rdpmc');
TWO_BYTE[0x34] = unsupported('sysenter');
TWO_BYTE[0x35] = unsupported('sysexit');
TWO_BYTE[0x37] = unsupported('getsec');
for (let c = 0; c < 16; c++) {
  TWO_BYTE[0x40 + c] = entry('cmov' + CONDITION_NAMES[c], 'cmovcc', ['Gv', 'Ev'], { cond: c, tested: CONDITION_FLAGS[c], note: 'a memory source is read (and may fault) even when the condition is false' });
  TWO_BYTE[0x80 + c] = entry('j' + CONDITION_NAMES[c], 'jcc', ['Jz'], { cond: c, tested: CONDITION_FLAGS[c] });
  TWO_BYTE[0x90 + c] = entry('set' + CONDITION_NAMES[c], 'setcc', ['Eb'], { cond: c, tested: CONDITION_FLAGS[c] });
}
for (let b = 0x50; b <= 0x7f; b++) TWO_BYTE[b] = SSE();
for (let b = 0x70; b <= 0x73; b++) TWO_BYTE[b] = SSE_IMM();
TWO_BYTE[0x77] = unsupported('emms');
TWO_BYTE[0x78] = unsupported('vmread', ['Ex', 'Gx']);
TWO_BYTE[0x79] = unsupported('vmwrite', ['Gx', 'Ex']);
TWO_BYTE[0x7a] = null;
TWO_BYTE[0x7b] = null;
TWO_BYTE[0xa0] = entry('push', 'push_seg', ['FS'], { faults: ['page'] });
TWO_BYTE[0xa1] = entry('pop', 'pop_seg', ['FS'], { faults: ['page', 'general-protection'] });
TWO_BYTE[0xa2] = entry('cpuid', 'cpuid', []);
TWO_BYTE[0xa3] = entry('bt', 'bt', ['Ev', 'Gv'], { ...BTF, note: 'a memory operand is a bit string: the signed register offset selects the dword/word' });
TWO_BYTE[0xa4] = entry('shld', 'shld', ['Ev', 'Gv', 'Ib'], { ...SHIFTF, note: SHIFT_NOTE + '; 16-bit count > 16 leaves result and flags undefined' });
TWO_BYTE[0xa5] = entry('shld', 'shld', ['Ev', 'Gv', 'CL'], { ...SHIFTF, note: SHIFT_NOTE + '; 16-bit count > 16 leaves result and flags undefined' });
TWO_BYTE[0xa8] = entry('push', 'push_seg', ['GS'], { faults: ['page'] });
TWO_BYTE[0xa9] = entry('pop', 'pop_seg', ['GS'], { faults: ['page', 'general-protection'] });
TWO_BYTE[0xaa] = unsupported('rsm');
TWO_BYTE[0xab] = entry('bts', 'bts', ['Ev', 'Gv'], { ...BTF, lockable: true });
TWO_BYTE[0xac] = entry('shrd', 'shrd', ['Ev', 'Gv', 'Ib'], { ...SHIFTF, note: SHIFT_NOTE + '; 16-bit count > 16 leaves result and flags undefined' });
TWO_BYTE[0xad] = entry('shrd', 'shrd', ['Ev', 'Gv', 'CL'], { ...SHIFTF, note: SHIFT_NOTE + '; 16-bit count > 16 leaves result and flags undefined' });
TWO_BYTE[0xae] = group('group15', new Array(8).fill(0).map(() => unsupported('sse', ['Ex'])));
TWO_BYTE[0xaf] = entry('imul', 'imul2', ['Gv', 'Ev'], MULF);
TWO_BYTE[0xb0] = entry('cmpxchg', 'cmpxchg', ['Eb', 'Gb'], { ...ARITH, lockable: true });
TWO_BYTE[0xb1] = entry('cmpxchg', 'cmpxchg', ['Ev', 'Gv'], { ...ARITH, lockable: true });
TWO_BYTE[0xb2] = unsupported('lss', ['Gv', 'Mp']);
TWO_BYTE[0xb3] = entry('btr', 'btr', ['Ev', 'Gv'], { ...BTF, lockable: true });
TWO_BYTE[0xb4] = unsupported('lfs', ['Gv', 'Mp']);
TWO_BYTE[0xb5] = unsupported('lgs', ['Gv', 'Mp']);
TWO_BYTE[0xb6] = entry('movzx', 'movzx', ['Gv', 'Eb'], { att: 'movzb' });
TWO_BYTE[0xb7] = entry('movzx', 'movzx', ['Gv', 'Ew'], { att: 'movzw' });
TWO_BYTE[0xb8] = unsupported('popcnt', ['Gv', 'Ev']);
TWO_BYTE[0xb9] = entry('ud1', 'ud2', ['Gv', 'Ev'], { faults: ['invalid-opcode'] });
TWO_BYTE[0xba] = group('group8', [
  INVALID, INVALID, INVALID, INVALID,
  entry('bt', 'bt', ['Ev', 'Ib'], BTF),
  entry('bts', 'bts', ['Ev', 'Ib'], { ...BTF, lockable: true }),
  entry('btr', 'btr', ['Ev', 'Ib'], { ...BTF, lockable: true }),
  entry('btc', 'btc', ['Ev', 'Ib'], { ...BTF, lockable: true }),
]);
TWO_BYTE[0xbb] = entry('btc', 'btc', ['Ev', 'Gv'], { ...BTF, lockable: true });
TWO_BYTE[0xbc] = entry('bsf', 'bsf', ['Gv', 'Ev'], { defined: ZF, undefined: CF | OF | SF | AF | PF, note: 'source 0: ZF=1 and the destination is undefined (unchanged on AMD and here); F3 0F BC is tzcnt on BMI CPUs, bsf here' });
TWO_BYTE[0xbd] = entry('bsr', 'bsr', ['Gv', 'Ev'], { defined: ZF, undefined: CF | OF | SF | AF | PF, note: 'source 0: ZF=1 and the destination is undefined (unchanged on AMD and here); F3 0F BD is lzcnt on ABM CPUs, bsr here' });
TWO_BYTE[0xbe] = entry('movsx', 'movsx', ['Gv', 'Eb'], { att: 'movsb' });
TWO_BYTE[0xbf] = entry('movsx', 'movsx', ['Gv', 'Ew'], { att: 'movsw' });
TWO_BYTE[0xc0] = entry('xadd', 'xadd', ['Eb', 'Gb'], { ...ARITH, lockable: true });
TWO_BYTE[0xc1] = entry('xadd', 'xadd', ['Ev', 'Gv'], { ...ARITH, lockable: true });
TWO_BYTE[0xc2] = SSE_IMM();
TWO_BYTE[0xc3] = unsupported('movnti', ['Gx', 'Ex']);
TWO_BYTE[0xc4] = SSE_IMM();
TWO_BYTE[0xc5] = SSE_IMM();
TWO_BYTE[0xc6] = SSE_IMM();
{
  const c7: OpcodeEntry[] = new Array(8).fill(INVALID);
  c7[1] = entry('cmpxchg8b', 'cmpxchg8b', ['Mq'], { defined: ZF, lockable: true, memoryOnly: true });
  const c7reg: OpcodeEntry[] = new Array(8).fill(INVALID);
  c7reg[6] = unsupported('rdrand', ['Ev']);
  c7reg[7] = unsupported('rdseed', ['Ev']);
  TWO_BYTE[0xc7] = group('group9', c7, c7reg);
}
for (let r = 0; r < 8; r++) TWO_BYTE[0xc8 + r] = entry('bswap', 'bswap', ['Zd']);
for (let b = 0xd0; b <= 0xfe; b++) TWO_BYTE[b] = SSE();
TWO_BYTE[0xff] = entry('ud0', 'ud2', [], { faults: ['invalid-opcode'], note: 'AMD decodes ud0 without a ModRM byte' });
// 0F 38 xx and 0F 3A xx are three-byte maps (SSSE3 and later, movbe): all out of scope. The
// decoder consumes the third byte, a ModRM, and (0F 3A) an imm8.
TWO_BYTE[0x38] = unsupported('sse', ['Gx', 'Ex']);
TWO_BYTE[0x3a] = unsupported('sse', ['Gx', 'Ex', 'Ib']);
for (let b = 0; b < 256; b++) if (TWO_BYTE[b] === null) TWO_BYTE[b] = INVALID;
for (let b = 0; b < 256; b++) if (ONE_BYTE[b] === null) ONE_BYTE[b] = INVALID;

/** Entry reported for VEX/EVEX-encoded (AVX) instructions (C4/C5/62 followed by ModRM.mod == 3). */
export const AVX_ENTRY: OpcodeEntry = unsupported('avx', ['Gx', 'Ex']);

/** Every distinct OpcodeEntry reachable from the maps, with where it lives (for generators). */
export interface TableEntryLocation {
  readonly map: 'one-byte' | 'two-byte';
  readonly opcode: number;
  /** ModRM.reg for group members, else -1. */
  readonly reg: number;
  /** True for a group member used only when ModRM.mod == 3. */
  readonly registerForm: boolean;
  readonly entry: OpcodeEntry;
}

export function allEntries(): TableEntryLocation[] {
  const out: TableEntryLocation[] = [];
  const visit = (map: 'one-byte' | 'two-byte', slots: (TableSlot | null)[]) => {
    for (let b = 0; b < 256; b++) {
      const s = slots[b];
      if (s === null) continue;
      if (isEntry(s)) out.push({ map, opcode: b, reg: -1, registerForm: false, entry: s });
      else if (s.kind === 'group') {
        s.entries.forEach((e, reg) => out.push({ map, opcode: b, reg, registerForm: false, entry: e }));
        s.registerEntries?.forEach((e, reg) => out.push({ map, opcode: b, reg, registerForm: true, entry: e }));
      }
    }
  };
  visit('one-byte', ONE_BYTE);
  visit('two-byte', TWO_BYTE);
  return out;
}
