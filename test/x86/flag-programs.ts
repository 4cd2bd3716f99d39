// Generates i386 programs that run instruction templates over many inputs and dump the
// results (eax, ebx, edx, eflags) — the same binary runs natively and on the emulator, and
// the dumps are compared, ignoring what the SDM leaves undefined (from table.ts).

import { allEntries, CF, DF, OF, STATUS_FLAGS } from '../../emulator/x86/table';
import { Xorshift32 } from './native-harness';

export interface Template {
  /** AT&T code run with eax=a, ebx=ecx=b, edx=c and eflags=f; may use `scratch` (4 dwords). */
  code: string;
  /** Code before eflags is loaded (may clobber flags). */
  setup?: string;
  /** Intel mnemonic whose table entry gives the undefined flags ('' = none). */
  mnemonic: string;
  /** Extra undefined flags / undefined results for a given input. */
  undefinedFor?: (input: Input) => { flags?: number; result?: boolean };
}

export interface Input {
  a: number;
  b: number;
  c: number;
  flags: number;
}

export interface ProgramSpec {
  name: string;
  templates: Template[];
  inputs: Input[];
}

export const EDGE_VALUES = [0, 1, 2, 0x7f, 0x80, 0xff, 0x100, 0x7fff, 0x8000, 0xffff, 0x10000, 0x7fffffff, 0x80000000, 0x80000001, 0xfffffffe, 0xffffffff];

export function randomFlags(rng: Xorshift32): number {
  return rng.next() & STATUS_FLAGS;
}

/** Edge-value pairs plus random ones, with random initial status flags. */
export function pairInputs(seed: number, randomCount: number): Input[] {
  const rng = new Xorshift32(seed);
  const out: Input[] = [];
  for (const a of EDGE_VALUES) for (const b of EDGE_VALUES) out.push({ a, b, c: rng.next(), flags: randomFlags(rng) });
  for (let i = 0; i < randomCount; i++) {
    const pick = (): number => {
      const k = rng.below(4);
      return k === 0 ? EDGE_VALUES[rng.below(EDGE_VALUES.length)] : k === 1 ? rng.next() & 0xff : rng.next();
    };
    out.push({ a: pick(), b: pick(), c: rng.next(), flags: randomFlags(rng) });
  }
  return out;
}

const undefinedByMnemonic = new Map<string, number>();
for (const loc of allEntries()) {
  if (loc.entry.status !== 'ok') continue;
  const m = loc.entry.mnemonic;
  undefinedByMnemonic.set(m, (undefinedByMnemonic.get(m) ?? 0) | loc.entry.undefinedFlags);
}

export function tableUndefinedFlags(mnemonic: string): number {
  if (mnemonic === '') return 0;
  const u = undefinedByMnemonic.get(mnemonic);
  if (u === undefined) throw new Error(`no table entry for mnemonic ${mnemonic}`);
  return u;
}

export const RECORD_BYTES = 16;

export function programSource(spec: ProgramSpec): string {
  const lines: string[] = [];
  lines.push('.data', '.align 16', 'inputs:');
  for (const i of spec.inputs) lines.push(`.long ${i.a >>> 0}, ${i.b >>> 0}, ${i.c >>> 0}, ${i.flags >>> 0}`);
  lines.push('.align 16', 'scratch: .long 0, 0, 0, 0', 'bitarea: .space 64', 'bitmid: .space 64', stringData());
  lines.push('.bss', '.align 16', `out: .space ${spec.inputs.length * spec.templates.length * RECORD_BYTES}`);
  lines.push('.text', '.globl _start', '_start:', 'movl $inputs, %esi', 'movl $out, %edi', `movl $${spec.inputs.length}, %ebp`, 'next_input:');
  for (const t of spec.templates) {
    lines.push('movl 0(%esi), %eax', 'movl 4(%esi), %ebx', 'movl 4(%esi), %ecx', 'movl 8(%esi), %edx');
    if (t.setup) lines.push(t.setup);
    lines.push('pushl 12(%esi)', 'popfl');
    lines.push(t.code);
    lines.push('pushfl', 'movl %eax, 0(%edi)', 'movl %ebx, 4(%edi)', 'movl %edx, 8(%edi)', 'popl 12(%edi)', 'cld', 'addl $16, %edi');
  }
  lines.push('addl $16, %esi', 'decl %ebp', 'jnz next_input');
  lines.push('movl $4, %eax', 'movl $1, %ebx', 'movl $out, %ecx', `movl $${spec.inputs.length * spec.templates.length * RECORD_BYTES}, %edx`, 'int $0x80');
  lines.push('movl $1, %eax', 'xorl %ebx, %ebx', 'int $0x80', '');
  return lines.join('\n');
}

export interface Mismatch {
  template: string;
  input: Input;
  field: string;
  native: number;
  emulated: number;
}

const COMPARED_FLAGS = STATUS_FLAGS | DF;

export function compareDumps(spec: ProgramSpec, native: Buffer, emulated: Buffer): Mismatch[] {
  const out: Mismatch[] = [];
  const T = spec.templates.length;
  if (native.length !== emulated.length) throw new Error(`dump sizes differ: native ${native.length}, emulated ${emulated.length}`);
  for (let i = 0; i < spec.inputs.length; i++) {
    for (let j = 0; j < T; j++) {
      const t = spec.templates[j];
      const input = spec.inputs[i];
      const off = (i * T + j) * RECORD_BYTES;
      const extra = t.undefinedFor?.(input) ?? {};
      const undef = tableUndefinedFlags(t.mnemonic) | (extra.flags ?? 0);
      const names = ['eax', 'ebx', 'edx', 'eflags'];
      for (let f = 0; f < 4; f++) {
        let n = native.readUInt32LE(off + f * 4);
        let e = emulated.readUInt32LE(off + f * 4);
        if (f < 3 && extra.result) continue;
        if (f === 3) {
          n &= COMPARED_FLAGS & ~undef;
          e &= COMPARED_FLAGS & ~undef;
        }
        if (n !== e) out.push({ template: t.code.replace(/\n/g, '; '), input, field: names[f], native: n, emulated: e });
      }
    }
  }
  return out;
}

export function describeMismatches(ms: Mismatch[], max = 12): string {
  const h = (n: number): string => '0x' + (n >>> 0).toString(16);
  return ms
    .slice(0, max)
    .map((m) => `${m.template} a=${h(m.input.a)} b=${h(m.input.b)} c=${h(m.input.c)} f=${h(m.input.flags)}: ${m.field} native ${h(m.native)} emulated ${h(m.emulated)}`)
    .join('\n') + (ms.length > max ? `\n... ${ms.length - max} more` : '');
}

// ----------------------------------------------------------------------------- template sets

const SIZES = [
  { s: 'b', a: '%al', b: '%bl', c: '%dl', bits: 8 },
  { s: 'w', a: '%ax', b: '%bx', c: '%dx', bits: 16 },
  { s: 'l', a: '%eax', b: '%ebx', c: '%edx', bits: 32 },
];

export function aluTemplates(): Template[] {
  const t: Template[] = [];
  for (const op of ['add', 'adc', 'sub', 'sbb', 'cmp', 'and', 'or', 'xor', 'test']) {
    for (const z of SIZES) {
      t.push({ code: `${op}${z.s} ${z.b}, ${z.a}`, mnemonic: op });
      if (op !== 'test') t.push({ code: `${op}${z.s} ${z.b}, ${z.a}`.replace(`${z.b}, ${z.a}`, `scratch, ${z.a}`), setup: `mov${z.s} ${z.b}, scratch`, mnemonic: op });
      t.push({ code: `mov${z.s} ${z.a}, scratch\n${op}${z.s} ${z.b}, scratch\nmov${z.s} scratch, ${z.a}`, mnemonic: op });
    }
    t.push({ code: `${op}b %bh, %ah`, mnemonic: op });
    t.push({ code: `${op}b %dl, %bh`, mnemonic: op });
    t.push({ code: `${op}l $0x7f, %eax`, mnemonic: op });
    t.push({ code: `${op}l $-1, %eax`, mnemonic: op });
    t.push({ code: `${op}l $0x80000000, %eax`, mnemonic: op });
    t.push({ code: `${op}w $0x8000, %ax`, mnemonic: op });
    t.push({ code: `${op}b $0x80, %al`, mnemonic: op });
    if (op !== 'test') t.push({ code: `${op}w $-2, %ax`, mnemonic: op });
    t.push({ code: `mov %eax, scratch\n${op}l $0x12345678, scratch\nmov scratch, %eax`, mnemonic: op });
  }
  return t;
}

export function unaryTemplates(): Template[] {
  const t: Template[] = [];
  for (const op of ['inc', 'dec', 'neg', 'not']) {
    for (const z of SIZES) {
      t.push({ code: `${op}${z.s} ${z.a}`, mnemonic: op });
      t.push({ code: `mov${z.s} ${z.a}, scratch\n${op}${z.s} scratch\nmov${z.s} scratch, ${z.a}`, mnemonic: op });
    }
    t.push({ code: `${op}b %ah`, mnemonic: op });
    t.push({ code: `${op}b %bh`, mnemonic: op });
  }
  return t;
}

function shiftUndefined(op: string, bits: number, count: number | null): (i: Input) => { flags?: number } {
  return (i) => {
    const masked = (count ?? i.b) & 31;
    if (masked === 0) return {};
    let flags = 0;
    if (masked !== 1) flags |= OF;
    if ((op === 'shl' || op === 'shr' || op === 'sal') && masked > bits) flags |= CF | OF;
    return { flags };
  };
}

export function shiftTemplates(): Template[] {
  const t: Template[] = [];
  for (const op of ['rol', 'ror', 'rcl', 'rcr', 'shl', 'shr', 'sar', 'sal']) {
    for (const z of SIZES) {
      t.push({ code: `${op}${z.s} %cl, ${z.a}`, mnemonic: op, undefinedFor: shiftUndefined(op, z.bits, null) });
      for (const n of [1, 3, 8, 16, 31]) t.push({ code: `${op}${z.s} $${n}, ${z.a}`, mnemonic: op, undefinedFor: shiftUndefined(op, z.bits, n) });
      t.push({ code: `${op}${z.s} ${z.a}`, mnemonic: op, undefinedFor: shiftUndefined(op, z.bits, 1) });
      t.push({ code: `mov${z.s} ${z.a}, scratch\n${op}${z.s} %cl, scratch\nmov${z.s} scratch, ${z.a}`, mnemonic: op, undefinedFor: shiftUndefined(op, z.bits, null) });
    }
    t.push({ code: `${op}b %cl, %ah`, mnemonic: op, undefinedFor: shiftUndefined(op, 8, null) });
  }
  for (const op of ['shld', 'shrd']) {
    for (const z of SIZES.slice(1)) {
      const und = (count: number | null) => (i: Input) => {
        const m = (count ?? i.b) & 31;
        if (m === 0) return {};
        if (z.bits === 16 && m > 16) return { flags: STATUS_FLAGS, result: true };
        return { flags: m !== 1 ? OF : 0 };
      };
      t.push({ code: `${op}${z.s} %cl, ${z.c}, ${z.a}`, mnemonic: op, undefinedFor: und(null) });
      for (const n of [1, 4, 15, 16, 31]) t.push({ code: `${op}${z.s} $${n}, ${z.c}, ${z.a}`, mnemonic: op, undefinedFor: und(n) });
      t.push({ code: `mov${z.s} ${z.a}, scratch\n${op}${z.s} %cl, ${z.c}, scratch\nmov${z.s} scratch, ${z.a}`, mnemonic: op, undefinedFor: und(null) });
    }
  }
  return t;
}

export function shiftInputs(seed: number): Input[] {
  const rng = new Xorshift32(seed);
  const out: Input[] = [];
  for (const a of EDGE_VALUES) for (let count = 0; count < 34; count++) out.push({ a, b: count, c: rng.next(), flags: randomFlags(rng) });
  for (let i = 0; i < 200; i++) out.push({ a: rng.next(), b: rng.next() & 0xff, c: rng.next(), flags: randomFlags(rng) });
  return out;
}

export function mulTemplates(): Template[] {
  const t: Template[] = [];
  for (const z of SIZES) {
    t.push({ code: `mul${z.s} ${z.b}`, mnemonic: 'mul' });
    t.push({ code: `imul${z.s} ${z.b}`, mnemonic: 'imul' });
    t.push({ code: `mov${z.s} ${z.b}, scratch\nimul${z.s} scratch`, mnemonic: 'imul' });
    if (z.s !== 'b') {
      t.push({ code: `imul${z.s} ${z.b}, ${z.a}`, mnemonic: 'imul' });
      t.push({ code: `imul${z.s} $-3, ${z.b}, ${z.a}`, mnemonic: 'imul' });
      t.push({ code: `imul${z.s} $1000, ${z.b}, ${z.a}`, mnemonic: 'imul' });
      t.push({ code: `mov${z.s} ${z.b}, scratch\nimul${z.s} scratch, ${z.a}`, mnemonic: 'imul' });
    }
  }
  return t;
}

/** Division: inputs are chosen per template so that no #DE occurs natively. */
export function divSpecs(seed: number): ProgramSpec[] {
  const specs: ProgramSpec[] = [];
  for (const signed of [false, true]) {
    for (const z of SIZES) {
      const rng = new Xorshift32(seed + z.bits + (signed ? 1000 : 0));
      const inputs: Input[] = [];
      const bits = BigInt(z.bits);
      const valid = (a: number, b: number, c: number): boolean => {
        const mask = (1n << bits) - 1n;
        let lo: bigint, hi: bigint, d: bigint;
        if (z.bits === 8) {
          const ax = BigInt(a & 0xffff);
          lo = ax & 0xffn;
          hi = ax >> 8n;
          d = BigInt(b & 0xff);
        } else {
          lo = BigInt(a >>> 0) & mask;
          hi = BigInt(c >>> 0) & mask;
          d = BigInt(b >>> 0) & mask;
        }
        let n = (hi << bits) | lo;
        if (signed) {
          if (n >> (2n * bits - 1n)) n -= 1n << (2n * bits);
          if (d >> (bits - 1n)) d -= 1n << bits;
        }
        if (d === 0n) return false;
        const q = n / d;
        return signed ? q >= -(1n << (bits - 1n)) && q < 1n << (bits - 1n) : q <= mask;
      };
      for (const a of EDGE_VALUES) for (const b of EDGE_VALUES) for (const c of [0, 1, 0xffffffff, 0x7f, 0x80000000]) if (valid(a, b, c)) inputs.push({ a, b, c, flags: randomFlags(rng) });
      while (inputs.length < 600) {
        const a = rng.next();
        const b = rng.below(3) === 0 ? rng.next() & 0xff : rng.next();
        const c = rng.below(2) === 0 ? (a >> 31) : rng.next() >>> rng.below(32);
        if (valid(a, b, c)) inputs.push({ a, b, c, flags: randomFlags(rng) });
      }
      const op = signed ? 'idiv' : 'div';
      specs.push({
        name: `${op}${z.s}`,
        inputs,
        templates: [
          { code: `${op}${z.s} ${z.b}`, mnemonic: op },
          { code: `mov${z.s} ${z.b}, scratch\n${op}${z.s} scratch`, mnemonic: op },
        ],
      });
    }
  }
  return specs;
}

export function bitTemplates(): Template[] {
  const t: Template[] = [];
  const bsUndefined = (bits: number) => (i: Input) => ((i.b & (bits === 16 ? 0xffff : -1)) === 0 ? { result: true } : {});
  for (const op of ['bt', 'bts', 'btr', 'btc']) {
    for (const z of SIZES.slice(1)) {
      t.push({ code: `${op}${z.s} ${z.b}, ${z.a}`, mnemonic: op });
      t.push({ code: `${op}${z.s} $${z.bits === 16 ? 13 : 29}, ${z.a}`, mnemonic: op });
      t.push({ code: `${op}${z.s} $${z.bits + 3}, ${z.a}`, mnemonic: op });
      // Bit-string addressing with a register offset in [-256, 255].
      const shift = z.bits === 16 ? 4 : 5;
      const scale = z.bits === 16 ? 2 : 4;
      t.push({
        setup: `${z.s === 'w' ? 'movswl %bx, %ebx\nmovl %ebx, %ecx\n' : ''}andl $0x1ff, %ebx\nsubl $256, %ebx\nmovl %ebx, %ecx\nsarl $${shift}, %ecx\nmov${z.s} ${z.a}, bitmid(,%ecx,${scale})`,
        code: `${op}${z.s} ${z.b}, bitmid\nmov${z.s} bitmid(,%ecx,${scale}), ${z.a}`,
        mnemonic: op,
      });
    }
  }
  for (const op of ['bsf', 'bsr']) {
    t.push({ code: `${op}l %ebx, %eax`, mnemonic: op, undefinedFor: bsUndefined(32) });
    t.push({ code: `${op}w %bx, %ax`, mnemonic: op, undefinedFor: bsUndefined(16) });
    t.push({ code: `movl %ebx, scratch\n${op}l scratch, %eax`, mnemonic: op, undefinedFor: bsUndefined(32) });
  }
  t.push({ code: 'bswap %eax', mnemonic: '' });
  t.push({ code: 'bswap %edx', mnemonic: '' });
  return t;
}

const CC = ['o', 'no', 'b', 'ae', 'e', 'ne', 'be', 'a', 's', 'ns', 'p', 'np', 'l', 'ge', 'le', 'g'];
let labelCounter = 0;

export function conditionTemplates(): Template[] {
  const t: Template[] = [];
  for (const cc of CC) {
    // Generic path: flags straight from popf.
    t.push({ code: `set${cc} %dl`, mnemonic: '' });
    t.push({ code: `cmov${cc}l %ebx, %eax`, mnemonic: '' });
    // Fused paths: a producer right before the consumer.
    for (const producer of ['cmpl %ebx, %eax', 'cmpb %bl, %al', 'cmpw %bx, %ax', 'testl %ebx, %eax', 'testb %bl, %al', 'addl %ebx, %eax', 'subw %bx, %ax', 'incl %eax', 'decb %al', 'negl %eax', 'adcl %ebx, %eax', 'sbbb %bl, %al', 'andw %bx, %ax', 'orl %ebx, %eax']) {
      const m = producer.split(' ')[0].replace(/[lbw]$/, '');
      t.push({ code: `${producer}\nset${cc} %dl`, mnemonic: m });
      const l = labelCounter++;
      t.push({ code: `${producer}\nj${cc} taken${l}\nmovl $0, %edx\njmp done${l}\ntaken${l}: movl $1, %edx\ndone${l}:`, mnemonic: m });
    }
    t.push({ code: `cmpl %ebx, %eax\ncmov${cc}w %dx, %bx`, mnemonic: 'cmp' });
  }
  t.push({ code: 'lahf', mnemonic: '' });
  t.push({ code: 'movb %bl, %ah\nsahf', mnemonic: '' });
  t.push({ code: 'clc', mnemonic: '' });
  t.push({ code: 'stc', mnemonic: '' });
  t.push({ code: 'cmc', mnemonic: '' });
  t.push({ code: 'cmpl %ebx, %eax\ncmc\nadcl %edx, %eax', mnemonic: 'adc' });
  t.push({ code: 'std\nmovl $0, %edx\npushfl\npopl %edx\ncld', mnemonic: '' });
  const l = labelCounter++;
  t.push({ code: `movl %ebx, %ecx\nandl $7, %ecx\nincl %ecx\nloop${l}: incl %edx\nloop loop${l}`, mnemonic: 'inc' });
  return t;
}

export function miscTemplates(): Template[] {
  const t: Template[] = [];
  for (const z of SIZES) {
    t.push({ code: `cmpxchg${z.s} ${z.c}, ${z.b}`, mnemonic: 'cmpxchg' });
    t.push({ code: `mov${z.s} ${z.b}, scratch\ncmpxchg${z.s} ${z.c}, scratch\nmov${z.s} scratch, ${z.b}`, mnemonic: 'cmpxchg' });
    t.push({ code: `mov${z.s} ${z.a}, scratch\ncmpxchg${z.s} ${z.c}, scratch\nmov${z.s} scratch, ${z.b}`, mnemonic: 'cmpxchg' });
    t.push({ code: `xadd${z.s} ${z.b}, ${z.a}`, mnemonic: 'xadd' });
    t.push({ code: `mov${z.s} ${z.a}, scratch\nlock xadd${z.s} ${z.b}, scratch\nmov${z.s} scratch, ${z.a}`, mnemonic: 'xadd' });
    t.push({ code: `xchg${z.s} ${z.b}, ${z.a}`, mnemonic: '' });
    t.push({ code: `mov${z.s} ${z.a}, scratch\nxchg${z.s} ${z.b}, scratch\nmov${z.s} scratch, ${z.a}`, mnemonic: '' });
  }
  t.push({ code: 'xaddl %eax, %eax', mnemonic: 'xadd' });
  t.push({ code: 'movl %eax, scratch\nmovl %edx, scratch+4\nlock cmpxchg8b scratch\nmovl scratch, %ebx', mnemonic: '' });
  t.push({ code: 'movl %ebx, scratch\nmovl %edx, scratch+4\ncmpxchg8b scratch\nmovl scratch+4, %ebx', mnemonic: '' });
  t.push({ code: 'movl %eax, scratch\nmovl %ebx, scratch+4\ncmpxchg8b scratch\nmovl scratch+4, %ebx', mnemonic: '' });
  for (const ins of ['movzbl %bl, %eax', 'movzwl %bx, %eax', 'movsbl %bl, %eax', 'movswl %bx, %eax', 'movzbw %bh, %ax', 'movsbw %bl, %ax', 'movsbl %bh, %edx', 'cbtw', 'cwtl', 'cwtd', 'cltd', 'leal 12(%eax,%ebx,4), %edx', 'leaw 3(%eax,%ebx,2), %dx', 'leal -8(%ebx), %eax', 'notl %edx']) {
    t.push({ code: ins, mnemonic: '' });
  }
  for (const op of ['daa', 'das', 'aaa', 'aas']) t.push({ code: op, mnemonic: op });
  t.push({ code: 'aam', mnemonic: 'aam' });
  t.push({ code: 'aam $7', mnemonic: 'aam' });
  t.push({ code: 'aad', mnemonic: 'aad' });
  t.push({ code: 'aad $3', mnemonic: 'aad' });
  t.push({ code: 'pushl %ebx\npushw %ax\npopl %eax\npopw %dx', mnemonic: '' });
  for (const op of ['loope', 'loopne']) {
    const l = labelCounter++;
    t.push({ code: `movl %ebx, %ecx\nandl $7, %ecx\nincl %ecx\nlp${l}: incl %edx\ncmpl $3, %edx\n${op} lp${l}\nmovl %ecx, %ebx`, mnemonic: 'cmp' });
  }
  {
    const l = labelCounter++;
    t.push({ code: `pushl %eax\npushl %ebx\ncall fn${l}\njmp after${l}\nfn${l}: movl 4(%esp), %edx\nret $8\nafter${l}:`, mnemonic: '' });
  }
  t.push({ code: 'pushaw\nmovl 10(%esp), %edx\nmovl 12(%esp), %ebx\nmovl $0, %eax\nmovl $0, %ecx\npopaw', mnemonic: '' });
  t.push({ code: 'pushfw\npopw %dx\nandw $0xcd5, %bx\npushw %bx\npopfw', mnemonic: '' });
  t.push({ code: 'pushl %ebp\nmovl %esp, %ebp\nmovl %esp, %ecx\nenterw $6, $0\nmovl %ecx, %edx\nsubl %esp, %edx\nleavew\nsubl %esp, %ecx\nmovl %ecx, %ebx\npopl %ebp', mnemonic: 'sub' });
  t.push({ code: 'pushal\nmovl $1, %eax\nmovl $2, %ebx\nmovl 16(%esp), %edx\npopal', mnemonic: '' });
  t.push({ code: 'pushl %ebp\nmovl %esp, %ebp\nmovl %edx, -4(%ebp)\nmovl %eax, -8(%ebp)\nenter $12, $3\nmovl %esp, %ebx\nsubl %ebp, %ebx\nmovl -4(%ebp), %edx\nsubl %ebp, %edx\naddl -8(%ebp), %edx\nsubl %ebp, %edx\nmovl -12(%ebp), %eax\nsubl %ebp, %eax\nleave\npopl %ebp', mnemonic: 'sub' });
  return t;
}

/** String instructions over fixed buffers: all sizes, both directions, rep/repe/repne, fs override. */
export function stringTemplates(): Template[] {
  const t: Template[] = [];
  const record = 'pushfl\nmovl %ecx, %ebx\nmovl %esi, %edx\nsubl $strsrc, %edx\nshll $16, %edx\naddl %edi, %edx\nsubl $strdst, %edx\nmovl strdst+4, %ecx\naddl %ecx, %eax\npopfl\npopl %edi\npopl %esi';
  for (const dir of ['cld', 'std']) {
    const at = dir === 'cld' ? '' : '+40';
    for (const z of ['b', 'w', 'l']) {
      for (const [op, reps] of [['movs', ['', 'rep']], ['stos', ['', 'rep']], ['lods', ['', 'rep']], ['cmps', ['', 'repe', 'repne']], ['scas', ['', 'repe', 'repne']]] as const) {
        for (const rep of reps) {
          t.push({
            setup: 'andl $15, %ecx',
            code: `pushl %esi\npushl %edi\nmovl $strsrc${at}, %esi\nmovl $strdst${at}, %edi\n${dir}\n${rep} ${op}${z}\n${record}`,
            mnemonic: op === 'cmps' || op === 'scas' ? 'cmp' : '',
          });
        }
      }
    }
  }
  return t;
}

export function stringData(): string {
  // Mostly equal buffers so repe/repne stop at varying places.
  const src: number[] = [];
  const dst: number[] = [];
  for (let i = 0; i < 64; i++) {
    src.push((i * 37) & 0xff);
    dst.push(i % 7 === 3 ? 0x55 : (i * 37) & 0xff);
  }
  return `strsrc: .byte ${src.join(', ')}\nstrdst: .byte ${dst.join(', ')}`;
}

export function allSpecs(): ProgramSpec[] {
  const specs: ProgramSpec[] = [
    { name: 'alu', templates: aluTemplates(), inputs: pairInputs(11, 120) },
    { name: 'unary', templates: unaryTemplates(), inputs: pairInputs(12, 60) },
    { name: 'shift', templates: shiftTemplates(), inputs: shiftInputs(13) },
    { name: 'mul', templates: mulTemplates(), inputs: pairInputs(14, 200) },
    { name: 'bits', templates: bitTemplates(), inputs: pairInputs(15, 200) },
    { name: 'conditions', templates: conditionTemplates(), inputs: pairInputs(16, 100) },
    { name: 'misc', templates: miscTemplates(), inputs: pairInputs(17, 100) },
    { name: 'string', templates: stringTemplates(), inputs: pairInputs(19, 40) },
    ...divSpecs(18),
  ];
  return specs;
}

