// Generates the GNU-as mipsel (o32, MIPS32r2) differential programs. Everything comes from
// a fixed-seed PRNG: the same generator always writes the same text, and a test checks the
// committed sources against it.
//
// A "state" program runs cases; each case loads every usable register (and HI/LO) with
// random or edge values, runs a short random instruction sequence, then dumps its state
// with write(2): 32 GPRs, HI, LO (136 bytes) followed by the 64-byte scratch buffer the
// memory instructions work on — one 200-byte record per case. $sp holds the dump area's
// address (never randomised); $k0/$k1 are left alone (a kernel may clobber them) and dumped
// as 0. Other programs end in a fault or trap, and their exit status is what is compared.

import { Random } from './random';

export const STATE_RECORD_BYTES = 200;
export const SCRATCH_BYTES = 64;

export interface GeneratedProgram {
  /** File stem: src/NAME.S, bin/NAME. */
  name: string;
  source: string;
  /** stdout is a sequence of STATE_RECORD_BYTES-byte state dumps. */
  stateDumps: boolean;
  /** Needs an FPU on the reference (qemu -cpu 24Kf); the emulator emulates FPU moves as Linux does. */
  usesFpu?: boolean;
}

const SP = 29;
/** Registers a case may read. */
const SOURCES = Array.from({ length: 32 }, (_, i) => i).filter((r) => r !== 26 && r !== 27 && r !== SP);
/** Registers a case may write. */
const DESTS = SOURCES.filter((r) => r !== 0);

const EDGE_VALUES = [
  0, 1, 2, 3, -1, -2, 0x7fffffff, -0x80000000, -0x7fffffff, 0x7ffffffe, 0xffff, 0x8000, 0x7fff, -0x8000, -0x8001,
  0x10000, 0x00ff00ff, -0x00ff0100, 0x12345678, -0x789abcdf, 31, 32, 33, 0x80, 0xff, -0x80, 0x55555555, -0x55555556,
];

function hex(v: number): string {
  return '0x' + (v >>> 0).toString(16);
}

function value(rng: Random): number {
  switch (rng.below(6)) {
    case 0:
      return rng.pick(EDGE_VALUES) | 0;
    case 1:
      return rng.range(-40, 40);
    case 2: {
      const p = 1 << rng.below(32);
      return (p + rng.range(-1, 1)) | 0;
    }
    case 3:
      return ((rng.u32() & 0xff) << 24) >> (rng.below(4) * 8); // sign-extended byte patterns
    default:
      return rng.u32() | 0;
  }
}

/** Loads a 32-bit constant without assembler macros (.set noat forbids them). */
function setReg(r: number, v: number): string[] {
  v |= 0;
  if (v >= -0x8000 && v <= 0x7fff) return [`addiu $${r}, $0, ${v}`];
  const hi = (v >>> 16) & 0xffff;
  const lo = v & 0xffff;
  if (lo === 0) return [`lui $${r}, ${hex(hi)}`];
  return [`lui $${r}, ${hex(hi)}`, `ori $${r}, $${r}, ${hex(lo)}`];
}

function symbolPlus(symbol: string, offset: number): string {
  return offset === 0 ? symbol : offset > 0 ? `${symbol}+${offset}` : `${symbol}-${-offset}`;
}

/** Points r at scratch+address-imm, so that imm(r) addresses scratch+address. */
function setBase(r: number, address: number, imm: number): string[] {
  const sym = symbolPlus('scratch', address - imm);
  return [`lui $${r}, %hi(${sym})`, `addiu $${r}, $${r}, %lo(${sym})`];
}

class CaseWriter {
  private labelCount = 0;
  readonly lines: string[] = [];

  constructor(
    readonly rng: Random,
    private readonly labelPrefix: string,
  ) {}

  label(): string {
    return `.L${this.labelPrefix}_${this.labelCount++}`;
  }

  dest(avoid: readonly number[] = []): number {
    // $0 as a destination now and then: the write must vanish.
    if (avoid.length === 0 && this.rng.chance(0.03)) return 0;
    for (;;) {
      const r = this.rng.pick(DESTS);
      if (!avoid.includes(r)) return r;
    }
  }

  /** A register to hold an address, counter or operand: never $0. */
  reg(avoid: readonly number[] = []): number {
    for (;;) {
      const r = this.rng.pick(DESTS);
      if (!avoid.includes(r)) return r;
    }
  }

  src(): number {
    return this.rng.pick(SOURCES);
  }

  emit(...lines: string[]): void {
    this.lines.push(...lines);
  }
}

type Emitter = (w: CaseWriter, avoid: readonly number[]) => void;

const R3_ALU = ['addu', 'subu', 'and', 'or', 'xor', 'nor', 'slt', 'sltu', 'movn', 'movz'];
const SHIFT_VARIABLE = ['sllv', 'srlv', 'srav', 'rotrv'];
const SHIFT_IMMEDIATE = ['sll', 'srl', 'sra', 'rotr'];
const I_SIGNED = ['addiu', 'slti', 'sltiu'];
const I_UNSIGNED = ['andi', 'ori', 'xori'];

function imm16(rng: Random, signed: boolean): number {
  const v = rng.chance(0.5) ? rng.pick([0, 1, -1, 0x7fff, -0x8000, 0x8000, 0xffff, 0x00ff, 0xff00]) : rng.u32() & 0xffff;
  if (signed) return (v << 16) >> 16;
  return v & 0xffff;
}

/** One register-only ALU instruction (safe in a delay slot). */
const simpleAlu: Emitter = (w, avoid) => {
  const rng = w.rng;
  switch (rng.below(5)) {
    case 0:
      w.emit(`${rng.pick(R3_ALU)} $${w.dest(avoid)}, $${w.src()}, $${w.src()}`);
      break;
    case 1:
      w.emit(`${rng.pick(SHIFT_VARIABLE)} $${w.dest(avoid)}, $${w.src()}, $${w.src()}`);
      break;
    case 2:
      w.emit(`${rng.pick(SHIFT_IMMEDIATE)} $${w.dest(avoid)}, $${w.src()}, ${rng.below(32)}`);
      break;
    case 3: {
      const signed = rng.chance(0.5);
      w.emit(`${rng.pick(signed ? I_SIGNED : I_UNSIGNED)} $${w.dest(avoid)}, $${w.src()}, ${imm16(rng, signed)}`);
      break;
    }
    default:
      w.emit(`lui $${w.dest(avoid)}, ${hex(imm16(rng, false))}`);
  }
};

const bitField: Emitter = (w, avoid) => {
  const rng = w.rng;
  switch (rng.below(7)) {
    case 0:
    case 1: {
      const pos = rng.below(32);
      const size = rng.range(1, 32 - pos);
      w.emit(`ext $${w.dest(avoid)}, $${w.src()}, ${pos}, ${size}`);
      break;
    }
    case 2:
    case 3: {
      const pos = rng.below(32);
      const size = rng.range(1, 32 - pos);
      w.emit(`ins $${w.dest(avoid)}, $${w.src()}, ${pos}, ${size}`);
      break;
    }
    case 4:
      w.emit(`${rng.pick(['seb', 'seh', 'wsbh'])} $${w.dest(avoid)}, $${w.src()}`);
      break;
    case 5:
      w.emit(`${rng.pick(['clz', 'clo'])} $${w.dest(avoid)}, $${w.src()}`);
      break;
    default:
      if (rng.chance(0.5)) w.emit(`rotr $${w.dest(avoid)}, $${w.src()}, ${rng.below(32)}`);
      else w.emit(`rotrv $${w.dest(avoid)}, $${w.src()}, $${w.src()}`);
  }
};

const mulDiv: Emitter = (w, avoid) => {
  const rng = w.rng;
  switch (rng.below(6)) {
    case 0:
      // MUL leaves HI/LO UNPREDICTABLE (MIPS32 r2), so give them defined values again.
      w.emit(`mul $${w.dest(avoid)}, $${w.src()}, $${w.src()}`, `mthi $${w.src()}`, `mtlo $${w.src()}`);
      break;
    case 1:
      w.emit(`${rng.pick(['madd', 'maddu', 'msub', 'msubu'])} $${w.src()}, $${w.src()}`);
      break;
    case 2:
      w.emit(`${rng.pick(['mult', 'multu'])} $${w.src()}, $${w.src()}`);
      break;
    case 3: {
      // Division by zero is UNPREDICTABLE: the divisor gets a fresh non-zero value.
      const rt = w.reg(avoid);
      let d = value(rng);
      if (d === 0) d = 7;
      const rs = w.src();
      if (rng.chance(0.2) && rs !== rt && rs !== 0 && !avoid.includes(rs)) {
        w.emit(...setReg(rs, -0x80000000), ...setReg(rt, -1));
      } else {
        w.emit(...setReg(rt, d));
      }
      w.emit(`${rng.pick(['div', 'divu'])} $0, $${rs}, $${rt}`);
      break;
    }
    case 4:
      w.emit(`${rng.pick(['mfhi', 'mflo'])} $${w.dest(avoid)}`);
      break;
    default:
      w.emit(`${rng.pick(['mthi', 'mtlo'])} $${w.src()}`);
  }
};

/** add/addi/sub on operands chosen not to overflow (overflow has its own programs). */
const trappingArithmetic: Emitter = (w, avoid) => {
  const rng = w.rng;
  const op = rng.pick(['add', 'addi', 'sub']);
  const rs = w.reg(avoid);
  for (;;) {
    const a = value(rng);
    if (op === 'addi') {
      const imm = imm16(rng, true);
      if (a + imm > 0x7fffffff || a + imm < -0x80000000) continue;
      w.emit(...setReg(rs, a), `addi $${w.dest(avoid)}, $${rs}, ${imm}`);
      return;
    }
    const rt = w.reg([...avoid, rs]);
    const b = value(rng);
    const r = op === 'add' ? a + b : a - b;
    if (r > 0x7fffffff || r < -0x80000000) continue;
    w.emit(...setReg(rs, a), ...setReg(rt, b), `${op} $${w.dest(avoid)}, $${rs}, $${rt}`);
    return;
  }
};

const LOADS: Record<string, number> = { lb: 1, lbu: 1, lh: 2, lhu: 2, lw: 4 };
const STORES: Record<string, number> = { sb: 1, sh: 2, sw: 4 };

function memoryAddress(w: CaseWriter, size: number, aligned: boolean): { address: number; imm: number } {
  const rng = w.rng;
  let address = rng.below(SCRATCH_BYTES - size + 1);
  if (aligned) address &= ~(size - 1);
  const imm = rng.chance(0.3) ? 0 : rng.range(-200, 200);
  return { address, imm };
}

const memory: Emitter = (w, avoid) => {
  const rng = w.rng;
  const base = w.reg(avoid);
  const kind = rng.below(7);
  if (kind <= 1) {
    const op = rng.pick(Object.keys(LOADS));
    const { address, imm } = memoryAddress(w, LOADS[op], true);
    w.emit(...setBase(base, address, imm), `${op} $${w.dest(avoid)}, ${imm}($${base})`);
  } else if (kind <= 3) {
    const op = rng.pick(Object.keys(STORES));
    const { address, imm } = memoryAddress(w, STORES[op], true);
    w.emit(...setBase(base, address, imm), `${op} $${w.src()}, ${imm}($${base})`);
  } else if (kind === 4) {
    // A lone partial-word access: any address, any register contents.
    const op = rng.pick(['lwl', 'lwr', 'swl', 'swr']);
    const { address, imm } = memoryAddress(w, 1, false);
    const rt = op.startsWith('l') ? w.dest([...avoid, base]) : w.src();
    w.emit(...setBase(base, address, imm), `${op} $${rt}, ${imm}($${base})`);
  } else if (kind === 5) {
    // The unaligned-word idiom, both orders, loads and stores.
    const load = rng.chance(0.5);
    const { address, imm } = memoryAddress(w, 4, false);
    const rt = load ? w.dest([...avoid, base]) : w.src();
    const [left, right] = load ? ['lwl', 'lwr'] : ['swl', 'swr'];
    const pair = [`${left} $${rt}, ${imm + 3}($${base})`, `${right} $${rt}, ${imm}($${base})`];
    if (rng.chance(0.5)) pair.reverse();
    w.emit(...setBase(base, address, imm), ...pair);
  } else {
    // LL/SC, single-threaded: SC right after LL of the same word succeeds. Never a second SC
    // without a new LL (qemu-user compares values, cmpxchg-style, where a core clears LLbit) nor
    // a system call in between (Linux's eret clears the link, qemu-user keeps it).
    const { address, imm } = memoryAddress(w, 4, true);
    const loaded = w.dest([...avoid, base]);
    const stored = w.dest([...avoid, base]);
    w.emit(...setBase(base, address, imm), `ll $${loaded}, ${imm}($${base})`);
    const between = rng.below(3);
    for (let i = 0; i < between; i++) simpleAlu(w, [...avoid, base, stored]);
    w.emit(`sc $${stored}, ${imm}($${base})`);
  }
};

const CONDITIONAL_BRANCHES: Record<string, 'rs-rt' | 'rs' | 'rs-link'> = {
  beq: 'rs-rt', bne: 'rs-rt', beql: 'rs-rt', bnel: 'rs-rt',
  blez: 'rs', bgtz: 'rs', bltz: 'rs', bgez: 'rs', blezl: 'rs', bgtzl: 'rs', bltzl: 'rs', bgezl: 'rs',
  bltzal: 'rs-link', bgezal: 'rs-link', bltzall: 'rs-link', bgezall: 'rs-link',
};

/** A forward branch or jump with a delay slot and a skippable instruction. */
const branch: Emitter = (w, avoid) => {
  const rng = w.rng;
  const target = w.label();
  const kind = rng.below(10);
  let jumpRegister = -1;
  if (kind < 6) {
    const op = rng.pick(Object.keys(CONDITIONAL_BRANCHES));
    const form = CONDITIONAL_BRANCHES[op];
    let rs = w.src();
    if (form === 'rs-rt') {
      let rt = w.src();
      if (rng.chance(0.4)) rt = rs; // equal operands: taken for beq
      else if (rng.chance(0.3) && rt !== 0 && !avoid.includes(rt)) w.emit(`addu $${rt}, $${rs}, $0`);
      w.emit(`${op} $${rs}, $${rt}, ${target}`);
    } else {
      // A link branch must not test $31 (UNPREDICTABLE).
      while (form === 'rs-link' && rs === 31) rs = w.src();
      w.emit(`${op} $${rs}, ${target}`);
    }
  } else if (kind === 6) {
    w.emit(`${rng.pick(['j', 'jal', 'b', 'bal'])} ${target}`);
  } else {
    jumpRegister = w.reg([...avoid, 31]); // jalr with rd == rs is UNPREDICTABLE
    w.emit(`lui $${jumpRegister}, %hi(${target})`, `addiu $${jumpRegister}, $${jumpRegister}, %lo(${target})`);
    const hazardBarrier = rng.chance(0.25) ? '.hb' : '';
    if (kind === 7) w.emit(`jr${hazardBarrier} $${jumpRegister}`);
    else if (kind === 8) w.emit(`jalr${hazardBarrier} $${jumpRegister}`);
    else {
      const link = w.dest([...avoid, jumpRegister]);
      w.emit(`jalr $${link}, $${jumpRegister}`);
    }
  }
  simpleAlu(w, avoid); // delay slot (annulled for a likely branch not taken)
  const skipped = rng.range(1, 2);
  for (let i = 0; i < skipped; i++) simpleAlu(w, avoid);
  w.emit(`${target}:`);
};

/** A short backward loop counted down in a register nothing else in the loop writes. */
const loop: Emitter = (w, avoid) => {
  const rng = w.rng;
  const counter = w.reg(avoid);
  const top = w.label();
  w.emit(`addiu $${counter}, $0, ${rng.range(1, 5)}`, `${top}:`);
  const body = rng.range(1, 3);
  for (let i = 0; i < body; i++) simpleAlu(w, [...avoid, counter]);
  w.emit(`addiu $${counter}, $${counter}, -1`);
  w.emit(rng.chance(0.5) ? `bne $${counter}, $0, ${top}` : `bgtz $${counter}, ${top}`);
  simpleAlu(w, [...avoid, counter]);
};

/** A counted loop whose body holds anything: memory, branches, jumps, multiply/divide, bit fields. */
const richLoop: Emitter = (w, avoid) => {
  const rng = w.rng;
  const counter = w.reg([...avoid, 31]); // link branches in the body write $31
  const top = w.label();
  const inner = [...avoid, counter];
  w.emit(`addiu $${counter}, $0, ${rng.range(1, 6)}`, `${top}:`);
  const body = rng.range(2, 6);
  for (let i = 0; i < body; i++) pickWeighted(rng, [[simpleAlu, 3], [memory, 2], [branch, 2], [mulDiv, 1], [bitField, 1]])(w, inner);
  w.emit(`addiu $${counter}, $${counter}, -1`);
  w.emit(rng.chance(0.5) ? `bne $${counter}, $0, ${top}` : `bgtz $${counter}, ${top}`);
  simpleAlu(w, inner);
};

/** Instructions a user program may use that change little or nothing: hints, barriers, rdhwr. */
const misc: Emitter = (w, avoid) => {
  const rng = w.rng;
  switch (rng.below(6)) {
    case 0:
      // CPUNum and SYNCI_Step (CC counts time and CCRes is the Count rate: models differ).
      w.emit(`rdhwr $${w.dest(avoid)}, $${rng.below(2)}`);
      break;
    case 1:
      w.emit(rng.pick(['sync', 'ehb', 'ssnop', 'nop']));
      break;
    default: {
      const base = w.reg(avoid);
      const { address, imm } = memoryAddress(w, 1, false);
      w.emit(...setBase(base, address, imm), rng.chance(0.7) ? `pref ${rng.pick([0, 1, 4, 5, 6, 7, 25, 30])}, ${imm}($${base})` : `synci ${imm}($${base})`);
    }
  }
};

interface StateProgramPlan {
  name: string;
  seed: number;
  cases: number;
  /** [emitter, weight] */
  mix: [Emitter, number][];
  minLength: number;
  maxLength: number;
}

function pickWeighted(rng: Random, mix: [Emitter, number][]): Emitter {
  const total = mix.reduce((s, [, wgt]) => s + wgt, 0);
  let x = rng.below(total);
  for (const [e, wgt] of mix) {
    if (x < wgt) return e;
    x -= wgt;
  }
  return mix[0][0];
}

const HEADER = (name: string, what: string) => [
  `# ${name}: ${what}`,
  `\t.file "${name}.S"`, // a fixed FILE symbol keeps the linked binary reproducible
  '# Generated by test/mips-differential/generator.ts (fixed seed); do not edit.',
  '\t.set noreorder',
  '\t.set noat',
  '\t.text',
  '\t.globl __start',
  '__start:',
];

function indent(lines: string[]): string[] {
  return lines.map((l) => (l.endsWith(':') || l.startsWith('#') ? l : '\t' + l));
}

function dumpState(): string[] {
  const out: string[] = [];
  for (let r = 0; r < 32; r++) out.push(r === 26 || r === 27 ? `sw $0, ${4 * r}($29)` : `sw $${r}, ${4 * r}($29)`);
  out.push('mfhi $1', 'sw $1, 128($29)', 'mflo $1', 'sw $1, 132($29)');
  out.push('addiu $4, $0, 1', 'addu $5, $29, $0', `addiu $6, $0, ${STATE_RECORD_BYTES}`, 'addiu $2, $0, 4004', 'syscall');
  return out;
}

function exitWith(status: number): string[] {
  return [`addiu $4, $0, ${status}`, 'addiu $2, $0, 4001', 'syscall'];
}

function stateData(rng: Random): string[] {
  const bytes = Array.from({ length: SCRATCH_BYTES }, () => rng.below(256));
  const rows: string[] = [];
  for (let i = 0; i < bytes.length; i += 16) rows.push('\t.byte ' + bytes.slice(i, i + 16).join(', '));
  return ['\t.data', '\t.align 4', 'state:', `\t.space 136`, 'scratch:', ...rows];
}

function initialiseCase(w: CaseWriter): void {
  const rng = w.rng;
  w.emit(...setReg(1, value(rng)), 'mthi $1', ...setReg(1, value(rng)), 'mtlo $1');
  for (const r of DESTS) w.emit(...setReg(r, value(rng)));
}

function stateProgram(plan: StateProgramPlan, what: string): GeneratedProgram {
  const rng = new Random(plan.seed);
  const lines = [...HEADER(plan.name, what), '\tlui $29, %hi(state)', '\taddiu $29, $29, %lo(state)'];
  for (let c = 0; c < plan.cases; c++) {
    const w = new CaseWriter(rng, `c${c}`);
    w.emit(`# case ${c}`);
    initialiseCase(w);
    w.emit(`# case ${c} body`);
    const n = rng.range(plan.minLength, plan.maxLength);
    for (let i = 0; i < n; i++) pickWeighted(rng, plan.mix)(w, []);
    w.emit(`# case ${c} dump`);
    w.emit(...dumpState());
    lines.push(...indent(w.lines));
  }
  lines.push(...indent(exitWith(0)), ...stateData(rng), '');
  return { name: plan.name, source: lines.join('\n'), stateDumps: true };
}

// ---- programs that end abnormally, compared by exit status ----

interface Trap {
  op: string;
  immediate: boolean;
  taken: (a: number, b: number) => boolean;
}

const TRAPS: Trap[] = [
  { op: 'teq', immediate: false, taken: (a, b) => a === b },
  { op: 'tne', immediate: false, taken: (a, b) => a !== b },
  { op: 'tge', immediate: false, taken: (a, b) => a >= b },
  { op: 'tgeu', immediate: false, taken: (a, b) => a >>> 0 >= b >>> 0 },
  { op: 'tlt', immediate: false, taken: (a, b) => a < b },
  { op: 'tltu', immediate: false, taken: (a, b) => a >>> 0 < b >>> 0 },
  { op: 'teqi', immediate: true, taken: (a, b) => a === b },
  { op: 'tnei', immediate: true, taken: (a, b) => a !== b },
  { op: 'tgei', immediate: true, taken: (a, b) => a >= b },
  { op: 'tgeiu', immediate: true, taken: (a, b) => a >>> 0 >= b >>> 0 },
  { op: 'tlti', immediate: true, taken: (a, b) => a < b },
  { op: 'tltiu', immediate: true, taken: (a, b) => a >>> 0 < b >>> 0 },
];

/** Prints "<n>\n"-style progress: writes `count` bytes of the progress string. */
function progress(step: number): string[] {
  return ['addiu $4, $0, 1', 'lui $5, %hi(progress)', `addiu $5, $5, %lo(progress+${step})`, 'addiu $6, $0, 1', 'addiu $2, $0, 4004', 'syscall'];
}

const PROGRESS_DATA = ['\t.data', 'progress:', '\t.ascii "0123456789abcdefghijklmnopqrstuvwxyz\\n"'];

function trapProgram(trap: Trap, seed: number): GeneratedProgram {
  const rng = new Random(seed);
  const name = `trap-${trap.op}`;
  const lines = HEADER(name, `${trap.op} not taken several times (progress marks), then taken: SIGTRAP`);
  const body: string[] = [];
  let step = 0;
  const operands = (): [number, number] => {
    const a = rng.chance(0.5) ? value(rng) : rng.range(-3, 3);
    if (trap.immediate) {
      const b = rng.chance(0.3) ? (a << 16) >> 16 : imm16(rng, true);
      return [a, b];
    }
    return [a, rng.chance(0.3) ? a : rng.chance(0.5) ? value(rng) : rng.range(-3, 3)];
  };
  const emitTrap = (a: number, b: number) => {
    body.push(...setReg(8, a));
    if (trap.immediate) body.push(`${trap.op} $8, ${b}`);
    else {
      body.push(...setReg(9, b));
      body.push(rng.chance(0.5) ? `${trap.op} $8, $9` : `${trap.op} $8, $9, ${rng.below(1024)}`);
    }
  };
  while (step < 8) {
    const [a, b] = operands();
    if (trap.taken(a | 0, b | 0)) continue;
    emitTrap(a, b);
    body.push(...progress(step++));
  }
  for (;;) {
    const [a, b] = operands();
    if (!trap.taken(a | 0, b | 0)) continue;
    emitTrap(a, b);
    break;
  }
  body.push(...progress(35), ...exitWith(0));
  lines.push(...indent(body), ...PROGRESS_DATA, '');
  return { name, source: lines.join('\n'), stateDumps: false };
}

/** Several non-overflowing operations with progress marks, then an overflowing one: SIGFPE. */
function overflowProgram(op: 'add' | 'addi' | 'sub', seed: number): GeneratedProgram {
  const rng = new Random(seed);
  const name = `overflow-${op}`;
  const lines = HEADER(name, `${op} without overflow (progress marks), then with overflow: SIGFPE`);
  const body: string[] = [];
  const result = (a: number, b: number) => (op === 'sub' ? a - b : a + b);
  const fits = (v: number) => v <= 0x7fffffff && v >= -0x80000000;
  const emit = (a: number, b: number) => {
    body.push(...setReg(8, a));
    if (op === 'addi') body.push(`addi $10, $8, ${b}`);
    else body.push(...setReg(9, b), `${op} $10, $8, $9`);
  };
  const operand = () => (op === 'addi' ? imm16(rng, true) : value(rng));
  let step = 0;
  while (step < 8) {
    const a = value(rng);
    const b = operand();
    if (!fits(result(a, b))) continue;
    emit(a, b);
    body.push(...progress(step++));
  }
  for (;;) {
    const a = op === 'addi' ? rng.pick([0x7fffffff, -0x80000000, 0x7fff8000, -0x7fff8000]) : value(rng);
    const b = operand();
    if (fits(result(a, b))) continue;
    emit(a, b);
    break;
  }
  body.push(...progress(35), ...exitWith(0));
  lines.push(...indent(body), ...PROGRESS_DATA, '');
  return { name, source: lines.join('\n'), stateDumps: false };
}

/** A program that prints a mark then executes `faulting`; data has a word-aligned `buf`. */
function faultProgram(name: string, what: string, faulting: string[]): GeneratedProgram {
  const lines = HEADER(name, what);
  const body = [...progress(0), 'lui $8, %hi(buf)', 'addiu $8, $8, %lo(buf)', ...faulting, ...progress(35), ...exitWith(0)];
  lines.push(...indent(body), ...PROGRESS_DATA, '\t.align 4', 'buf:', '\t.word 0x11223344, 0x55667788, 0x99aabbcc', '');
  return { name, source: lines.join('\n'), stateDumps: false };
}

function faultPrograms(): GeneratedProgram[] {
  // No unaligned SC: qemu checks the link address before alignment, so it never faults.
  const out: GeneratedProgram[] = [];
  for (const [op, size] of [['lw', 4], ['lh', 2], ['lhu', 2], ['ll', 4], ['sw', 4], ['sh', 2]] as [string, number][]) {
    for (let offset = 1; offset < size; offset++) {
      out.push(faultProgram(`unaligned-${op}-${offset}`, `${op} at buf+${offset}: address error, SIGBUS`, [`${op} $9, ${offset}($8)`]));
    }
  }
  out.push(faultProgram('segv-load-null', 'lw from address 0: SIGSEGV', ['lw $9, 0($0)']));
  out.push(faultProgram('segv-load-high', 'lw from 0x7fff0000-ish unmapped page: SIGSEGV', ['lui $9, 0x6000', 'lw $9, 0($9)']));
  out.push(faultProgram('segv-store-text', 'sw into the read-only text segment: SIGSEGV', ['lui $9, %hi(__start)', 'addiu $9, $9, %lo(__start)', 'sw $0, 0($9)']));
  out.push(faultProgram('segv-kernel-address', 'lw from kseg0 (0x80000000) in user mode: SIGSEGV', ['lui $9, 0x8000', 'lw $10, 0($9)']));
  out.push(faultProgram('segv-execute-data', 'jump into the non-executable data segment: SIGSEGV', ['jr $8', 'nop']));
  out.push(faultProgram('segv-execute-null', 'jump to address 0: SIGSEGV', ['jr $0', 'nop']));
  // Faulting instructions in delay slots: annulled ones (branch-likely not taken) must not fault.
  const faulting = ['lw $10, 0($0)', 'teq $0, $0', 'add $10, $9, $9', 'lw $10, 1($8)', 'break', '.word 0x0000003f', 'sw $0, 0($11)'];
  const annulled: string[] = ['lui $9, 0x7fff', 'ori $9, $9, 0xffff', 'lui $11, %hi(__start)', 'addiu $11, $11, %lo(__start)'];
  faulting.forEach((insn, i) => {
    annulled.push(`beql $0, $9, .Lannulled${i}`, insn, `.Lannulled${i}:`, `bnel $0, $0, .Lannulled_b${i}`, insn, `.Lannulled_b${i}:`, ...progress(i + 1));
  });
  out.push(faultProgram('delay-slot-annulled', 'faulting instructions in the annulled delay slots of untaken branch-likelies: no fault', annulled));
  const delaySlotFaults: [string, string, string[]][] = [
    ['delay-slot-segv', 'lw from 0 in the delay slot of a taken beq', ['beq $0, $0, .Lt', 'lw $10, 0($0)', 'nop', '.Lt:']],
    ['delay-slot-overflow', 'overflowing add in the delay slot of jal', ['lui $9, 0x7fff', 'jal .Lt', 'add $10, $9, $9', 'nop', '.Lt:']],
    ['delay-slot-trap', 'teq in the delay slot of a not-taken bne', ['bne $0, $0, .Lt', 'teq $0, $0', '.Lt:']],
    ['delay-slot-sigbus', 'misaligned sw in the delay slot of a taken beql', ['beql $0, $0, .Lt', 'sw $0, 2($8)', 'nop', '.Lt:']],
    ['delay-slot-sigill', 'reserved instruction in the delay slot of jr', ['lui $9, %hi(.Lt)', 'addiu $9, $9, %lo(.Lt)', 'jr $9', '.word 0x0000003f', '.Lt:']],
  ];
  for (const [name, what, body] of delaySlotFaults) out.push(faultProgram(name, what, body));
  out.push(faultProgram('sigill-reserved', 'a reserved SPECIAL function (0x0000003f): SIGILL', ['.word 0x0000003f']));
  out.push(faultProgram('sigill-privileged', 'mfc0 in user mode (CP0 unusable): SIGILL', ['mfc0 $9, $12']));
  // Every other privileged (CP0) or coprocessor-2 instruction of the table, in user mode.
  const privileged: [string, string][] = [
    ['mtc0', 'mtc0 $9, $12'], ['eret', 'eret'], ['di', 'di'], ['ei', 'ei'], ['wait', 'wait'], ['cache', 'cache 0, 0($8)'],
    ['tlbwi', 'tlbwi'], ['tlbwr', 'tlbwr'], ['tlbr', 'tlbr'], ['tlbp', 'tlbp'], ['rdpgpr', 'rdpgpr $9, $10'], ['wrpgpr', 'wrpgpr $9, $10'],
    ['deret', 'deret'], ['lwc2', 'lwc2 $1, 0($8)'], ['swc2', 'swc2 $1, 0($8)'], ['ldc2', 'ldc2 $2, 0($8)'], ['sdc2', 'sdc2 $2, 0($8)'], ['cop2', 'cop2 0x10'],
  ];
  for (const [op, insn] of privileged) out.push(faultProgram(`sigill-${op}`, `${insn} in user mode: SIGILL`, [insn]));
  out.push(faultProgram('sigtrap-break', 'break 0: SIGTRAP', ['break']));
  out.push(faultProgram('sigtrap-break-7', 'break 7 (the divide-by-zero code)', ['break 7']));
  return out;
}

/** Syscall conventions: results in v0, error flag in a3, other registers preserved; rdhwr $29. */
function syscallProgram(): GeneratedProgram {
  const rng = new Random(0x5ca11);
  const name = 'syscall-conventions';
  const lines = [...HEADER(name, 'o32 syscall results/errors and rdhwr UserLocal'), '\tlui $29, %hi(state)', '\taddiu $29, $29, %lo(state)'];
  const calls: { what: string; setup: string[] }[] = [
    { what: 'rdhwr $29 before set_thread_area', setup: ['rdhwr $3, $29'] },
    { what: 'set_thread_area(0x12345678) then rdhwr $29', setup: [...setReg(4, 0x12345678), 'addiu $2, $0, 4283', 'syscall', 'rdhwr $24, $29'] },
    { what: 'write(1, scratch, 0) = 0', setup: ['addiu $4, $0, 1', 'lui $5, %hi(scratch)', 'addiu $5, $5, %lo(scratch)', 'addiu $6, $0, 0', 'addiu $2, $0, 4004', 'syscall'] },
    { what: 'write(99, scratch, 4) = -EBADF', setup: ['addiu $4, $0, 99', 'lui $5, %hi(scratch)', 'addiu $5, $5, %lo(scratch)', 'addiu $6, $0, 4', 'addiu $2, $0, 4004', 'syscall'] },
    { what: 'unknown syscall 4999 = -ENOSYS', setup: ['addiu $2, $0, 4999', 'syscall'] },
    { what: 'close(77) = -EBADF', setup: ['addiu $4, $0, 77', 'addiu $2, $0, 4006', 'syscall'] },
    { what: 'set_thread_area(0xfedcba98) then rdhwr $29 into $3', setup: [...setReg(4, 0xfedcba98), 'addiu $2, $0, 4283', 'syscall', 'rdhwr $3, $29'] },
    {
      // Six arguments: fd and offset come from the caller's stack at sp+16 and sp+20. The
      // address differs between kernels, so only its page offset is kept, after using it.
      what: 'mmap2(0, 8192, RW, PRIVATE|ANON, fd=-1 at sp+16, 0 at sp+20), store and load through it',
      setup: [
        'addiu $4, $0, 0', 'addiu $5, $0, 8192', 'addiu $6, $0, 3', 'addiu $7, $0, 0x802', 'addiu $8, $0, -1', 'sw $8, 16($29)', 'sw $0, 20($29)',
        'addiu $2, $0, 4210', 'syscall', ...setReg(9, 0x5a5aa5a5), 'sw $9, 8188($2)', 'lw $10, 8188($2)', 'lw $11, 0($2)', 'andi $2, $2, 0xfff',
      ],
    },
    {
      what: 'rdhwr $29 in the delay slot of a taken and of a not-taken branch',
      setup: ['beq $0, $0, .Lrdhwr_taken', 'rdhwr $3, $29', 'addiu $3, $0, 1', '.Lrdhwr_taken:', 'bne $0, $0, .Lrdhwr_not_taken', 'rdhwr $5, $29', 'addiu $6, $0, 1', '.Lrdhwr_not_taken:'],
    },
    {
      // 64-bit offset: o32 skips a3 and passes the (low, high) pair at sp+16/sp+20. The file is
      // this source, by a path from the repository root; the descriptor number is not compared.
      what: 'open(own source), pread64(fd, scratch+8, 12, offset 2 at sp+16/20), close',
      setup: [
        'lui $4, %hi(source_path)', 'addiu $4, $4, %lo(source_path)', 'addiu $5, $0, 0', 'addiu $6, $0, 0', 'addiu $2, $0, 4005', 'syscall',
        'addu $16, $2, $0', 'addu $4, $2, $0', 'lui $5, %hi(scratch+8)', 'addiu $5, $5, %lo(scratch+8)', 'addiu $6, $0, 12',
        'addiu $8, $0, 2', 'sw $8, 16($29)', 'sw $0, 20($29)', 'addiu $2, $0, 4200', 'syscall',
        'addu $17, $2, $0', 'addu $18, $7, $0', 'addu $4, $16, $0', 'addiu $2, $0, 4006', 'syscall', 'addu $16, $0, $0', 'addu $4, $0, $0',
      ],
    },
    {
      what: 'brk(0), brk(old+8192): the new break minus the old; the new memory is usable',
      setup: [
        'addiu $4, $0, 0', 'addiu $2, $0, 4045', 'syscall', 'addu $16, $2, $0', 'addiu $4, $2, 8192', 'addiu $2, $0, 4045', 'syscall',
        'subu $2, $2, $16', ...setReg(9, 0x13579bdf), 'sw $9, 8188($16)', 'lw $17, 8188($16)', 'addu $16, $0, $0',
      ],
    },
  ];
  calls.forEach((call, c) => {
    const w = new CaseWriter(rng, `c${c}`);
    w.emit(`# case ${c}: ${call.what}`);
    initialiseCase(w);
    w.emit(...call.setup);
    w.emit(...dumpState());
    lines.push(...indent(w.lines));
  });
  lines.push(...indent(exitWith(0)), ...stateData(rng), 'source_path:', `\t.asciz "test/mips-differential/src/${name}.S"`, '');
  return { name, source: lines.join('\n'), stateDumps: true };
}

function exitStatusProgram(): GeneratedProgram {
  const lines = HEADER('exit-group-status', 'exit_group(0x1234): status is the low byte, 0x34');
  lines.push(...indent([...progress(0), ...setReg(4, 0x1234), 'addiu $2, $0, 4246', 'syscall', ...progress(35)]), ...PROGRESS_DATA, '');
  return { name: 'exit-group-status', source: lines.join('\n'), stateDumps: false };
}

// ---- FPU data moves (a 24Kc has none; Linux, and mips-process.ts, emulate them) ----

const FPU_REGISTERS = 12; // $f0..$f11, copied into $1..$12 before each dump
/** mfc1/cfc1 results go to registers the final copy does not overwrite. */
const FPU_GPR_DESTS = DESTS.filter((r) => r > FPU_REGISTERS);

const fpuMove: Emitter = (w) => {
  const rng = w.rng;
  const f = () => rng.below(FPU_REGISTERS);
  const even = () => 2 * rng.below(FPU_REGISTERS / 2);
  const gprDest = () => rng.pick(FPU_GPR_DESTS);
  switch (rng.below(10)) {
    case 8: {
      // An emulated instruction in a branch delay slot: it runs, then the branch completes.
      const target = w.label();
      const taken = rng.chance(0.6);
      w.emit(taken ? `beq $0, $0, ${target}` : `bne $0, $0, ${target}`, rng.chance(0.5) ? `mtc1 $${w.src()}, $f${f()}` : `mfc1 $${gprDest()}, $f${f()}`);
      w.emit(`mtc1 $${w.src()}, $f${f()}`, `${target}:`);
      break;
    }
    case 0: w.emit(`mtc1 $${w.src()}, $f${f()}`); break;
    case 1: w.emit(`mfc1 $${gprDest()}, $f${f()}`); break;
    case 2: w.emit(`mthc1 $${w.src()}, $f${even()}`); break;
    case 3: w.emit(`mfhc1 $${gprDest()}, $f${even()}`); break;
    case 4: w.emit(rng.chance(0.5) ? `mov.s $f${f()}, $f${f()}` : `mov.d $f${even()}, $f${even()}`); break;
    case 5: {
      // FCSR: any value without cause bits (a cause with its enable set traps at once).
      const r = w.reg(FPU_GPR_DESTS.filter((x) => x > 24));
      w.emit(...setReg(r, value(rng) & ~0x0003f000), `ctc1 $${r}, $31`, `cfc1 $${gprDest()}, $31`);
      break;
    }
    case 6: w.emit(`cfc1 $${gprDest()}, $${rng.chance(0.5) ? 0 : 31}`); break;
    default: {
      const double = rng.chance(0.5);
      const load = rng.chance(0.5);
      const size = double ? 8 : 4;
      const base = rng.pick(FPU_GPR_DESTS);
      const { address, imm } = memoryAddress(w, size, true);
      const op = (load ? 'l' : 's') + (double ? 'dc1' : 'wc1');
      w.emit(...setBase(base, address, imm), `${op} $f${double ? even() : f()}, ${imm}($${base})`);
    }
  }
};

function fpuProgram(): GeneratedProgram {
  const rng = new Random(0xf9);
  const name = 'fpu-moves';
  const lines = [...HEADER(name, 'FPU loads/stores/moves and FCSR/FIR (emulated as Linux does on an FPU-less 24Kc)'), '\t.set hardfloat', '\tlui $29, %hi(state)', '\taddiu $29, $29, %lo(state)'];
  for (let c = 0; c < 40; c++) {
    const w = new CaseWriter(rng, `c${c}`);
    w.emit(`# case ${c}`);
    for (let f = 0; f < FPU_REGISTERS; f++) w.emit(...setReg(1, value(rng)), `mtc1 $1, $f${f}`);
    w.emit('ctc1 $0, $31');
    initialiseCase(w);
    w.emit(`# case ${c} body`);
    const n = rng.range(3, 10);
    for (let i = 0; i < n; i++) fpuMove(w, []);
    for (let f = 0; f < FPU_REGISTERS; f++) w.emit(`mfc1 $${f + 1}, $f${f}`);
    w.emit(`# case ${c} dump`, ...dumpState());
    lines.push(...indent(w.lines));
  }
  lines.push(...indent(exitWith(0)), ...stateData(rng), '');
  return { name, source: lines.join('\n'), stateDumps: true, usesFpu: true };
}

/**
 * Self-modifying code: each case copies a routine (random ALU instructions, then jr $31) from
 * .text into an RWX mmap2 page, calls it, overwrites it with a different routine, calls it
 * again (after cacheflush(2), or without it: both qemu and this machine keep code coherent).
 * The page is mapped MAP_FIXED, so its address (which the routines may read) is the same everywhere.
 */
function selfModifyingProgram(): GeneratedProgram {
  const rng = new Random(0x5e1f);
  const name = 'self-modifying';
  const lines = [...HEADER(name, 'code written to an RWX mapping, run, rewritten, run again'), '\tlui $29, %hi(state)', '\taddiu $29, $29, %lo(state)'];
  // mmap2(0x20000000, 4096, RWX, PRIVATE|ANON|FIXED, -1, 0) → codeptr
  lines.push(...indent([
    'lui $4, 0x2000', 'addiu $5, $0, 4096', 'addiu $6, $0, 7', 'addiu $7, $0, 0x812', 'addiu $8, $0, -1', 'sw $8, 16($29)', 'sw $0, 20($29)',
    'addiu $2, $0, 4210', 'syscall', 'lui $8, %hi(codeptr)', 'sw $2, %lo(codeptr)($8)',
  ]));
  const templates: string[] = [];
  const avoid = [8, 9, 10, 31];
  const routine = (label: string, length: number) => {
    const w = new CaseWriter(rng, label);
    for (let i = 0; i < length; i++) simpleAlu(w, avoid);
    templates.push(`${label}:`, ...indent([...w.lines, 'jr $31', 'nop']));
  };
  const ROUTINE_WORDS = 8; // 6 ALU instructions + jr + nop
  for (let c = 0; c < 20; c++) {
    const w = new CaseWriter(rng, `c${c}`);
    w.emit(`# case ${c}`);
    initialiseCase(w);
    w.emit(`# case ${c} body`);
    for (const [version, flush] of [[0, true], [1, rng.chance(0.5)]] as [number, boolean][]) {
      const label = `.Lroutine${c}_${version}`;
      routine(label, ROUTINE_WORDS - 2);
      w.emit('lui $8, %hi(codeptr)', 'lw $8, %lo(codeptr)($8)', `lui $10, %hi(${label})`, `addiu $10, $10, %lo(${label})`);
      for (let i = 0; i < ROUTINE_WORDS; i++) w.emit(`lw $9, ${4 * i}($10)`, `sw $9, ${4 * i}($8)`);
      if (flush) {
        // cacheflush(code, 32, BCACHE): v0 and a3 change, so keep them out of the comparison.
        w.emit('addu $9, $2, $0', 'addu $10, $4, $0', 'addu $4, $8, $0', `addiu $5, $0, ${4 * ROUTINE_WORDS}`, 'addiu $6, $0, 3', 'addiu $2, $0, 4147', 'syscall', 'addu $2, $9, $0', 'addu $4, $10, $0', 'addiu $7, $0, 0');
      }
      w.emit('jalr $8', 'nop');
    }
    w.emit(`# case ${c} dump`, ...dumpState());
    lines.push(...indent(w.lines));
  }
  lines.push(...indent(exitWith(0)), '# routines copied into the RWX page', ...templates, ...stateData(rng), 'codeptr:', '\t.word 0', '');
  return { name, source: lines.join('\n'), stateDumps: true };
}

function fpuFaultProgram(name: string, what: string, faulting: string[]): GeneratedProgram {
  const p = faultProgram(name, what, ['.set hardfloat', ...faulting]);
  return { ...p, usesFpu: true };
}

export function generatePrograms(): GeneratedProgram[] {
  const programs: GeneratedProgram[] = [];
  const state = (name: string, seed: number, what: string, mix: [Emitter, number][], cases = 150, minLength = 3, maxLength = 10) =>
    programs.push(stateProgram({ name, seed, cases, mix, minLength, maxLength }, what));
  state('alu', 101, 'register ALU, shifts, immediates', [[simpleAlu, 10], [trappingArithmetic, 2]]);
  state('muldiv', 202, 'mult/multu/div/divu/mul/madd*/msub*/hi/lo', [[mulDiv, 6], [simpleAlu, 1]]);
  state('bitfield', 303, 'ext/ins (all pos/size), seb/seh/wsbh, rotr/rotrv, clz/clo', [[bitField, 6], [simpleAlu, 1]]);
  state('memory', 404, 'loads/stores, lwl/lwr/swl/swr at every alignment, ll/sc', [[memory, 6], [simpleAlu, 1]]);
  state('branches', 505, 'all branches incl. likely and link forms, jumps, delay slots, loops', [[branch, 5], [loop, 1], [simpleAlu, 1]]);
  state('mixed', 606, 'everything together', [[simpleAlu, 3], [bitField, 2], [mulDiv, 2], [memory, 2], [branch, 2], [loop, 1], [trappingArithmetic, 1], [misc, 1]], 150, 6, 16);
  state('blocks', 707, 'long mixed sequences and loops with memory, branches and jumps inside (block compiler)', [[simpleAlu, 3], [bitField, 1], [mulDiv, 1], [memory, 2], [branch, 2], [richLoop, 2], [misc, 1]], 100, 10, 30);
  // Every lwl/lwr/swl/swr at every alignment, systematically.
  programs.push(partialWordProgram());
  programs.push(exhaustiveProgram());
  programs.push(syscallProgram());
  TRAPS.forEach((t, i) => programs.push(trapProgram(t, 700 + i)));
  (['add', 'addi', 'sub'] as const).forEach((op, i) => programs.push(overflowProgram(op, 800 + i)));
  programs.push(...faultPrograms());
  programs.push(exitStatusProgram());
  programs.push(selfModifyingProgram());
  programs.push(fpuProgram());
  programs.push(fpuFaultProgram('fpu-sigbus-ldc1', 'ldc1 from a 4-aligned, not 8-aligned, address: SIGBUS', ['ldc1 $f2, 4($8)']));
  programs.push(fpuFaultProgram('fpu-sigbus-swc1', 'swc1 to a misaligned address: SIGBUS', ['swc1 $f2, 2($8)']));
  programs.push(fpuFaultProgram('fpu-segv-sdc1', 'sdc1 into the read-only text segment: SIGSEGV', ['lui $9, %hi(__start)', 'addiu $9, $9, %lo(__start)', 'sdc1 $f0, 0($9)']));
  // FPU arithmetic is not emulated: SIGILL, as on an FPU-less 24Kc under qemu (Linux would emulate it).
  programs.push(faultProgram('fpu-arith-sigill', 'add.d on a 24Kc without FPU emulation for arithmetic: SIGILL', ['.set hardfloat', 'add.d $f0, $f2, $f4']));
  programs.push(fpuFaultProgram('fpu-sigfpe-ctc1', 'ctc1 setting the divide-by-zero cause with its enable: SIGFPE', ['ori $9, $0, 0x8400', 'ctc1 $9, $31']));
  return programs;
}

/**
 * Systematic rather than random: ext and ins for every valid (pos, size), every shift amount of
 * the immediate shifts, variable shifts by 0..63 (only the low 5 bits count), clz/clo of every
 * one-bit, all-but-one-bit and low-mask pattern; 16 results per case.
 */
function exhaustiveProgram(): GeneratedProgram {
  const rng = new Random(0xe7);
  const name = 'exhaustive-fields-shifts';
  const lines = [...HEADER(name, 'ext/ins at every (pos, size), all shift amounts, clz/clo of one-bit patterns'), '\tlui $29, %hi(state)', '\taddiu $29, $29, %lo(state)'];
  const operations: string[] = [];
  for (let pos = 0; pos < 32; pos++) {
    for (let size = 1; pos + size <= 32; size++) {
      operations.push(`ext DEST, SRC, ${pos}, ${size}`, `ins DEST, SRC, ${pos}, ${size}`);
    }
  }
  for (const op of ['sll', 'srl', 'sra', 'rotr']) for (let sa = 0; sa < 32; sa++) operations.push(`${op} DEST, SRC, ${sa}`);
  // DEST first holds the shift amount or the pattern, then the result.
  for (const op of ['sllv', 'srlv', 'srav', 'rotrv']) for (let amount = 0; amount < 64; amount++) operations.push(`addiu DEST, $0, ${amount}|${op} DEST, SRC, DEST`);
  for (let bit = 0; bit < 32; bit++) {
    for (const [pattern, op] of [[1 << bit, 'clz'], [~(1 << bit), 'clo'], [(1 << bit) - 1, 'clz'], [~((1 << bit) - 1), 'clo']] as [number, string][]) {
      operations.push(`SET ${pattern}|${op} DEST, DEST`);
    }
  }
  const sources = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12];
  const destinations = [13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 28, 30, 31];
  let c = 0;
  for (let i = 0; i < operations.length; c++) {
    const w = new CaseWriter(rng, `c${c}`);
    w.emit(`# case ${c}`);
    initialiseCase(w);
    w.emit(`# case ${c} body`);
    for (let k = 0; k < destinations.length && i < operations.length; k++, i++) {
      const src = rng.pick(sources);
      for (const part of operations[i].split('|')) {
        if (part.startsWith('SET ')) w.emit(...setReg(destinations[k], Number(part.slice(4))));
        else w.emit(part.replaceAll('DEST', `$${destinations[k]}`).replace('SRC', `$${src}`));
      }
    }
    w.emit(`# case ${c} dump`, ...dumpState());
    lines.push(...indent(w.lines));
  }
  lines.push(...indent(exitWith(0)), ...stateData(rng), '');
  return { name, source: lines.join('\n'), stateDumps: true };
}

/** lwl/lwr/swl/swr for every byte offset 0..7 of an 8-byte window, each from a fresh state. */
function partialWordProgram(): GeneratedProgram {
  const rng = new Random(0x9a7);
  const name = 'partial-word';
  const lines = [...HEADER(name, 'lwl/lwr/swl/swr at every alignment, alone and paired'), '\tlui $29, %hi(state)', '\taddiu $29, $29, %lo(state)'];
  let c = 0;
  const cases: string[][] = [];
  for (const op of ['lwl', 'lwr', 'swl', 'swr']) {
    for (let offset = 0; offset < 8; offset++) cases.push([`${op} $9, ${offset + 16}($8)`, `${op} $10, ${offset + 35}($8)`]);
  }
  for (let offset = 0; offset < 8; offset++) {
    cases.push([`lwl $9, ${offset + 3}($8)`, `lwr $9, ${offset}($8)`]);
    cases.push([`lwr $9, ${offset}($8)`, `lwl $9, ${offset + 3}($8)`]);
    cases.push([`swl $9, ${offset + 3}($8)`, `swr $9, ${offset}($8)`]);
    cases.push([`swr $10, ${offset + 40}($8)`, `swl $10, ${offset + 43}($8)`]);
  }
  for (const body of cases) {
    const w = new CaseWriter(rng, `c${c}`);
    w.emit(`# case ${c}`);
    initialiseCase(w);
    w.emit(`# case ${c} body`, ...setBase(8, 0, 0), ...body);
    w.emit(...dumpState());
    lines.push(...indent(w.lines));
    c++;
  }
  lines.push(...indent(exitWith(0)), ...stateData(rng), '');
  return { name, source: lines.join('\n'), stateDumps: true };
}
