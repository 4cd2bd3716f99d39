// The disassembler against GNU objdump 2.40 (mipsel-linux-gnu-objdump -D -b binary -m mips:isa32r2 -EL):
// for generated words that hit every table row (fields random with a fixed seed, biased towards
// the zero/ra registers and zero codes where objdump's aliases and omissions kick in) and for
// 200,000 uniformly random words, our text must be objdump's text, character for character.
//
// Words we deliberately print differently (see disassembler.ts):
//  - operand-less rows the table marks CATCH_ALL (cop1, cop1x, cop2 groups): we name the group,
//    objdump the instruction;
//  - words objdump decodes as ASE instructions (MIPS16/microMIPS jalx, DSP, MSA, MT, MCU, EVA,
//    SmartMIPS, virtualization, XPA, UDI, implementation-defined "c0" operations): not MIPS32r2
//    without ASEs, so our table has no row and we print ".word". classifyAse() names the ASE from
//    objdump's own text; anything it cannot name fails the test.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MIPS_TABLE, MipsClass, type MipsInstructionSpec } from '../../emulator/mips/table';
import { decode } from '../../emulator/mips/decoder';
import {
  controlTarget,
  disassembleBytes,
  disassembleWord,
  disassembleWords,
  formatListingLine,
  symbolNamer,
  type MipsDisassemblyOptions,
} from '../../emulator/mips/disassembler';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  binutilsMissingReason,
  classifyAse,
  objdumpElf,
  objdumpTexts,
  Prng,
  readelfSymbols,
  wordsToBytes,
} from './disassembler-oracles';

const skip = binutilsMissingReason() ?? false;

/** The rows we print as a group (cop1/cop1x/cop2 without operands), where objdump names each instruction. */
function isGroupRow(spec: MipsInstructionSpec): boolean {
  return (spec.flags & MipsClass.CATCH_ALL) !== 0 && spec.operands.length === 0;
}

/** Words hitting `spec`: its fixed bits, random free bits, each 5-bit field zeroed or set to 31 now and then. */
function wordsForRow(spec: MipsInstructionSpec, count: number, rnd: Prng): number[] {
  const out: number[] = [];
  const fieldShifts = [21, 16, 11, 6];
  for (let i = 0; i < count; i++) {
    let free = rnd.next();
    for (const shift of fieldShifts) {
      const pick = rnd.below(8);
      if (pick === 0) free &= ~(31 << shift);
      else if (pick === 1) free |= 31 << shift;
    }
    if (rnd.below(4) === 0) free &= ~0xffff; // zero offsets/immediates/codes
    if (rnd.below(3) === 0) free = (free & ~spec.mask) | (rnd.next() & spec.mask & ~spec.execMask); // reserved bits set
    out.push((spec.match | (free & ~spec.mask)) >>> 0);
  }
  return out;
}

interface Comparison {
  compared: number;
  catchAll: number;
  ase: Map<string, number>;
  mismatches: string[];
}

/** Our options and the objdump -M options they stand for. */
const OPTION_SETS: readonly { options: MipsDisassemblyOptions; objdump: string[] }[] = [
  { options: {}, objdump: [] },
  { options: { noAliases: true }, objdump: ['-M', 'no-aliases'] },
  { options: { numericRegisters: true }, objdump: ['-M', 'gpr-names=numeric'] },
  { options: { noAliases: true, numericRegisters: true }, objdump: ['-M', 'no-aliases,gpr-names=numeric'] },
];

function compareWithObjdump(words: number[], vma: number, set = OPTION_SETS[0]): Comparison {
  const expected = objdumpTexts(words, vma, set.objdump);
  const result: Comparison = { compared: 0, catchAll: 0, ase: new Map(), mismatches: [] };
  const lines = disassembleWords(words, vma, set.options);
  for (let i = 0; i < words.length; i++) {
    const w = words[i];
    const got = lines[i].text;
    const want = expected[i];
    assert.equal(disassembleWord(w, vma + i * 4, set.options), got, 'disassembleWord and disassembleWords agree');
    const insn = decode(w);
    if (insn && isGroupRow(insn.spec)) {
      result.catchAll++;
      continue;
    }
    if (insn === null && !want.startsWith('.word')) {
      const ase = classifyAse(w, want);
      if (ase !== null) {
        result.ase.set(ase, (result.ase.get(ase) ?? 0) + 1);
        continue;
      }
    }
    result.compared++;
    if (got !== want && result.mismatches.length < 25) {
      result.mismatches.push(`${((vma + i * 4) >>> 0).toString(16)}: ${w.toString(16).padStart(8, '0')}  ours "${got}"  objdump "${want}"`);
    }
  }
  return result;
}

test('every table row: generated words disassemble exactly as objdump prints them', { skip }, () => {
  const rnd = new Prng(0x5eed0001);
  const rows = MIPS_TABLE.filter((s) => !isGroupRow(s));
  const words: number[] = [];
  for (const spec of rows) words.push(...wordsForRow(spec, 300, rnd));
  // Several load addresses: low user space, kseg0, the top of memory (branch targets wrap) and a
  // 256 MB boundary (j/jal take the region of the delay slot).
  let total = 0;
  const hitRows = new Set<MipsInstructionSpec>();
  for (const vma of [0x00400000, 0x80000000, 0xfffc0000, 0x0fffff00]) {
    const slice = words.slice(0);
    const r = compareWithObjdump(slice, vma);
    assert.deepEqual(r.mismatches, [], `at vma 0x${vma.toString(16)}`);
    total += r.compared;
    for (const w of slice) { const d = decode(w); if (d) hitRows.add(d.spec); }
  }
  const missed = rows.filter((s) => !hitRows.has(s)).map((s) => `${s.mnemonic} 0x${s.match.toString(16)}`);
  assert.deepEqual(missed, [], 'every non-catch-all row was exercised');
  assert.ok(total >= rows.length * 300 * 4 * 0.9, `compared ${total}`);
});

test('objdump -M no-aliases and gpr-names=numeric: the matching options print the same text', { skip }, () => {
  const rnd = new Prng(0x5eed0003);
  const words: number[] = [];
  for (const spec of MIPS_TABLE.filter((s) => !isGroupRow(s))) words.push(...wordsForRow(spec, 100, rnd));
  for (let i = 0; i < 20000; i++) words.push(rnd.next());
  for (const set of OPTION_SETS.slice(1)) {
    const r = compareWithObjdump(words, 0x80000000, set);
    assert.deepEqual(r.mismatches, [], `objdump ${set.objdump.join(' ')}`);
    assert.ok(r.compared > 20000);
  }
  // The options change what they should.
  assert.equal(disassembleWord(0x00601025, 0, { noAliases: true }), 'or\tv0,v1,zero');
  assert.equal(disassembleWord(0x00601025, 0, { numericRegisters: true }), 'move\t$2,$3');
  assert.equal(disassembleWord(0x0000010f, 0, { noAliases: true }), 'sync\t0x4');
});

test('200,000 random words: no crash, .word exactly where objdump has no instruction, same text elsewhere', { skip }, () => {
  const rnd = new Prng(0x5eed0002);
  const words: number[] = [];
  for (let i = 0; i < 200000; i++) words.push(rnd.next());
  const r = compareWithObjdump(words, 0x80100000);
  assert.deepEqual(r.mismatches, []);
  // The share of words that are base MIPS32r2 is stable for a fixed seed; make sure we compared a lot.
  assert.ok(r.compared > 100000, `compared ${r.compared}`);
  assert.ok(r.catchAll > 0 && r.ase.size > 0);
});

test('a listing line is the line objdump prints', { skip }, () => {
  const words = [0x27bdffe0, 0xafbf001c, 0x0c100010, 0x00000000, 0x1040fffc, 0x8fbf001c, 0x03e00008, 0x27bd0020, 0xffffffff];
  const vma = 0x80020000;
  const bytes = wordsToBytes(words);
  const lines = disassembleBytes(bytes, vma);
  const expected = objdumpTexts(words, vma);
  lines.forEach((line, i) => {
    assert.equal(line.address, vma + i * 4);
    assert.equal(line.word, words[i]);
    assert.equal(formatListingLine(line), `${(vma + i * 4).toString(16)}:\t${words[i].toString(16).padStart(8, '0')} \t${expected[i]}`);
  });
  assert.equal(lines[8].instruction, null);
  assert.throws(() => disassembleBytes(bytes.subarray(0, 6), vma), /6 bytes long, not a whole number of 4-byte instructions/);
});

test('control targets: branches relative to the delay slot, jumps inside its 256 MB region, symbols appended', () => {
  const beq = decode(0x1043ffff)!; // beq v0,v1,-1 word
  assert.equal(controlTarget(beq, 0x80001000), 0x80001000);
  const j = decode(0x08000004)!; // j index 4
  assert.equal(controlTarget(j, 0x8ffffffc), 0x90000010); // delay slot is in the next region
  assert.equal(controlTarget(decode(0x00430821)!, 0), null); // addu
  const named = disassembleWord(0x0c000004, 0x80000000, { symbolize: (a) => (a === 0x80000010 ? 'entry' : undefined) });
  assert.equal(named, 'jal\t80000010 <entry>');
});

// Real compiler output: the committed mipsel test programs (static glibc ones included), every
// instruction line of objdump -d, symbols and all.
const PROGRAM_DIRS = ['test/programs-mipsel/bin', 'test/mips-differential/bin'];

test('whole ELF programs: every line objdump -d prints, with <symbol+offset> targets', { skip }, (t) => {
  const files = PROGRAM_DIRS.filter((d) => existsSync(d)).flatMap((d) => readdirSync(d).map((f) => join(d, f)));
  if (files.length === 0) { t.skip('no committed mipsel programs found'); return; }
  let compared = 0;
  let catchAll = 0;
  const mismatches: string[] = [];
  for (const file of files) {
    const namer = symbolNamer(readelfSymbols(file));
    for (const line of objdumpElf(file)) {
      const insn = decode(line.word);
      if (insn && isGroupRow(insn.spec)) { catchAll++; continue; } // FPU code in glibc
      compared++;
      const got = disassembleWord(line.word, line.address, { symbolize: namer });
      if (got !== line.text && mismatches.length < 20) mismatches.push(`${file} ${line.address.toString(16)}: ours "${got}", objdump "${line.text}"`);
    }
  }
  assert.deepEqual(mismatches, []);
  assert.ok(compared > 1000, `compared ${compared}`);
  assert.ok(catchAll < compared / 1000, `${catchAll} catch-all words`);
});

test('symbolNamer prefers what objdump prefers at one address', () => {
  const name = symbolNamer([
    { name: '_ftext', address: 0x400110, kind: 'other' },
    { name: 'fib', address: 0x400110, kind: 'function' },
    { name: '__libc_malloc', address: 0x400200, kind: 'function', binding: 'weak' },
    { name: '__malloc', address: 0x400200, kind: 'function', binding: 'global' },
    { name: 'local_b', address: 0x400300, kind: 'function', binding: 'local' },
    { name: 'local_a', address: 0x400300, kind: 'function', binding: 'local' },
  ]);
  assert.equal(name(0x400110), 'fib');
  assert.equal(name(0x40011c), 'fib+0xc');
  assert.equal(name(0x400204), '__malloc+0x4');
  assert.equal(name(0x400300), 'local_a');
  assert.equal(name(0x400000), undefined);
});
