// Decoder + disassembler against a second, independent oracle: Capstone 5 (MIPS32, little-endian).
// Both texts are brought to one canonical form that removes the known naming differences between
// GNU objdump's syntax (ours) and Capstone's, then must be equal:
//   registers        objdump "v0", "c0_status", "c1_fcsr", "hwr_cc", "$29"; Capstone "$v0", "$fp",
//                    and for CP0 registers a GPR name ("$t4" for register 12) → all become rN
//   numbers          objdump hex/decimal by operand kind, Capstone its own choice → the 32-bit value
//   aliases          objdump li/b/beqzl/bnezl/ror/rorv/jalr zero,rs/nor rd,rs,zero/sync_wmb;
//                    Capstone addiu|ori rd,zero,imm / bgez zero / beql rs,zero / rotr / rotrv / jr /
//                    not / sync 4 → the base instruction
//   trap immediates objdump signed (as the hardware uses them), Capstone unsigned → compared as 16 bits
//   omitted operands objdump leaves out zero codes and select 0, Capstone sometimes prints them → dropped
// Deliberate exclusions (counted, and each must stay inside its documented set):
//   - the operand-less rows the table marks CATCH_ALL (cop1, cop1x, cop2 groups);
//   - clz/clo with rd ≠ rt (both non-zero): objdump prints "rd or rt", Capstone ORs the numbers;
//   - words Capstone rejects that MIPS32r2 has (CAPSTONE_REJECTS below: wait with a code, rdpgpr,
//     wrpgpr, rdhwr other than $29, mfhc1/mthc1);
//   - words Capstone accepts that we reject: objdump must reject them too (Capstone ignores some
//     reserved fields, knows MIPS I bc0f/bc0t and MIPS64/R6 forms), or they are ASE instructions
//     by objdump's own name (classifyAse).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GPR_NAMES, HW_REGISTER_NAMES, MIPS_TABLE, MipsClass, SYNC_TYPE_NAMES, type MipsInstructionSpec } from '../../emulator/mips/table';
import { decode } from '../../emulator/mips/decoder';
import { disassembleWord } from '../../emulator/mips/disassembler';
import { binutilsMissingReason, classifyAse, objdumpTexts, openCapstoneMips, Prng, type CapstoneMips } from './disassembler-oracles';

/** CP0 name → [register, select]: the inverse of the names the disassembler prints ("c0_perfcnt,2" is name + select). */
const C0_NAME_TO_REGISTER = new Map<string, readonly [number, number]>();
for (let reg = 0; reg < 32; reg++) {
  for (let sel = 0; sel < 8; sel++) {
    const text = disassembleWord(0x40020000 | (reg << 11) | sel, 0); // mfc0 v0,<reg,sel>
    const rest = text.slice(text.indexOf(',') + 1);
    if (rest.startsWith('c0_') && !rest.includes(',')) C0_NAME_TO_REGISTER.set(rest, [reg, sel]);
  }
}
const C1_NAMES: Readonly<Record<string, number>> = { c1_fir: 0, c1_ufr: 1, c1_unfr: 4, c1_fccr: 25, c1_fexr: 26, c1_fenr: 28, c1_fcsr: 31 };
const HWR_NAMES = new Map(Object.entries(HW_REGISTER_NAMES).map(([n, name]) => [name, Number(n)]));
const SYNC_NAMES = new Map(Object.entries(SYNC_TYPE_NAMES).map(([n, name]) => [name, Number(n)]));
const GPR_BY_NAME = new Map<string, number>([...GPR_NAMES.map((n, i) => [n, i] as const), ['fp', 30]]);

function token(raw: string): string[] {
  const t = raw.trim();
  const mem = /^(.*)\((.+)\)$/.exec(t);
  if (mem) return [...token(mem[1] === '' ? '0' : mem[1]), ...token(mem[2])];
  const bare = t.startsWith('$') ? t.slice(1) : t;
  if (GPR_BY_NAME.has(bare)) return [`r${GPR_BY_NAME.get(bare)}`];
  const c0 = C0_NAME_TO_REGISTER.get(bare);
  if (c0) return [`r${c0[0]}`, String(c0[1])];
  if (bare in C1_NAMES) return [`r${C1_NAMES[bare]}`];
  if (HWR_NAMES.has(bare)) return [`r${HWR_NAMES.get(bare)}`];
  if (t.startsWith('$') && /^\d+$/.test(bare)) return [`r${bare}`];
  if (/^-?(0x[0-9a-f]+|\d+)$/.test(t)) {
    const negative = t.startsWith('-');
    const magnitude = Number(negative ? t.slice(1) : t);
    return [String((negative ? -magnitude : magnitude) >>> 0)];
  }
  return [bare]; // f2, fcc1
}

const TRAP_IMMEDIATE = new Set(['tgei', 'tgeiu', 'tlti', 'tltiu', 'teqi', 'tnei']);
const CODE_MNEMONICS = new Set(['syscall', 'break', 'sdbbp', 'wait', 'teq', 'tne', 'tge', 'tgeu', 'tlt', 'tltu', 'sync']);

/** The canonical form of an objdump-syntax or Capstone-syntax instruction text. */
function canonical(text: string): string {
  const m = /^(\S+)\s*(.*)$/.exec(text.trim())!;
  let mnemonic = m[1];
  const rawOperands = m[2] === '' ? [] : m[2].split(',');
  let ops = rawOperands.flatMap(token);
  if (SYNC_NAMES.has(mnemonic)) { ops = [String(SYNC_NAMES.get(mnemonic))]; mnemonic = 'sync'; }
  if (mnemonic === 'li') { mnemonic = rawOperands[1].trim().startsWith('0x') ? 'ori' : 'addiu'; ops = [ops[0], 'r0', ops[1]]; }
  if (mnemonic === 'ror') mnemonic = 'rotr';
  if (mnemonic === 'rorv') mnemonic = 'rotrv';
  if (mnemonic === 'not') { mnemonic = 'nor'; ops = [...ops, 'r0']; }
  const key = `${mnemonic} ${ops.join(',')}`;
  if (/^(beq r0,r0|bgez r0),/.test(key)) { mnemonic = 'b'; ops = ops.slice(-1); }
  if (/^bgezal r0,/.test(key)) { mnemonic = 'bal'; ops = ops.slice(-1); }
  if (/^(beq|bne|beql|bnel) r\d+,r0,/.test(key)) { mnemonic = { beq: 'beqz', bne: 'bnez', beql: 'beqzl', bnel: 'bnezl' }[mnemonic]!; ops = [ops[0], ops[2]]; }
  if ((mnemonic === 'jalr' || mnemonic === 'jalr.hb') && ops.length === 2 && ops[0] === 'r0') { mnemonic = mnemonic === 'jalr' ? 'jr' : 'jr.hb'; ops = [ops[1]]; }
  if ((mnemonic === 'jalr' || mnemonic === 'jalr.hb') && ops.length === 2 && ops[0] === 'r31') ops = [ops[1]];
  if ((mnemonic === 'mfc0' || mnemonic === 'mtc0') && ops.length === 2) ops.push('0');
  if ((mnemonic === 'mfc0' || mnemonic === 'mtc0') && ops.length === 4) ops = [ops[0], ops[1], ops[3]]; // name then ",select"
  // Capstone prints the (sign-extended) immediate of trap-immediate instructions as unsigned 16 bits.
  if (TRAP_IMMEDIATE.has(mnemonic)) ops[1] = String(Number(ops[1]) & 0xffff);
  if (CODE_MNEMONICS.has(mnemonic)) while (ops.length > 0 && ops[ops.length - 1] === '0') ops.pop();
  return `${mnemonic} ${ops.join(',')}`.trim();
}

/** Table rows Capstone 5 does not decode although MIPS32r2 has them (checked per word). */
const CAPSTONE_REJECTS: Readonly<Record<string, (word: number) => boolean>> = {
  wait: (w) => ((w >>> 6) & 0x7ffff) !== 0, // wait with an implementation-defined code
  rdpgpr: () => true,
  wrpgpr: () => true,
  rdhwr: (w) => ((w >>> 11) & 31) !== 29, // Capstone knows only rdhwr $29 (ULR)
  mfhc1: () => true,
  mthc1: () => true,
};

interface Tally {
  equal: number;
  excluded: Map<string, number>;
  mismatches: string[];
  capstoneOnly: number[]; // words for the objdump cross-check
}

function count(map: Map<string, number>, key: string): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}

function compare(cs: CapstoneMips, words: readonly number[], vma: number, tally: Tally): void {
  for (let i = 0; i < words.length; i++) {
    const w = words[i];
    const address = (vma + i * 4) >>> 0;
    const insn = decode(w);
    const theirs = cs.disassemble(w, address);
    if (insn && insn.spec.flags & MipsClass.CATCH_ALL && insn.spec.operands.length === 0) { count(tally.excluded, 'cop1/cop1x/cop2 group row'); continue; }
    // A word we print as .word (no row, or an invalid MOVCI form as objdump shows it) is a rejection.
    if (insn === null || disassembleWord(w, address).startsWith('.word')) {
      if (theirs !== null) tally.capstoneOnly.push(w);
      continue;
    }
    const mnemonic = insn.spec.mnemonic;
    if (theirs === null) {
      const known = CAPSTONE_REJECTS[mnemonic];
      if (known && known(w)) { count(tally.excluded, `Capstone rejects ${mnemonic}`); continue; }
      if (tally.mismatches.length < 25) tally.mismatches.push(`${w.toString(16).padStart(8, '0')}: ours "${disassembleWord(w, address)}", Capstone rejects it`);
      continue;
    }
    if ((insn.spec.op === 'clz' || insn.spec.op === 'clo') && insn.rd !== insn.rt && insn.rd !== 0 && insn.rt !== 0) {
      count(tally.excluded, 'clz/clo with rd ≠ rt'); continue;
    }
    const ours = canonical(disassembleWord(w, address));
    const other = canonical(`${theirs.mnemonic} ${theirs.opStr}`);
    if (ours === other) tally.equal++;
    else if (tally.mismatches.length < 25) {
      tally.mismatches.push(`${w.toString(16).padStart(8, '0')}: ours "${disassembleWord(w, address)}" → ${ours}; Capstone "${theirs.mnemonic} ${theirs.opStr}" → ${other}`);
    }
  }
}

/** Words Capstone decodes and we do not: objdump must reject them as well, or name an ASE. */
function checkCapstoneOnly(words: number[], tally: Tally): void {
  if (words.length === 0) return;
  const texts = objdumpTexts(words, 0);
  words.forEach((w, i) => {
    if (texts[i].startsWith('.word')) { count(tally.excluded, 'Capstone-only, objdump rejects too'); return; }
    const ase = classifyAse(w, texts[i]);
    if (ase !== null) { count(tally.excluded, `Capstone-only ASE: ${ase}`); return; }
    if (tally.mismatches.length < 25) tally.mismatches.push(`${w.toString(16).padStart(8, '0')}: we reject it, objdump says "${texts[i]}"`);
  });
}

function rowWords(spec: MipsInstructionSpec, n: number, rnd: Prng): number[] {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    let free = rnd.next();
    for (const shift of [21, 16, 11, 6]) {
      const pick = rnd.below(8);
      if (pick === 0) free &= ~(31 << shift);
      else if (pick === 1) free |= 31 << shift;
    }
    if (rnd.below(4) === 0) free &= ~0xffff;
    out.push((spec.match | (free & ~spec.mask)) >>> 0);
  }
  return out;
}

const skip = binutilsMissingReason() ?? false;

test('decoder + disassembler agree with Capstone on every row and on 100,000 random words', { skip }, async () => {
  const cs = await openCapstoneMips();
  try {
    const rnd = new Prng(0xca95701e);
    const tally: Tally = { equal: 0, excluded: new Map(), mismatches: [], capstoneOnly: [] };
    const rows = MIPS_TABLE.filter((s) => !(s.flags & MipsClass.CATCH_ALL && s.operands.length === 0));
    const rowTally: Map<MipsInstructionSpec, number> = new Map();
    for (const spec of rows) {
      const words = rowWords(spec, 200, rnd);
      const before = tally.equal;
      compare(cs, words, 0x80000000, tally);
      rowTally.set(spec, tally.equal - before);
    }
    const random: number[] = [];
    for (let i = 0; i < 100000; i++) random.push(rnd.next());
    compare(cs, random, 0x00400000, tally);
    checkCapstoneOnly(tally.capstoneOnly, tally);
    assert.deepEqual(tally.mismatches, []);
    // Every row Capstone knows was really compared.
    const notCompared = rows
      .filter((s) => (rowTally.get(s) ?? 0) === 0 && !(s.mnemonic in CAPSTONE_REJECTS))
      .map((s) => s.mnemonic);
    assert.deepEqual(notCompared, []);
    assert.ok(tally.equal > 60000, `compared ${tally.equal}`);
    if (process.env.MIPS_ORACLE_REPORT) console.log({ equal: tally.equal, excluded: Object.fromEntries(tally.excluded) });
  } finally {
    cs.close();
  }
});

test('canonical() removes exactly the documented naming differences', () => {
  assert.equal(canonical('li\tv0,5'), canonical('addiu $v0, $zero, 5'));
  assert.equal(canonical('li\tv0,0x5'), canonical('ori $v0, $zero, 5'));
  assert.notEqual(canonical('li\tv0,5'), canonical('ori $v0, $zero, 5'));
  assert.equal(canonical('b\t0x10'), canonical('bgez $zero, 0x10'));
  assert.equal(canonical('beqzl\tat,0x10'), canonical('beql $at, $zero, 0x10'));
  assert.equal(canonical('mfc0\tv0,c0_status'), canonical('mfc0 $v0, $t4, 0'));
  assert.equal(canonical('mfc0\tv0,c0_perfcnt,3'), canonical('mfc0 $v0, $t9, 3'));
  assert.notEqual(canonical('mfc0\tv0,c0_perfcnt,3'), canonical('mfc0 $v0, $t9, 2'));
  assert.equal(canonical('mfc0\tv0,c0_datalo'), canonical('mfc0 $v0, $gp, 1'));
  assert.equal(canonical('mtc0\tv0,$21,3'), canonical('mtc0 $v0, $s5, 3'));
  assert.equal(canonical('jalr\tzero,v0'), canonical('jr $v0'));
  assert.equal(canonical('sync_wmb'), canonical('sync 4'));
  assert.equal(canonical('lw\tv0,-8(sp)'), canonical('lw $v0, -8($sp)'));
  assert.equal(canonical('ins\tv0,v1,0x1f,0xffffffe6'), canonical('ins $v0, $v1, 0x1f, -0x1a'));
  assert.notEqual(canonical('addu\tv0,v1,a0'), canonical('addu $v0, $a0, $v1'));
});
