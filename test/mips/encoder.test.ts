// The encoder/assembler against GNU as (mipsel-linux-gnu-as -mips32r2, noreorder, noat, nomacro):
// for every encodable table row, generated operands (fixed seed, biased to edge values) are
// encoded by encodeRowAt(), by encodeInstruction() by name and by the typed MipsAssembler emitter,
// and the source text GNU as gets is written from the same operand values (not from our words).
// Generated programs with forward/backward labels, li of 32-bit constants, and every error path.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MipsClass, type MipsInstructionSpec, type MipsOperandKind } from '../../emulator/mips/table';
import { decode } from '../../emulator/mips/decoder';
import { controlTarget, disassembleWord } from '../../emulator/mips/disassembler';
import {
  codeBytes,
  encodableRows,
  encodeInstruction,
  encodeRowAt,
  GPR,
  instructionOperands,
  MipsAssembler,
  MipsAssemblyError,
  relocateCode,
  type MipsOperandValue,
} from '../../emulator/mips/encoder';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { binutilsMissingReason, gnuAssemble, objdumpElf, Prng } from './disassembler-oracles';

const skip = binutilsMissingReason() ?? false;

// ---- operand generation -----------------------------------------------------------------------

interface Generated {
  values: number[];
  gas: string; // GNU as source line
}

function edgy(rnd: Prng, lo: number, hi: number): number {
  switch (rnd.below(6)) {
    case 0: return lo;
    case 1: return hi;
    case 2: return Math.max(lo, Math.min(hi, 0));
    default: return lo + rnd.below(hi - lo + 1);
  }
}

function gpr(rnd: Prng): number {
  const p = rnd.below(8);
  return p === 0 ? 0 : p === 1 ? 31 : rnd.below(32);
}

/**
 * Random operand values for `spec` at address `pc`, and the GNU as line for them. Where GNU as
 * picks another encoding for an alias (li 5 is addiu; move is or; b is beq), the line names the
 * row's own instruction instead; see gasMnemonic().
 */
function generate(spec: MipsInstructionSpec, pc: number, rnd: Prng): Generated {
  const values: number[] = [];
  const texts: string[] = [];
  let pos = 0;
  const kinds = spec.operands;
  for (let k = 0; k < kinds.length; k++) {
    const kind: MipsOperandKind = kinds[k];
    const trailingOptional = kinds.slice(k).every((x) => ['rtOptional', 'code20', 'breakCode', 'trapCode', 'stype'].includes(x));
    if (trailingOptional && rnd.below(4) === 0) break; // leave the rest out (defaults to 0)
    switch (kind) {
      case 'rs': case 'rt': case 'rd': case 'rtOptional': {
        let r = gpr(rnd);
        if ((spec.op === 'div' || spec.op === 'divu') && kind === 'rd') r = 0; // "div rd,..." with rd≠0 is a GNU as macro
        if (spec.op === 'jalr' && kind === 'rs' && r === values[0] && kinds.length === 2) r = (r + 1) & 31;
        if (spec.op === 'jalr' && kinds.length === 1 && r === 31) r = 30;
        if (spec.flags & MipsClass.LINK && spec.flags & MipsClass.BRANCH && r === 31) r = 30; // bgezal ra,... is refused
        values.push(r); texts.push(`$${r}`); break;
      }
      case 'sa': case 'stype': case 'cacheOp': case 'hwreg': case 'c1reg': {
        const v = edgy(rnd, 0, 31);
        values.push(v); texts.push(kind === 'hwreg' || kind === 'c1reg' ? `$${v}` : String(v)); break;
      }
      case 'pos': pos = edgy(rnd, 0, 31); values.push(pos); texts.push(String(pos)); break;
      case 'extSize': case 'insSize': { const v = edgy(rnd, 1, 32 - pos); values.push(v); texts.push(String(v)); break; }
      case 'simm16': { const v = edgy(rnd, -0x8000, 0x7fff); values.push(v); texts.push(String(v)); break; }
      case 'uimm16': {
        // GNU as assembles "li rt, v" as addiu when v fits 16 signed bits, so the ori form needs v > 0x7fff.
        const v = spec.mnemonic === 'li' ? edgy(rnd, 0x8000, 0xffff) : edgy(rnd, 0, 0xffff);
        values.push(v); texts.push(String(v)); break;
      }
      case 'mem': {
        const off = edgy(rnd, -0x8000, 0x7fff);
        const base = gpr(rnd);
        values.push(off, base); texts.push(`${off}($${base})`); break;
      }
      case 'branch': {
        const delta = edgy(rnd, -0x8000, 0x7fff) * 4;
        values.push((pc + 4 + delta) >>> 0); texts.push(`.+(${4 + delta})`); break;
      }
      case 'jump': {
        const target = (((pc + 4) & 0xf0000000) | (edgy(rnd, 0, 0x3ffffff) << 2)) >>> 0;
        values.push(target); texts.push(`0x${target.toString(16)}`); break;
      }
      case 'code20': {
        const v = edgy(rnd, 0, spec.mnemonic === 'wait' ? 0x7ffff : 0xfffff);
        values.push(v); texts.push(String(v)); break;
      }
      case 'breakCode': {
        const a = edgy(rnd, 0, 0x3ff);
        if (rnd.below(3) === 0) { values.push(a); texts.push(String(a)); break; }
        const b = edgy(rnd, 0, 0x3ff);
        values.push(a, b); texts.push(`${a},${b}`); break;
      }
      case 'trapCode': { const v = edgy(rnd, 0, 0x3ff); values.push(v); texts.push(String(v)); break; }
      case 'c0reg': {
        const r = edgy(rnd, 0, 31);
        if (rnd.below(4) === 0) { values.push(r); texts.push(`$${r}`); break; } // select left out
        const sel = edgy(rnd, 0, 7);
        values.push(r, sel); texts.push(`$${r},${sel}`); break;
      }
      // FPRs: even numbers, so GNU as does not warn about odd registers in 32-bit FPU mode.
      case 'fs': case 'ft': case 'fd': { const f = rnd.below(16) * 2; values.push(f); texts.push(`$f${f}`); break; }
    }
  }
  return { values, gas: texts.length ? `${gasMnemonic(spec)} ${texts.join(',')}` : gasMnemonic(spec) };
}

/** The name GNU as needs for this row: aliases GNU as would encode differently get their own instruction's form. */
function gasMnemonic(spec: MipsInstructionSpec): string {
  if (spec.mnemonic === 'move' && spec.op === 'addu') return 'addu'; // with the $0 appended below
  if (spec.mnemonic === 'b' && spec.op === 'bgez') return 'bgez $0,';
  return spec.mnemonic;
}

function gasLine(spec: MipsInstructionSpec, g: Generated): string {
  if (spec.mnemonic === 'move' && spec.op === 'addu') return `${g.gas},$0`;
  return g.gas.replace('bgez $0, ', 'bgez $0,');
}

/** The typed emitter for a row, if the assembler has one, with the row's operand values. */
function typedEmitter(spec: MipsInstructionSpec): ((asm: MipsAssembler, values: number[]) => void) | null {
  if (spec.flags & MipsClass.COP1) return null; // the host has no FPU: generic emit() only
  if ((spec.mnemonic === 'move' && spec.op === 'addu') || (spec.mnemonic === 'b' && spec.op === 'bgez')) return null; // GNU as's choice is the other row
  const name = spec.mnemonic === 'ror' ? 'rotr' : spec.mnemonic === 'rorv' ? 'rotrv' : spec.mnemonic.replace('.hb', 'Hb');
  const method = (MipsAssembler.prototype as unknown as Record<string, unknown>)[name];
  if (typeof method !== 'function') return null;
  if (spec.op === 'div' || spec.op === 'divu') return (asm, v) => { (method as (...a: number[]) => void).call(asm, v[1], v[2]); };
  return (asm, v) => { (method as (...a: number[]) => void).apply(asm, v); };
}

// ---- every row --------------------------------------------------------------------------------

test('every encodable row: encodeRowAt, encodeInstruction and the typed emitter produce what GNU as assembles', { skip }, () => {
  const rnd = new Prng(0xe0c0de01);
  const rows = encodableRows();
  const perRow = 60;
  const lines: string[] = [];
  const expectedRows: MipsInstructionSpec[] = [];
  const ours: number[] = [];
  const withoutTyped = new Set<string>();
  for (const spec of rows) {
    const emitter = typedEmitter(spec);
    if (!emitter) withoutTyped.add(`${spec.mnemonic}/${spec.op}`);
    for (let n = 0; n < perRow; n++) {
      const pc = lines.length * 4;
      const g = generate(spec, pc, rnd);
      const word = encodeRowAt(spec, g.values, pc);
      // It decodes as this row, or as a more special alias of the same operation (beqz zero → b).
      assert.equal(decode(word)?.spec.op, spec.op, `${gasLine(spec, g)} decodes to the operation it was built from`);
      // By name: GNU as's choice among same-named rows (move → or), which must print the same.
      const byName = encodeInstruction(spec.mnemonic, g.values, pc);
      assert.equal(disassembleWord(byName, pc), disassembleWord(word, pc), gasLine(spec, g));
      if (emitter) {
        const asm = new MipsAssembler(pc, { delaySlots: 'nop' });
        emitter(asm, g.values);
        assert.equal(asm.finish().words[0], word, `typed emitter for ${gasLine(spec, g)}`);
      }
      lines.push(gasLine(spec, g));
      expectedRows.push(spec);
      ours.push(word);
    }
  }
  const gas = gnuAssemble(lines);
  const mismatches: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (gas[i] !== ours[i] && mismatches.length < 20) {
      mismatches.push(`${lines[i]}: ours ${ours[i].toString(16).padStart(8, '0')} (${disassembleWord(ours[i], i * 4)}), as ${gas[i].toString(16).padStart(8, '0')} (${disassembleWord(gas[i], i * 4)})`);
    }
  }
  assert.deepEqual(mismatches, []);
  assert.equal(lines.length, rows.length * perRow);
  // Only FPU rows and the two alias rows GNU as never produces lack a typed emitter.
  const unexpected = [...withoutTyped].filter((k) => !['move/addu', 'b/bgez'].includes(k) && !rows.some((r) => `${r.mnemonic}/${r.op}` === k && r.flags & MipsClass.COP1));
  assert.deepEqual(unexpected, []);
});

// ---- labels and programs ----------------------------------------------------------------------

test('generated programs with forward and backward labels assemble as GNU as does', { skip }, () => {
  const rnd = new Prng(0xe0c0de02);
  for (let program = 0; program < 4; program++) {
    const asm = new MipsAssembler(0);
    const lines: string[] = [];
    const labelCount = 60;
    const labels = Array.from({ length: labelCount }, (_, i) => asm.newLabel(`L${program}_${i}`));
    const bound = new Set<number>();
    const r = () => 1 + rnd.below(31);
    for (let step = 0; step < 2500; step++) {
      const choice = rnd.below(10);
      if (choice === 0 && bound.size < labelCount) {
        let l = rnd.below(labelCount);
        while (bound.has(l)) l = (l + 1) % labelCount;
        asm.bind(labels[l]);
        bound.add(l);
        lines.push(`L${program}_${l}:`);
        continue;
      }
      if (choice <= 3) {
        const l = labels[rnd.below(labelCount)];
        const a = r(), b = r();
        const t = a === 31 ? 30 : a; // bgezal must not test ra
        switch (rnd.below(7)) {
          case 0: asm.beq(a, b, l); lines.push(`beq $${a},$${b},${l.name}`); break;
          case 1: asm.bne(a, b, l); lines.push(`bne $${a},$${b},${l.name}`); break;
          case 2: asm.b(l); lines.push(`b ${l.name}`); break;
          case 3: asm.bgezal(t, l); lines.push(`bgezal $${t},${l.name}`); break;
          case 4: asm.beqzl(a, l); lines.push(`beqzl $${a},${l.name}`); break;
          case 5: asm.j(l); lines.push(`j ${l.name}`); break;
          default: asm.jal(l); lines.push(`jal ${l.name}`); break;
        }
        // the delay slot
        asm.addiu(a, b, 1); lines.push(`addiu $${a},$${b},1`);
        continue;
      }
      const a = r(), b = r(), c = r();
      switch (rnd.below(4)) {
        case 0: asm.addu(a, b, c); lines.push(`addu $${a},$${b},$${c}`); break;
        case 1: { const off = rnd.below(0x10000) - 0x8000; asm.lw(a, off, b); lines.push(`lw $${a},${off}($${b})`); break; }
        case 2: asm.sll(a, b, c); lines.push(`sll $${a},$${b},${c}`); break;
        default: asm.nop(); lines.push('nop'); break;
      }
    }
    for (let l = 0; l < labelCount; l++) if (!bound.has(l)) { asm.bind(labels[l]); lines.push(`L${program}_${l}:`); }
    asm.nop(); lines.push('nop');
    const code = asm.finish();
    const gas = gnuAssemble(lines);
    assert.equal(gas.length, code.words.length);
    for (let i = 0; i < gas.length; i++) {
      assert.equal(code.words[i], gas[i], `program ${program} word ${i}: ours ${disassembleWord(code.words[i], i * 4)}, as ${disassembleWord(gas[i], i * 4)}`);
    }
    for (let l = 0; l < labelCount; l++) assert.equal(code.labels.get(`L${program}_${l}`), asm.addressOfLabel(labels[l]));
  }
});

// ---- li / la ----------------------------------------------------------------------------------

test('li loads 32-bit constants in the same instructions as GNU as', { skip }, () => {
  const rnd = new Prng(0xe0c0de03);
  const values = [0, 1, -1, 0x7fff, 0x8000, -0x8000, -0x8001, 0xffff, 0x10000, 0x12340000, 0x12345678,
    0x7fffffff, 0x80000000, -0x80000000, 0xffff0000, 0xffff8000, 0xffff7fff, 0xffffffff, 0x0000ffff, 0x00018000];
  for (let i = 0; i < 400; i++) {
    const shape = rnd.below(4);
    const v = rnd.next();
    values.push(shape === 0 ? v & 0xffff : shape === 1 ? (v & 0xffff0000) >>> 0 : shape === 2 ? (v << 16) >> 16 : v);
  }
  const asm = new MipsAssembler(0);
  const lines: string[] = [];
  values.forEach((v, i) => {
    const rt = 1 + (i % 31);
    asm.li(rt, v);
    lines.push(`li $${rt},${v}`);
  });
  const ours = asm.finish().words;
  const gas = gnuAssemble(lines, { macros: true });
  assert.deepEqual([...ours].map((w) => disassembleWord(w, 0)), [...gas].map((w) => disassembleWord(w, 0)));
  assert.deepEqual(ours, gas);
});

test('li32 and la always take lui+ori and load the exact address', () => {
  const asm = new MipsAssembler(0x80010000);
  asm.li32(GPR.t0, 5);
  const target = asm.newLabel('target');
  asm.la(GPR.t1, target);
  asm.la(GPR.t2, 0xbfc00380);
  asm.nop();
  asm.bind(target);
  asm.nop();
  const code = asm.finish();
  const value = (hi: number, lo: number) => (((code.words[hi] & 0xffff) << 16) | (code.words[lo] & 0xffff)) >>> 0;
  assert.equal(code.words.length, 8);
  assert.equal(value(0, 1), 5);
  assert.equal(value(2, 3), 0x8001001c);
  assert.equal(value(4, 5), 0xbfc00380);
  assert.deepEqual([0, 2, 4].map((i) => decode(code.words[i])!.spec.mnemonic), ['lui', 'lui', 'lui']);
  assert.deepEqual([1, 3, 5].map((i) => decode(code.words[i])!.spec.op), ['ori', 'ori', 'ori']);
  assert.equal(code.labels.get('target'), 0x8001001c);
});

// ---- ranges, delay slots, errors --------------------------------------------------------------

test('branch reach: the last reachable word on each side works, one further is a clear error', () => {
  const origin = 0x80000000;
  // Forward: a branch at origin reaches origin + 4 + 0x7fff*4.
  for (const [extra, ok] of [[0, true], [1, false]] as const) {
    const asm = new MipsAssembler(origin);
    const far = asm.newLabel('far');
    asm.beq(GPR.a0, GPR.a1, far);
    asm.nop();
    for (let i = 0; i < 0x7fff - 1 + extra; i++) asm.nop();
    asm.bind(far);
    asm.nop();
    if (ok) {
      const code = asm.finish();
      assert.equal(controlTarget(decode(code.words[0])!, origin), code.labels.get('far'));
    } else {
      assert.throws(() => asm.finish(), (e: Error) => e instanceof MipsAssemblyError &&
        /beq at 0x80000000 to label 'far': branch target 0x80020004 is out of range: 32768 words/.test(e.message));
    }
  }
  // Backward: -0x8000 words from the delay slot.
  for (const [extra, ok] of [[0, true], [1, false]] as const) {
    const asm = new MipsAssembler(origin);
    const back = asm.here('back');
    for (let i = 0; i < 0x8000 - 1 + extra; i++) asm.nop();
    const at = asm.address;
    if (ok) {
      asm.bne(GPR.v0, GPR.zero, back);
      asm.nop();
      const code = asm.finish();
      assert.equal(controlTarget(decode(code.words[(at - origin) / 4])!, at), origin);
    } else {
      assert.throws(() => asm.bne(GPR.v0, GPR.zero, back), /bne at 0x80020000: branch target 0x80000000 is out of range: -32769 words/);
    }
  }
  // Absolute targets are checked at once.
  assert.throws(() => new MipsAssembler(0x1000).b(0x1000 + 4 + 0x20000), /out of range: 32768 words.*±128 KiB/);
  assert.throws(() => new MipsAssembler(0x1000).b(0x1002), /branch target 0x1002 is not word-aligned/);
});

test('j/jal: the target must be in the 256 MB region of the delay slot', () => {
  assert.equal(encodeInstruction('j', [0x8ffffffc], 0x80000000) & 0x3ffffff, 0x3ffffff);
  assert.throws(() => encodeInstruction('j', [0x90000000], 0x80000000),
    /j at 0x80000000: jump target 0x90000000 is outside the 256 MB region 0x80000000\.\.0x8ffffffc of the delay slot; use jr/);
  // The delay slot decides: a jump in the last word of a region reaches the next region.
  assert.equal(encodeInstruction('jal', [0x90000010], 0x8ffffffc), 0x0c000004);
  const asm = new MipsAssembler(0x0ffffff0);
  const l = asm.newLabel('there');
  asm.jal(l);
  asm.nop();
  asm.nop();
  asm.nop();
  asm.bind(l); // 0x10000000: another region than the jal's delay slot
  asm.nop();
  assert.throws(() => asm.finish(), /jal at 0xffffff0 to label 'there': jump target 0x10000000 is outside the 256 MB region 0x0\.\.0xffffffc/);
});

test('delay slots are explicit and checked', () => {
  {
    const asm = new MipsAssembler(0x400000);
    asm.beq(1, 2, 0x400100);
    assert.equal(asm.inDelaySlot, true);
    assert.throws(() => asm.j(0x400200), /j at 0x400004 is in the delay slot of the beq at 0x400000/);
    assert.throws(() => asm.here('inside'), /label 'inside' would be bound to the delay slot of the beq at 0x400000/);
    assert.throws(() => asm.word(0), /data word at 0x400004 would be the delay slot of the beq at 0x400000/);
    assert.throws(() => asm.finish(), /the delay slot of the beq at 0x400000 is not filled/);
    asm.addiu(3, 3, 1);
    assert.equal(asm.inDelaySlot, false);
    asm.jr(GPR.ra);
    asm.nop();
    const code = asm.finish();
    assert.deepEqual(code.delaySlots, [4, 12]);
    assert.deepEqual([...code.words].map((w, i) => disassembleWord(w, 0x400000 + i * 4)),
      ['beq\tat,v0,0x400100', 'addiu\tv1,v1,1', 'jr\tra', 'nop']);
  }
  {
    const asm = new MipsAssembler(0, { delaySlots: 'nop' });
    asm.jal(0x100);
    asm.eret(); // no delay slot
    assert.deepEqual(asm.finish().words, Uint32Array.of(0x0c000040, 0, 0x42000018));
    asm.b(asm.newLabel('x'));
    asm.bind(asm.newLabel('y')); // after the automatic nop: not a delay slot
    assert.throws(() => asm.finish(), /b at 0xc refers to label 'x', which is never bound/);
  }
});

test('bad operands are named with the instruction and address', () => {
  const asm = new MipsAssembler(0x80000000);
  assert.throws(() => asm.addu(32, 1, 2), /addu at 0x80000000: rd register must be an integer in 0\.\.31, got 32/);
  assert.throws(() => asm.addiu(1, 2, 0x8000), /addiu at 0x80000000: signed immediate must be an integer in -32768\.\.32767, got 32768/);
  assert.throws(() => asm.ori(1, 2, -1), /ori at 0x80000000: unsigned immediate must be an integer in 0\.\.65535, got -1/);
  assert.throws(() => asm.lw(1, 40000, 2), /lw at 0x80000000: offset must be an integer in -32768\.\.32767, got 40000/);
  assert.throws(() => asm.sll(1, 2, 32), /shift amount must be an integer in 0\.\.31/);
  assert.throws(() => asm.ext(1, 2, 30, 3), /ext at 0x80000000: size \(position 30\) must be an integer in 1\.\.2, got 3/);
  assert.throws(() => asm.ins(1, 2, 0, 0), /size \(position 0\) must be an integer in 1\.\.32, got 0/);
  assert.throws(() => asm.mfc0(1, 12, 8), /CP0 select must be an integer in 0\.\.7, got 8/);
  assert.throws(() => asm.wait(0x80000), /wait at 0x80000000: code must be an integer in 0\.\.524287/);
  assert.throws(() => asm.jalr(5, 5), /jalr at 0x80000000: the link register must differ from the target register \(5\)/);
  assert.throws(() => asm.bgezal(GPR.ra, 0x80000010), /bgezal at 0x80000000: the tested register must not be ra/);
  assert.throws(() => asm.li(1, 2 ** 32), /li constant at 0x80000000 must be an integer in -2147483648\.\.4294967295/);
  assert.throws(() => asm.emit('frobnicate', 1), /unknown MIPS instruction 'frobnicate' at 0x80000000/);
  assert.throws(() => asm.emit('addu', 1, 2), /addu at 0x80000000: takes 3 operand values \(rd, rs, rt\), got 2/);
  assert.throws(() => new MipsAssembler(2), /code origin 2 must be a word-aligned 32-bit address/);
  const other = new MipsAssembler(0).newLabel('foreign');
  assert.throws(() => asm.b(other), /label 'foreign' belongs to another assembler/);
  assert.throws(() => asm.bind(other), /label 'foreign' belongs to another assembler/);
  assert.equal(asm.length, 0, 'nothing was emitted by the failed calls');
  const dup = new MipsAssembler(0);
  dup.newLabel('a');
  assert.throws(() => dup.newLabel('a'), /label 'a' is defined twice/);
});

test('relocateCode gives the words assembling at the new origin would give', () => {
  // The same program at two origins; its absolute targets ('b' to fixed addresses, jal) stay put.
  const build = (origin: number, absoluteBase: number) => {
    const rnd = new Prng(0xe0c0de04);
    const asm = new MipsAssembler(origin);
    const top = asm.here('top');
    const end = asm.newLabel('end');
    for (let i = 0; i < 200; i++) {
      switch (rnd.below(6)) {
        case 0: asm.beq(1, 2, top); asm.nop(); break;
        case 1: asm.bne(3, 4, end); asm.nop(); break;
        case 2: asm.jal(0x80400000 + 8 * rnd.below(1000)); asm.nop(); break;
        case 3: asm.j(end); asm.nop(); break;
        case 4: asm.la(5, end); break;
        default: asm.b(absoluteBase + 0x1000 + 4 * rnd.below(100)); asm.nop(); break;
      }
    }
    asm.bind(end);
    asm.jr(GPR.ra);
    asm.nop();
    return asm.finish();
  };
  const a = build(0x80001000, 0x80001000);
  const b = build(0x80009000, 0x80001000);
  assert.notDeepEqual(a.words, b.words);
  assert.deepEqual(relocateCode(a, 0x80009000), b.words);
  assert.ok(a.relocations.some((r) => r.kind === 'branch16') && a.relocations.some((r) => r.kind === 'hi16' && r.label === 'end'));
  assert.equal(codeBytes(a).length, a.words.length * 4);
  assert.equal(new DataView(codeBytes(a).buffer).getUint32(4, true), a.words[1]);
  assert.throws(() => relocateCode(a, 0x90001000), /relocating the instruction at 0x9000[0-9a-f]+: (jump target|branch target)/);
});

// ---- decode → encode round trip -------------------------------------------------------------

/** Words the decoder accepts but the encoder refuses on purpose (as GNU as does). */
function refusedOnPurpose(word: number, mnemonic: string, op: string): boolean {
  const rs = (word >>> 21) & 31, rd = (word >>> 11) & 31, sa = (word >>> 6) & 31;
  if (op === 'jalr') return rd === rs;
  if (['bltzal', 'bgezal', 'bltzall', 'bgezall'].includes(op)) return rs === 31;
  if (op === 'ins') return rd < sa; // msb below lsb
  if (op === 'ext') return sa + rd + 1 > 32; // field beyond bit 31
  void mnemonic;
  return false;
}

/** What the encoder writes for a word it canonicalizes: clz/clo carry rd in the rt field too. */
function canonicalWord(word: number, op: string): number {
  if (op !== 'clz' && op !== 'clo') return word;
  return ((word & ~(31 << 16)) | (((word >>> 11) & 31) << 16)) >>> 0;
}

test('decode → instructionOperands → encodeRowAt gives the word back (random words and real programs)', () => {
  const rnd = new Prng(0xe0c0de05);
  const words: number[] = [];
  const addresses: number[] = [];
  for (let i = 0; i < 200000; i++) { words.push(rnd.next()); addresses.push((0x7ffff000 + i * 4) >>> 0); }
  // Words of every row, not only what uniform random words hit.
  for (const spec of encodableRows()) {
    for (let i = 0; i < 200; i++) { words.push((spec.match | (rnd.next() & ~spec.mask)) >>> 0); addresses.push(rnd.next() & ~3); }
  }
  // Compiler output, at its real addresses.
  if (!skip) {
    for (const dir of ['test/programs-mipsel/bin', 'test/mips-differential/bin'].filter((d) => existsSync(d))) {
      for (const f of readdirSync(dir).slice(0, 20)) {
        for (const line of objdumpElf(join(dir, f))) { words.push(line.word); addresses.push(line.address); }
      }
    }
  }
  let roundTrips = 0;
  let refused = 0;
  for (let i = 0; i < words.length; i++) {
    const w = words[i];
    const insn = decode(w);
    if (!insn || insn.spec.flags & MipsClass.CATCH_ALL) continue;
    const address = addresses[i];
    const values = instructionOperands(insn, address);
    let again: number;
    try {
      again = encodeRowAt(insn.spec, values, address);
    } catch (e) {
      assert.ok(e instanceof MipsAssemblyError, String(e));
      assert.ok(refusedOnPurpose(w, insn.spec.mnemonic, insn.spec.op), `${disassembleWord(w, address)}: ${(e as Error).message}`);
      refused++;
      continue;
    }
    if (again !== canonicalWord(w, insn.spec.op)) assert.fail(`${w.toString(16)} ${disassembleWord(w, address)} re-encodes as ${again.toString(16)} ${disassembleWord(again, address)}`);
    roundTrips++;
  }
  assert.ok(roundTrips > 100000 && refused > 0, `${roundTrips} round trips, ${refused} refused`);
});
