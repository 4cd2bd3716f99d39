// Longer random straight-line sequences that look like compiled code: ALU work on
// registers and memory (through a base register that stays put), pushes and pops,
// moves, extensions, exchanges, flag consumers, and a call to a local subroutine.
// They stress what single-instruction cases cannot: registers kept in host variables
// across many instructions, flags handed from one instruction to a later one, and
// blocks that follow calls.

import { AF, ARITH_FLAGS, CF, CaseBuilder, ESP, OF, PF, REG32, SCRATCH_BASE, SCRATCH_SIZE, SF, Size, ZF, operandValue, regName, suffix } from './case-builder';
import { CONDITIONS } from './families-data';
import { shiftUndefinedFlags } from './families-shift-bit';
import { Family, Form, SIZES, signed } from './family';

const CONDITION_FLAGS = [OF, OF, CF, CF, ZF, ZF, CF | ZF, CF | ZF, SF, SF, PF, PF, SF | OF, SF | OF, ZF | SF | OF, ZF | SF | OF];
const ALU = ['add', 'or', 'adc', 'sbb', 'and', 'sub', 'xor', 'cmp'];

interface Context {
  b: CaseBuilder;
  /** Base register pointing into scratch (never written). */
  base: number;
  baseOffset: number;
  /** Dwords pushed so far (bounded so %esp stays in scratch). */
  depth: number;
  maxDepth: number;
  /** Pops may not go below this depth (the return address of a call). */
  floor: number;
  out: string[];
}

interface Item {
  reads: number;
  defines: number;
  undefines: number | (() => number);
  /** For count-dependent instructions: the flags the last emitted one writes (else `defines`). */
  writes?: () => number;
  usable?: (ctx: Context) => boolean;
  emit(ctx: Context): void;
}

function dest(ctx: Context, size: Size): string {
  for (;;) {
    const r = ctx.b.rng.below(8);
    const full = size === 8 ? r & 3 : r;
    if (full === ctx.base || (size !== 8 && r === ESP)) continue;
    return regName(size, r);
  }
}

function src(ctx: Context, size: Size): string {
  return regName(size, ctx.b.rng.below(8));
}

function mem(ctx: Context, size: Size): string {
  const n = size / 8;
  // data in the low half of scratch, the stack (return addresses!) in the high half
  const target = ctx.b.rng.below(SCRATCH_SIZE / 2 - n + 1);
  const d = target - ctx.baseOffset;
  return `${d === 0 ? '' : d}(%${REG32[ctx.base]})`;
}

function items(): Item[] {
  const list: Item[] = [];
  const size = (ctx: Context): Size => ctx.b.rng.pick(SIZES);
  for (let op = 0; op < 8; op++) {
    const logic = op === 1 || op === 4 || op === 6;
    list.push({
      reads: op === 2 || op === 3 ? CF : 0,
      defines: logic ? ARITH_FLAGS & ~AF : ARITH_FLAGS,
      undefines: logic ? AF : 0,
      emit(ctx) {
        const s = size(ctx);
        const k = ctx.b.rng.below(4);
        const imm = `$${signed(operandValue(ctx.b.rng, s), s)}`;
        const m = suffix(s);
        if (k === 0) ctx.out.push(`${ALU[op]}${m} ${src(ctx, s)},${dest(ctx, s)}`);
        else if (k === 1) ctx.out.push(`${ALU[op]}${m} ${mem(ctx, s)},${dest(ctx, s)}`);
        else if (k === 2) ctx.out.push(`${ALU[op]}${m} ${src(ctx, s)},${mem(ctx, s)}`);
        else ctx.out.push(`${ALU[op]}${m} ${imm},${ctx.b.rng.chance(0.5) ? mem(ctx, s) : dest(ctx, s)}`);
      },
    });
  }
  list.push({ reads: 0, defines: ARITH_FLAGS & ~CF, undefines: 0, emit: (ctx) => { const s = size(ctx); ctx.out.push(`${ctx.b.rng.pick(['inc', 'dec'])}${suffix(s)} ${ctx.b.rng.chance(0.5) ? mem(ctx, s) : dest(ctx, s)}`); } });
  list.push({ reads: 0, defines: ARITH_FLAGS, undefines: 0, emit: (ctx) => { const s = size(ctx); ctx.out.push(`neg${suffix(s)} ${ctx.b.rng.chance(0.5) ? mem(ctx, s) : dest(ctx, s)}`); } });
  list.push({ reads: 0, defines: 0, undefines: 0, emit: (ctx) => { const s = size(ctx); ctx.out.push(`not${suffix(s)} ${ctx.b.rng.chance(0.5) ? mem(ctx, s) : dest(ctx, s)}`); } });
  // shifts and rotates by an immediate: the count is known, so are the undefined flags
  for (let op = 0; op < 8; op++) {
    if (op === 6) continue;
    let count = 0;
    let width: Size = 32;
    const rotate = op < 4;
    list.push({
      reads: op === 2 || op === 3 ? CF : 0,
      defines: 0,
      undefines: () => shiftUndefinedFlags(op, width, count),
      emit(ctx) {
        width = size(ctx);
        count = ctx.b.rng.chance(0.3) ? 1 : ctx.b.rng.below(width + 1);
        const name = ['rol', 'ror', 'rcl', 'rcr', 'shl', 'shr', '', 'sar'][op];
        ctx.out.push(`${name}${suffix(width)} $${count},${ctx.b.rng.chance(0.5) ? mem(ctx, width) : dest(ctx, width)}`);
      },
      // the flags it writes (masked count 0: none)
      writes: () => ((count & 0x1f) === 0 ? 0 : rotate ? CF | OF : ARITH_FLAGS),
    });
  }
  list.push({ reads: 0, defines: CF | OF, undefines: SF | ZF | AF | PF, emit: (ctx) => { const s: Size = ctx.b.rng.pick([16, 32] as Size[]); ctx.out.push(ctx.b.rng.chance(0.5) ? `imul${suffix(s)} ${ctx.b.rng.chance(0.5) ? mem(ctx, s) : src(ctx, s)},${dest(ctx, s)}` : `imul${suffix(s)} $${ctx.b.rng.range(-300, 300)},${src(ctx, s)},${dest(ctx, s)}`); } });
  list.push({ reads: 0, defines: 0, undefines: 0, emit: (ctx) => { const s = size(ctx); const k = ctx.b.rng.below(3); ctx.out.push(k === 0 ? `mov${suffix(s)} ${src(ctx, s)},${dest(ctx, s)}` : k === 1 ? `mov${suffix(s)} ${mem(ctx, s)},${dest(ctx, s)}` : `mov${suffix(s)} ${src(ctx, s)},${mem(ctx, s)}`); } });
  list.push({ reads: 0, defines: 0, undefines: 0, emit: (ctx) => { const from: Size = ctx.b.rng.pick([8, 16] as Size[]); const op = `mov${ctx.b.rng.pick(['z', 's'])}${suffix(from)}l`; ctx.out.push(`${op} ${ctx.b.rng.chance(0.5) ? mem(ctx, from) : src(ctx, from)},${dest(ctx, 32)}`); } });
  list.push({ reads: 0, defines: 0, undefines: 0, emit: (ctx) => ctx.out.push(`leal ${ctx.b.rng.range(-64, 64)}(${src(ctx, 32)},${regName(32, ctx.b.rng.pick([0, 1, 2, 3, 5, 6, 7]))},${ctx.b.rng.pick([1, 2, 4, 8])}),${dest(ctx, 32)}`) });
  list.push({ reads: 0, defines: 0, undefines: 0, emit: (ctx) => { const s = size(ctx); ctx.out.push(`xchg${suffix(s)} ${dest(ctx, s)},${ctx.b.rng.chance(0.5) ? mem(ctx, s) : dest(ctx, s)}`); } });
  list.push({ reads: 0, defines: 0, undefines: 0, emit: (ctx) => ctx.out.push(`bswap ${dest(ctx, 32)}`) });
  // cmpxchg writes the accumulator: not while it is the base register
  list.push({ reads: 0, defines: ARITH_FLAGS, undefines: 0, usable: (ctx) => ctx.base !== 0, emit: (ctx) => { const s = size(ctx); ctx.out.push(`${ctx.b.rng.pick(['cmpxchg', 'xadd'])}${suffix(s)} ${dest(ctx, s)},${ctx.b.rng.chance(0.6) ? mem(ctx, s) : dest(ctx, s)}`); } });
  list.push({ reads: 0, defines: CF, undefines: OF | SF | AF | PF, emit: (ctx) => { const s: Size = ctx.b.rng.pick([16, 32] as Size[]); ctx.out.push(`${ctx.b.rng.pick(['bt', 'bts', 'btr', 'btc'])}${suffix(s)} $${ctx.b.rng.below(s)},${ctx.b.rng.chance(0.5) ? mem(ctx, s) : dest(ctx, s)}`); } });
  list.push({ reads: CF, defines: CF, undefines: 0, emit: (ctx) => ctx.out.push(ctx.b.rng.pick(['clc', 'stc', 'cmc'])) });
  list.push({ reads: ARITH_FLAGS & ~OF, defines: 0, undefines: 0, usable: (ctx) => ctx.base !== 0, emit: (ctx) => ctx.out.push('lahf') });
  list.push({ reads: 0, defines: ARITH_FLAGS & ~OF, undefines: 0, emit: (ctx) => ctx.out.push('sahf') });
  list.push({ reads: 0, defines: 0, undefines: 0, usable: (ctx) => ctx.base !== 0 && ctx.base !== 2, emit: (ctx) => ctx.out.push(ctx.b.rng.pick(['cltd', 'cwtl', 'cbtw', 'cwtd'])) });
  list.push({ reads: 0, defines: 0, undefines: 0, usable: (ctx) => ctx.depth < ctx.maxDepth, emit: (ctx) => { ctx.depth++; ctx.out.push(ctx.b.rng.chance(0.7) ? `pushl ${src(ctx, 32)}` : ctx.b.rng.chance(0.5) ? `pushl ${mem(ctx, 32)}` : `pushl $${ctx.b.rng.range(-200, 200)}`); } });
  list.push({ reads: 0, defines: 0, undefines: 0, usable: (ctx) => ctx.depth > ctx.floor, emit: (ctx) => { ctx.depth--; ctx.out.push(`popl ${ctx.b.rng.chance(0.8) ? dest(ctx, 32) : mem(ctx, 32)}`); } });
  list.push({ reads: ARITH_FLAGS | 0x400, defines: 0, undefines: 0, usable: (ctx) => ctx.depth < ctx.maxDepth, emit: (ctx) => { ctx.depth++; ctx.out.push('pushfl'); } });
  // control transfers that end a block: flags must survive into the next one
  list.push({ reads: 0, defines: 0, undefines: 0, emit: (ctx) => ctx.out.push('jmp 1f', 'ud2', '1:') });
  for (let c = 0; c < 16; c++) {
    list.push({ reads: CONDITION_FLAGS[c], defines: 0, undefines: 0, emit: (ctx) => ctx.out.push(`j${CONDITIONS[c]} 1f`, `movl $${ctx.b.rng.range(-9999, 9999)},${dest(ctx, 32)}`, '1:') });
  }
  for (let c = 0; c < 16; c++) {
    list.push({ reads: CONDITION_FLAGS[c], defines: 0, undefines: 0, emit: (ctx) => ctx.out.push(`set${CONDITIONS[c]} ${ctx.b.rng.chance(0.7) ? dest(ctx, 8) : mem(ctx, 8)}`) });
    list.push({ reads: CONDITION_FLAGS[c], defines: 0, undefines: 0, emit: (ctx) => { const s: Size = ctx.b.rng.pick([16, 32] as Size[]); ctx.out.push(`cmov${CONDITIONS[c]}${suffix(s)} ${ctx.b.rng.chance(0.5) ? mem(ctx, s) : src(ctx, s)},${dest(ctx, s)}`); } });
  }
  return list;
}

const ITEMS = items();

/** Appends `length` items to ctx.out, tracking which flags are undefined; returns that set. */
function sequence(ctx: Context, length: number, undefinedFlags: number): number {
  for (let i = 0; i < length; i++) {
    let item = ctx.b.rng.pick(ITEMS);
    while ((item.reads & undefinedFlags) !== 0 || (item.usable !== undefined && !item.usable(ctx))) item = ctx.b.rng.pick(ITEMS);
    item.emit(ctx);
    const undef = typeof item.undefines === 'function' ? item.undefines() : item.undefines;
    const defines = item.writes !== undefined ? item.writes() & ~undef : item.defines;
    undefinedFlags = (undefinedFlags & ~defines) | undef;
  }
  return undefinedFlags;
}

function programLikeForms(): Form[] {
  return [{
    name: 'compiled-code-like sequence',
    build(b) {
      b.useMemory();
      const base = b.rng.pick([0, 1, 2, 3, 5, 6, 7]);
      const baseOffset = b.rng.below(SCRATCH_SIZE);
      b.setAddressReg(base, SCRATCH_BASE + baseOffset);
      const maxDepth = 5;
      b.setAddressReg(ESP, SCRATCH_BASE + SCRATCH_SIZE - b.rng.below(3));
      const ctx: Context = { b, base, baseOffset, depth: 0, maxDepth, floor: 0, out: [] };
      let undefinedFlags: number;
      let main: string[];
      if (b.rng.chance(0.3)) {
        // the sequence as the body of a loop run 2-4 times (re-executed, hot code); the
        // counter lives at scratch+32, between the data half and the stack. At the top of
        // the body nothing is known about the flags.
        const counter = `0x${(SCRATCH_BASE + 32).toString(16)}`;
        const body = sequence(ctx, b.rng.range(3, 8), ARITH_FLAGS);
        const bodyLines = ctx.out;
        while (ctx.depth > 0) {
          bodyLines.push(`popl ${dest(ctx, 32)}`);
          ctx.depth--;
        }
        main = [`movl $${b.rng.range(2, 4)},${counter}`, '6:', ...bodyLines, `decl ${counter}`, 'jnz 6b'];
        undefinedFlags = body & CF;
        ctx.out = [];
        undefinedFlags = sequence(ctx, b.rng.range(1, 4), undefinedFlags);
        main.push(...ctx.out);
      } else {
        undefinedFlags = sequence(ctx, b.rng.range(4, 10), 0);
        main = ctx.out;
      }
      if (b.rng.chance(0.4)) {
        // a call into a local subroutine in the middle, then more code
        ctx.out = [];
        ctx.depth++;
        const depthBefore = ctx.depth;
        ctx.floor = depthBefore;
        undefinedFlags = sequence(ctx, b.rng.range(1, 5), undefinedFlags);
        while (ctx.depth > depthBefore) {
          ctx.out.push(`popl ${dest(ctx, 32)}`);
          ctx.depth--;
        }
        const body = ctx.out;
        ctx.depth--;
        ctx.floor = 0;
        ctx.out = [];
        undefinedFlags = sequence(ctx, b.rng.range(1, 5), undefinedFlags);
        const after = ctx.out;
        for (const l of main) b.emit(l);
        b.emit('call 7f', 'e8');
        for (const l of after) b.emit(l);
        b.emit('jmp 8f', 'eb');
        b.emit('7:');
        for (const l of body) b.emit(l);
        b.emit('ret', 'c3');
        b.emit('8:');
      } else {
        for (const l of main) b.emit(l);
      }
      b.maskFlags = undefinedFlags;
    },
  }];
}

export const PROGRAM_LIKE_FAMILIES: Family[] = [{ name: 'program-like', forms: programLikeForms() }];
