// THE table against its oracle, GNU objdump: for many generated words (fixed seed), the mnemonic
// decode() picks must be the one objdump prints (or '.word' when no row matches), and structural
// properties that the decoder relies on must hold.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MIPS_TABLE, MipsClass } from '../../emulator/mips/table';
import { decode, decodeForExecution } from '../../emulator/mips/decoder';
import { prng } from '../fixed-seed-random';

/** Words that hit every row: its match with random bits outside the mask, sometimes outside only the reserved fields. */
function generateWords(count: number, seed: number): number[] {
  const rnd = prng(seed);
  const out: number[] = [];
  for (let i = 0; i < count; i++) {
    const spec = MIPS_TABLE[rnd() % MIPS_TABLE.length];
    const r = rnd();
    const mode = rnd() % 4;
    let w = (spec.match | (r & ~spec.mask)) >>> 0;
    if (mode === 0) w = (spec.match | (r & ~spec.execMask)) >>> 0; // reserved fields non-zero
    if (mode === 1) w = r; // anything
    out.push(w);
  }
  return out;
}

/** objdump's mips:isa32r2 also knows the ASEs (MIPS16/microMIPS jalx, UDI, DSP, MSA, generic cop0): not ours. */
function outsideMips32r2(word: number, printed: string, operands: string): boolean {
  const opcode = word >>> 26;
  if (['jalx', 'c0', 'lsa', 'aclr', 'aset'].includes(printed) || /^udi\d+$/.test(printed)) return true;
  if (operands.includes('$ac')) return true; // DSP accumulators in mult/madd/...
  if (opcode === 0x1f && !['ext', 'ins', 'wsbh', 'seb', 'seh', 'rdhwr'].includes(printed)) return true; // DSP
  return opcode === 0x1e || (opcode === 0 && /[._]/.test(printed)); // MSA
}

test('a word objdump knows executes as the same operation', () => {
  for (const w of generateWords(50000, 777)) {
    const strict = decode(w);
    if (!strict) continue;
    const exec = decodeForExecution(w);
    assert.ok(exec, `0x${w.toString(16)} (${strict.spec.mnemonic}) does not decode for execution`);
    assert.equal(exec.spec.op, strict.spec.op, `0x${w.toString(16)}`);
  }
});

const objdump = spawnSync('mipsel-linux-gnu-objdump', ['--version']).status === 0;

test('non-alias rows never overlap under the strict mask', () => {
  const real = MIPS_TABLE.filter((s) => !(s.flags & (MipsClass.ALIAS | MipsClass.CATCH_ALL)));
  for (let i = 0; i < real.length; i++) {
    for (let j = i + 1; j < real.length; j++) {
      const a = real[i];
      const b = real[j];
      const common = a.mask & b.mask;
      if (((a.match & common) >>> 0) === ((b.match & common) >>> 0)) {
        assert.fail(`${a.mnemonic} 0x${a.match.toString(16)} overlaps ${b.mnemonic} 0x${b.match.toString(16)}`);
      }
    }
  }
});

test('every alias decodes for execution to a row with the same op', () => {
  for (const s of MIPS_TABLE) {
    assert.equal(((s.match & s.mask) >>> 0), s.match, `${s.mnemonic}: match outside mask`);
    assert.equal(((s.match & s.execMask) >>> 0), s.match, `${s.mnemonic}: match outside execMask`);
    assert.equal((s.mask & s.execMask) >>> 0, s.execMask, `${s.mnemonic}: execMask not inside mask`);
    const d = decodeForExecution(s.match);
    assert.ok(d, `${s.mnemonic} does not decode for execution`);
    assert.equal(d.spec.op, s.op, `${s.mnemonic}`);
  }
});

test('decode() mnemonics agree with GNU objdump on 30,000 generated words', { skip: objdump ? false : 'mipsel-linux-gnu-objdump not installed' }, () => {
  const words = generateWords(30000, 12345);
  const dir = mkdtempSync(join(tmpdir(), 'mips-table-'));
  try {
    const bin = join(dir, 'w.bin');
    const buf = Buffer.alloc(words.length * 4);
    words.forEach((w, i) => buf.writeUInt32LE(w, i * 4));
    writeFileSync(bin, buf);
    const r = spawnSync('mipsel-linux-gnu-objdump', ['-D', '-b', 'binary', '-m', 'mips:isa32r2', '-EL', bin], { encoding: 'utf8', maxBuffer: 1 << 28 });
    assert.equal(r.status, 0, r.stderr);
    const printed = new Map<number, [string, string]>();
    for (const line of r.stdout.split('\n')) {
      const m = /^\s*([0-9a-f]+):\t([0-9a-f]{8}) \t(\S+)\t?(.*)$/.exec(line);
      if (m) printed.set(parseInt(m[1], 16) / 4, [m[3], m[4]]);
    }
    let compared = 0;
    const mismatches: string[] = [];
    words.forEach((w, i) => {
      const line = printed.get(i);
      assert.ok(line !== undefined, `objdump printed nothing for word ${i}`);
      const [want, operands] = line;
      const d = decode(w);
      if (d && d.spec.flags & MipsClass.CATCH_ALL) return; // objdump names the group's members
      const got = d ? d.spec.mnemonic : '.word';
      if (got === '.word' && outsideMips32r2(w, want, operands)) return;
      if (got === 'sync' && want.startsWith('sync_')) return; // the sync type printed as a name
      compared++;
      if (got !== want && mismatches.length < 20) mismatches.push(`0x${w.toString(16).padStart(8, '0')}: table ${got}, objdump ${want}`);
    });
    assert.deepEqual(mismatches, []);
    assert.ok(compared > 20000);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
