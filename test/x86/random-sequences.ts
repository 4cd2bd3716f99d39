// Random straight-line register/memory instruction sequences (fixed seed) for the native
// differential test: they exercise what single-instruction templates cannot — the block
// compiler's flag fusion, dead-flag elimination and inline shifts across neighbours. The
// generator tracks which flags are undefined after each instruction (from table.ts plus the
// count rules) and never lets a later instruction read one.

import { allEntries, CF, OF, STATUS_FLAGS } from '../../emulator/x86/table';
import { Input, Template } from './flag-programs';
import { Xorshift32 } from './native-harness';

interface Flags {
  defined: number;
  undefined: number;
  tested: number;
}

const byMnemonic = new Map<string, Flags>();
for (const loc of allEntries()) {
  const e = loc.entry;
  if (e.status !== 'ok' || byMnemonic.has(e.mnemonic)) continue;
  byMnemonic.set(e.mnemonic, { defined: e.definedFlags & STATUS_FLAGS, undefined: e.undefinedFlags & STATUS_FLAGS, tested: e.testedFlags & STATUS_FLAGS });
}
function flagsOf(m: string): Flags {
  const f = byMnemonic.get(m);
  if (f === undefined) throw new Error(`no table entry for ${m}`);
  return f;
}

const R32 = ['%eax', '%ebx', '%ecx', '%edx'];
const R16 = ['%ax', '%bx', '%cx', '%dx'];
const R8 = ['%al', '%bl', '%cl', '%dl', '%ah', '%bh', '%ch', '%dh'];
const CC = ['o', 'no', 'b', 'ae', 'e', 'ne', 'be', 'a', 's', 'ns', 'p', 'np', 'l', 'ge', 'le', 'g'];
const CC_FLAGS = [OF, OF, CF, CF, 0x40, 0x40, CF | 0x40, CF | 0x40, 0x80, 0x80, 0x4, 0x4, 0x80 | OF, 0x80 | OF, 0x40 | 0x80 | OF, 0x40 | 0x80 | OF];

interface Generated {
  text: string;
  flags: Flags;
}

function pick<T>(rng: Xorshift32, list: readonly T[]): T {
  return list[rng.below(list.length)];
}

function randomInstruction(rng: Xorshift32): Generated {
  const size = pick(rng, [1, 2, 4, 4, 4]);
  const s = size === 1 ? 'b' : size === 2 ? 'w' : 'l';
  const regs = size === 1 ? R8 : size === 2 ? R16 : R32;
  const a = pick(rng, regs);
  const b = pick(rng, regs);
  const imm = pick(rng, [0, 1, -1, 0x7f, -128, 0x55, 3, 1000, 0x7fffffff, -0x80000000]);
  const immFor = size === 1 ? ((imm % 256) + 256) % 256 : size === 2 ? ((imm % 65536) + 65536) % 65536 : imm;
  const kind = rng.below(22);
  switch (kind) {
    case 0:
    case 1:
    case 2: {
      const op = pick(rng, ['add', 'adc', 'sub', 'sbb', 'cmp', 'and', 'or', 'xor', 'test']);
      const src = rng.below(3) === 0 ? `$${immFor}` : b;
      return { text: `${op}${s} ${src}, ${a}`, flags: flagsOf(op) };
    }
    case 3: {
      const op = pick(rng, ['inc', 'dec', 'neg', 'not']);
      return { text: `${op}${s} ${a}`, flags: flagsOf(op) };
    }
    case 4:
    case 5: {
      const op = pick(rng, ['shl', 'shr', 'sar', 'rol', 'ror', 'rcl', 'rcr']);
      const bits = size * 8;
      const n = 1 + rng.below(rng.below(2) === 0 ? 2 : bits - 1);
      const f = flagsOf(op);
      const ofDefined = n === 1;
      return {
        text: `${op}${s} $${n}, ${a}`,
        flags: { defined: ofDefined ? f.defined : f.defined & ~OF, undefined: (f.undefined | (ofDefined ? 0 : OF)) & ~(ofDefined ? OF : 0), tested: f.tested },
      };
    }
    case 6: {
      if (size === 1) return { text: `imul${s} ${b}`, flags: flagsOf('imul') };
      return { text: rng.below(2) ? `imul${s} ${b}, ${a}` : `imul${s} $${immFor & 0x7ff}, ${b}, ${a}`, flags: flagsOf('imul') };
    }
    case 7:
      return { text: `mul${s} ${b}`, flags: flagsOf('mul') };
    case 8: {
      const c = rng.below(16);
      return { text: `set${CC[c]} ${pick(rng, R8)}`, flags: { defined: 0, undefined: 0, tested: CC_FLAGS[c] } };
    }
    case 9: {
      const c = rng.below(16);
      const z = size === 1 ? 'l' : s;
      const rr = size === 1 ? R32 : regs;
      return { text: `cmov${CC[c]}${z} ${pick(rng, rr)}, ${pick(rng, rr)}`, flags: { defined: 0, undefined: 0, tested: CC_FLAGS[c] } };
    }
    case 10:
      return { text: `mov${s} ${b}, ${a}`, flags: { defined: 0, undefined: 0, tested: 0 } };
    case 11:
      return { text: `leal ${pick(rng, [0, 4, -12, 0x1000])}(${pick(rng, R32)},${pick(rng, R32)},${pick(rng, [1, 2, 4, 8])}), ${pick(rng, R32)}`, flags: { defined: 0, undefined: 0, tested: 0 } };
    case 12: {
      const op = pick(rng, ['movzbl', 'movsbl', 'movzwl', 'movswl']);
      const src = op.includes('b') && op.indexOf('b') === 4 ? pick(rng, R8) : pick(rng, R16);
      return { text: `${op} ${src}, ${pick(rng, R32)}`, flags: { defined: 0, undefined: 0, tested: 0 } };
    }
    case 13:
      return { text: pick(rng, ['cwtl', 'cltd', 'cbtw', 'cwtd', 'bswap %ebx', 'bswap %edx', `xchg${s} ${a}, ${b}`]), flags: { defined: 0, undefined: 0, tested: 0 } };
    case 14: {
      const op = pick(rng, ['clc', 'stc', 'cmc']);
      return { text: op, flags: { defined: CF, undefined: 0, tested: op === 'cmc' ? CF : 0 } };
    }
    case 15: {
      const op = pick(rng, ['bt', 'bts', 'btr', 'btc']);
      const z = size === 1 ? 'l' : s;
      const rr = size === 1 ? R32 : regs;
      return { text: rng.below(2) ? `${op}${z} ${pick(rng, rr)}, ${pick(rng, rr)}` : `${op}${z} $${rng.below(32)}, ${pick(rng, rr)}`, flags: flagsOf(op) };
    }
    case 16: {
      const op = pick(rng, ['add', 'sub', 'and', 'or', 'xor', 'adc', 'sbb', 'cmp']);
      return rng.below(2) ? { text: `${op}${s} ${b}, scratch`, flags: flagsOf(op) } : { text: `${op}${s} scratch, ${a}`, flags: flagsOf(op) };
    }
    case 17:
      return rng.below(2) ? { text: `mov${s} ${a}, scratch+4`, flags: { defined: 0, undefined: 0, tested: 0 } } : { text: `mov${s} scratch+4, ${a}`, flags: { defined: 0, undefined: 0, tested: 0 } };
    case 18: {
      const op = pick(rng, ['xadd', 'cmpxchg']);
      return { text: `${op}${s} ${b}, ${a}`, flags: flagsOf(op) };
    }
    case 19:
      return { text: 'lahf', flags: { defined: 0, undefined: 0, tested: STATUS_FLAGS & ~OF } };
    case 20:
      return { text: 'sahf', flags: { defined: STATUS_FLAGS & ~OF, undefined: 0, tested: 0 } };
    default: {
      const op = pick(rng, ['inc', 'dec']);
      return { text: `${op}l scratch`, flags: flagsOf(op) };
    }
  }
}

let labels = 0;

/** One random sequence as a Template whose final undefined flags are known statically. */
export function randomSequence(rng: Xorshift32, length: number): Template {
  const lines: string[] = [];
  let undef = 0;
  while (lines.length < length) {
    const g = randomInstruction(rng);
    if (g.flags.tested & undef) continue;
    const written = g.flags.defined | g.flags.undefined;
    if (rng.below(6) === 0) {
      // A forward conditional branch over the instruction: undefined on either path counts.
      const c = rng.below(16);
      if (CC_FLAGS[c] & undef) continue;
      const l = labels++;
      lines.push(`j${CC[c]} skip${l}`, g.text, `skip${l}:`);
      undef = undef | ((undef & ~written) | g.flags.undefined);
      continue;
    }
    lines.push(g.text);
    undef = (undef & ~written) | g.flags.undefined;
  }
  const finalUndefined = undef;
  return { code: lines.join('\n'), mnemonic: '', undefinedFor: () => ({ flags: finalUndefined }) };
}

export function randomSequenceTemplates(seed: number, count: number): Template[] {
  const rng = new Xorshift32(seed);
  const out: Template[] = [];
  for (let i = 0; i < count; i++) out.push(randomSequence(rng, 6 + rng.below(18)));
  return out;
}

export type { Input };
