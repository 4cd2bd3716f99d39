// The x86 decoder against Capstone 5 (an independent decoder): for generated encodings of
// every table entry, validity, length and operands must agree; on long random byte streams,
// validity and length must agree. Every tolerated disagreement is listed below with its reason,
// and counted; any other disagreement fails the test.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { CapstoneX86, CapstoneInstruction, CapstoneOperand } from './capstone-oracle';
import { generateTableEncodings, hexBytes, locationName, Prng } from './disassembler-encodings';
import { decodeInstruction, DecodedInstruction, REG8_NAMES, REG16_NAMES, REG32_NAMES, SEG_NAMES } from '../../emulator/x86/decoder';
import { allEntries } from '../../emulator/x86/table';

let capstone: CapstoneX86;
before(async () => {
  capstone = await CapstoneX86.open();
});
after(() => capstone.close());

/** Instructions whose operands the table leaves opaque (x87, SSE/MMX, 3DNow!, system groups). */
const OPAQUE = new Set(['x87', 'sse', 'avx', 'system', '3dnow', 'vmread', 'vmwrite', 'movnti']);

interface Pair {
  bytes: Uint8Array;
  ours: DecodedInstruction;
  theirs: CapstoneInstruction | null;
}

/** Our decoder "rejects" what the CPU would #UD on, including a LOCK it does not allow. */
function oursRejects(d: DecodedInstruction): boolean {
  return d.status === 'invalid' || d.lockInvalid;
}

const mod3 = (d: DecodedInstruction) => d.modrm >= 0 && d.modrm >> 6 === 3;

interface Difference {
  reason: string;
  applies: (p: Pair) => boolean;
}

/** Deliberate: our decoder follows the SDM / an i686, Capstone does something else. */
const DELIBERATE: Difference[] = [
  {
    reason: 'out-of-scope opcode spaces (x87, SSE/MMX, VEX/EVEX AVX, 3DNow!, system groups, VMX, movnti) are "unsupported" with a length for every ModRM form; Capstone rejects the undefined forms (and EVEX in 32-bit mode)',
    applies: (p) => p.ours.status === 'unsupported' && p.ours.entry !== null && OPAQUE.has(p.ours.entry.mnemonic),
  },
  {
    reason: 'LOCK on an instruction or form that cannot take it is #UD (SDM vol. 2 "LOCK"); Capstone accepts LOCK with register destinations and more',
    applies: (p) => p.ours.lockInvalid && p.theirs !== null,
  },
  {
    reason: 'mov to CS, and 8C/8E with ModRM.reg 6 or 7, are #UD (SDM "MOV"); Capstone decodes them',
    applies: (p) => p.ours.status === 'invalid' && (p.ours.opcode === 0x8c || p.ours.opcode === 0x8e),
  },
  {
    reason: 'ud1 (0F B9) takes a ModRM byte (SDM, objdump); Capstone 5 decodes it as 2 bytes',
    applies: (p) => p.ours.opcode === 0x0fb9,
  },
  {
    reason: 'TSX xabort/xbegin (C6 F8, C7 F8) and 0F C7 /3../7 memory forms (xrstors, xsavec, xsaves, vmclear, vmptrst) are not i686 instructions: #UD here',
    applies: (p) => p.ours.status === 'invalid' && (((p.ours.opcode === 0xc6 || p.ours.opcode === 0xc7) && p.ours.modrm === 0xf8) || p.ours.opcode === 0x0fc7),
  },
  {
    reason: 'hint-NOP space 0F 0D and 0F 18..1F executes every ModRM form as a NOP; Capstone rejects some forms',
    applies: (p) => p.ours.entry !== null && p.ours.entry.op === 'nop' && p.theirs === null,
  },
];

/** Decoder bugs reported in /work/notes/x86-decoder-bugs.md (tolerated until fixed, and counted). */
const REPORTED_DECODER_BUGS: Difference[] = [
  {
    reason: '#3: register (mod 3) forms of lss, lfs, lgs, FF /3, FF /5 (and of bound/les/lds when not VEX/EVEX) are #UD; decoder says unsupported',
    applies: (p) =>
      mod3(p.ours) &&
      p.ours.status === 'unsupported' &&
      p.theirs === null &&
      ['bound', 'les', 'lds', 'lss', 'lfs', 'lgs', 'lcall', 'ljmp'].includes(p.ours.entry?.mnemonic ?? ''),
  },
  {
    reason: '#4: 0F B8 without F3 is not popcnt (#UD)',
    applies: (p) => p.ours.opcode === 0x0fb8 && p.ours.rep !== 'rep' && p.theirs === null,
  },
];

function validityOrLengthProblem(p: Pair): string | null {
  const { ours, theirs } = p;
  if (theirs === null) return oursRejects(ours) ? null : `Capstone rejects; decoder says ${ours.status} (${ours.entry?.mnemonic}), length ${ours.length}`;
  if (oursRejects(ours)) return `decoder rejects (${ours.reason || 'lock'}); Capstone: ${theirs.mnemonic} ${theirs.opStr} (${theirs.size} bytes)`;
  if (theirs.size !== ours.length) return `length ${ours.length}, Capstone ${theirs.size} (${theirs.mnemonic} ${theirs.opStr})`;
  return null;
}

// Operand normalization: both sides become strings like "eax", "imm:ff", "mem:fs:ebx:esi:4:10".
function regName(reg: number, size: number): string {
  return (size === 1 ? REG8_NAMES : size === 2 ? REG16_NAMES : REG32_NAMES)[reg];
}

function ourOperands(d: DecodedInstruction): string[] {
  const e = d.entry!;
  const out = d.operands.map((o, i) => {
    switch (o.kind) {
      case 'reg':
        // The selector of mov-to-sreg / lar / lsl is the low word; Capstone names the full
        // register. bswap r16 is undefined (SDM); Capstone names the 16-bit register.
        if (o.size === 2 && (e.op === 'mov_to_seg' || e.mnemonic === 'lar' || e.mnemonic === 'lsl')) return 'r' + o.reg;
        if (e.op === 'bswap') return 'r' + o.reg;
        return regName(o.reg, o.size);
      case 'sreg':
        return SEG_NAMES[o.sreg];
      case 'imm':
        return 'imm:' + o.value.toString(16);
      case 'rel':
        return 'imm:' + o.target.toString(16);
      case 'mem': {
        // ES:[EDI] cannot be overridden: the decoder leaves `segment` at -1; Capstone says es.
        const seg = e.operands[i]?.[0] === 'Y' ? 'es' : o.segment >= 0 ? SEG_NAMES[o.segment] : '';
        const base = o.base >= 0 ? REG32_NAMES[o.base] : '';
        const index = o.index >= 0 ? REG32_NAMES[o.index] : '';
        return `mem:${seg}:${base}:${index}:${index ? o.scale : 1}:${(o.disp >>> 0).toString(16)}`;
      }
    }
  });
  return out;
}

function capstoneOperands(ops: CapstoneOperand[], d: DecodedInstruction): string[] {
  const e = d.entry!;
  return ops.map((o, i) => {
    switch (o.kind) {
      case 'reg': {
        const ourOp = d.operands[i];
        if (ourOp !== undefined && ourOp.kind === 'reg' && (e.op === 'bswap' || ((e.op === 'mov_to_seg' || e.mnemonic === 'lar' || e.mnemonic === 'lsl') && ourOp.size === 2))) {
          const names = [REG8_NAMES, REG16_NAMES, REG32_NAMES].map((n) => (n as readonly string[]).indexOf(o.reg));
          return 'r' + Math.max(...names);
        }
        return o.reg;
      }
      case 'imm': {
        const ourOp = d.operands[i];
        const size = ourOp !== undefined && ourOp.kind === 'imm' ? ourOp.size : 4;
        return 'imm:' + BigInt.asUintN(size * 8, o.imm).toString(16);
      }
      case 'mem':
        return `mem:${o.segment}:${o.base}:${o.index}:${o.index ? o.scale : 1}:${BigInt.asUintN(32, o.disp).toString(16)}`;
    }
  });
}

/** Why operands are not compared for this instruction, or null to compare them. */
function operandsNotComparable(d: DecodedInstruction): string | null {
  const e = d.entry!;
  if (OPAQUE.has(e.mnemonic) || (e.status === 'unsupported' && e.mnemonic === 'mov')) return 'opaque out-of-scope instruction (mov CR/DR names no control register)';
  if (d.addrsizePrefix) return '16-bit addressing: the decoder gives only the length (and Capstone truncates branch targets under 0x67)';
  if (d.operandSize === 2 && d.operands.some((o) => o.kind === 'rel')) return '16-bit branch targets (unsupported; Capstone wraps them at 0x10000 differently from the CPU)';
  if (e.operands.includes('Ap')) return 'far pointer immediates are not decoded into operands';
  return null;
}

function operandProblem(d: DecodedInstruction, c: CapstoneInstruction): string | null {
  if (operandsNotComparable(d) !== null) return null;
  let ours = ourOperands(d);
  let theirs = capstoneOperands(c.operands, d);
  if (d.entry!.op === 'nop' && d.entry!.operands.length > 0) {
    // Hint NOPs: Capstone adds the ModRM.reg register (nop r/m, r) or an MPX bound register.
    theirs = theirs.filter((t) => !t.startsWith('bnd')).slice(0, 1);
    ours = ours.slice(0, theirs.length);
  }
  const a = ours.join(', ');
  const b = theirs.join(', ');
  return a === b ? null : `operands [${a}] vs Capstone [${b}] (${c.mnemonic} ${c.opStr})`;
}

interface Tally {
  agreed: number;
  deliberate: Map<string, number>;
  reported: Map<string, number>;
  failures: string[];
}

function newTally(): Tally {
  return { agreed: 0, deliberate: new Map(), reported: new Map(), failures: [] };
}

/** Files one pair under agreement, a documented difference, or a failure. Returns true on agreement. */
function classify(t: Tally, p: Pair, problem: string | null, label: string): boolean {
  if (problem === null) {
    t.agreed++;
    return true;
  }
  for (const [list, map] of [
    [DELIBERATE, t.deliberate],
    [REPORTED_DECODER_BUGS, t.reported],
  ] as const) {
    const d = list.find((x) => x.applies(p));
    if (d) {
      map.set(d.reason, (map.get(d.reason) ?? 0) + 1);
      return false;
    }
  }
  if (t.failures.length < 40) t.failures.push(`${label} ${hexBytes(p.bytes)}: ${problem}`);
  else t.failures.length++;
  return false;
}

function summary(t: Tally): string {
  const lines = [`agreed: ${t.agreed}`];
  for (const [reason, n] of t.deliberate) lines.push(`  deliberate (${n}): ${reason}`);
  for (const [reason, n] of t.reported) lines.push(`  reported decoder bug (${n}): ${reason}`);
  return lines.join('\n');
}

test('the Capstone oracle reads operand details (Capstone 5 struct layout)', () => {
  const c = capstone.decode([0x64, 0x8b, 0x44, 0x8c, 0xfc], 0x1000);
  assert.ok(c);
  assert.equal(c.size, 5);
  assert.deepEqual(c.operands, [
    { kind: 'reg', reg: 'eax', size: 4 },
    { kind: 'mem', segment: 'fs', base: 'esp', index: 'ecx', scale: 4, disp: -4n, size: 4 },
  ]);
  const imm = capstone.decode([0x66, 0x81, 0xc3, 0x34, 0x12], 0);
  assert.deepEqual(imm?.operands, [
    { kind: 'reg', reg: 'bx', size: 2 },
    { kind: 'imm', imm: 0x1234n, size: 2 },
  ]);
  assert.equal(capstone.decode([0x0f, 0x0b], 0)?.mnemonic, 'ud2');
  assert.equal(capstone.decode([0x0f, 0x04], 0), null);
});

test('every table entry: decoder and Capstone agree on validity, length and operands', (t) => {
  const encodings = generateTableEncodings(0x5eed, 32, ['ok', 'unsupported', 'invalid'], { addressSize: true, redundant: true });
  const tally = newTally();
  const fullyAgreeing = new Map<string, number>();
  const compared = new Map<string, number>();
  for (const g of encodings) {
    const theirs = capstone.decode(g.bytes, 0);
    const pair: Pair = { bytes: g.bytes, ours: g.decoded, theirs };
    const name = locationName(g.location);
    compared.set(name, (compared.get(name) ?? 0) + 1);
    let problem = validityOrLengthProblem(pair);
    if (problem === null && theirs !== null && !oursRejects(g.decoded)) problem = operandProblem(g.decoded, theirs);
    if (classify(tally, pair, problem, name)) fullyAgreeing.set(name, (fullyAgreeing.get(name) ?? 0) + 1);
  }
  const locations = allEntries().map(locationName);
  const never = locations.filter((n) => !fullyAgreeing.has(n));
  t.diagnostic(`${encodings.length} encodings of ${locations.length} table locations; ${locations.length - never.length} locations agree fully on at least one encoding`);
  t.diagnostic(summary(tally));
  if (never.length > 0) t.diagnostic(`locations with no fully agreeing encoding (all differences documented): ${never.join('; ')}`);
  assert.deepEqual(tally.failures, []);
  // Every in-scope entry must have been seen agreeing with Capstone.
  const inScopeNever = allEntries()
    .filter((l) => l.entry.status === 'ok')
    .map(locationName)
    .filter((n) => !fullyAgreeing.has(n) && !/^0f b9 /.test(n));
  assert.deepEqual(inScopeNever, []);
});

test('random byte streams: 200,000 instructions agree with Capstone on validity, length and operands', (t) => {
  const rng = new Prng(0xc0ffee);
  const tally = newTally();
  const streamLength = 1 << 16;
  let instructions = 0;
  let streams = 0;
  while (instructions < 200_000) {
    streams++;
    const buf = new Uint8Array(streamLength + 16);
    for (let i = 0; i < buf.length; i++) buf[i] = rng.byte();
    let pos = 0;
    while (pos < streamLength && instructions < 200_000) {
      const ours = decodeInstruction((a) => buf[a], pos);
      const theirs = capstone.decode(buf.subarray(pos, pos + 15), pos);
      const bytes = buf.slice(pos, pos + Math.max(ours.length, theirs?.size ?? 1));
      let problem = validityOrLengthProblem({ bytes, ours, theirs });
      if (problem === null && theirs !== null && !oursRejects(ours)) problem = operandProblem(ours, theirs);
      classify(tally, { bytes, ours, theirs }, problem, `stream ${streams} +${pos}`);
      instructions++;
      pos += theirs !== null ? theirs.size : Math.max(1, ours.length);
    }
  }
  t.diagnostic(`${instructions} instructions in ${streams} random streams of ${streamLength} bytes`);
  t.diagnostic(summary(tally));
  assert.deepEqual(tally.failures, []);
});

test('random bytes never crash the decoder; only fetch errors escape it', () => {
  const rng = new Prng(7);
  const size = 1 << 15;
  const buf = new Uint8Array(size);
  for (let i = 0; i < size; i++) buf[i] = rng.byte();
  // Bias half the buffer towards prefixes and escapes, where decoders usually go wrong.
  const tricky = [0x0f, 0x66, 0x67, 0xf0, 0xf2, 0xf3, 0x26, 0x2e, 0x36, 0x3e, 0x64, 0x65, 0xc4, 0xc5, 0x62, 0x8f];
  for (let i = size / 2; i < size; i++) if (rng.below(3) === 0) buf[i] = rng.pick(tricky);
  class OutOfBytes extends Error {}
  const fetch = (a: number): number => {
    if (a >= size) throw new OutOfBytes(`fetch past the end at ${a}`);
    return buf[a];
  };
  let outOfBytes = 0;
  for (let pos = 0; pos < size; pos++) {
    try {
      const d = decodeInstruction(fetch, pos);
      assert.ok(d.length >= 1 && d.length <= 15, `length ${d.length} at ${pos}`);
      assert.ok(['ok', 'invalid', 'unsupported'].includes(d.status));
      if (d.status === 'ok') assert.ok(d.entry !== null && d.reason === '');
      else assert.ok(d.reason.length > 0, `no reason for ${d.status} at ${pos}`);
    } catch (e) {
      if (!(e instanceof OutOfBytes)) throw e;
      outOfBytes++;
    }
  }
  assert.ok(outOfBytes < 16, `fetch errors only near the end (${outOfBytes})`);
  // A truncated instruction: the fetch error itself comes out.
  assert.throws(() => decodeInstruction((a) => (a < 2 ? 0x66 : fetch(size + a)), 0), OutOfBytes);
  // Fifteen prefixes and an opcode: longer than the architectural limit.
  const long = decodeInstruction((a) => (a < 15 ? 0x66 : 0x90), 0);
  assert.equal(long.status, 'invalid');
});
