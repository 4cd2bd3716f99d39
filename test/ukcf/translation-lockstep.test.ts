// Lockstep over the widened subset: generated programs (fixed seed; GNU as) mixing 8/16/32-bit
// arithmetic, adc/sbb, shifts and rotates by immediate/1/cl, shld/shrd, mul/div, bit tests and scans,
// xchg/xadd/cmpxchg, string instructions with rep and DF, flag instructions, setcc/cmovcc — with
// flag producers and readers split across blocks (the flags glue and its per-flag entries) — run
// translated, stopping at every block boundary, and on the reference X86Cpu; eip, the eight registers,
// the six status flags and DF are compared at each boundary, the data page at the end. A second set
// of programs adds the rare instructions: BCD adjustments, segment register reads, pushes, loads and
// pops with the flat selectors, enter with nesting levels (32- and 16-bit) and into with OF clear.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { X86Cpu } from '../../emulator/x86/cpu';
import { DF } from '../../emulator/x86/table';
import { UkcfRuntime } from '../../emulator/ukcf/translated-process';
import { MATERIALIZED_FLAGS } from '../../emulator/ukcf/mips-back-end';
import { assemble, CODE_BASE, DATA_BASE, DATA_BYTES, guestMemory, haveBinutils, STACK_TOP } from './program-generator';
import { Xorshift32 } from '../fixed-seed-random';

const skip = haveBinutils() ? false : 'i686-linux-gnu binutils not installed';
const SEED = 0x1a9e57e9;
const PROGRAMS = 12;
const SEGMENTS = 60;
const RARE_SEED = 0x7a3e0b5d;
const RARE_PROGRAMS = 8;
const hex = (n: number) => '0x' + (n >>> 0).toString(16);

const R32 = ['eax', 'ebx', 'ecx', 'edx', 'esi', 'edi'];
const R16 = ['ax', 'bx', 'cx', 'dx', 'si', 'di'];
const R8 = ['al', 'bl', 'cl', 'dl', 'ah', 'bh', 'ch', 'dh'];
const CONDS = ['o', 'no', 'b', 'ae', 'e', 'ne', 'be', 'a', 's', 'ns', 'p', 'np', 'l', 'ge', 'le', 'g'];

function operand(p: Xorshift32, size: number): string {
  const regs = size === 4 ? R32 : size === 2 ? R16 : R8;
  if (p.below(4) === 0) return `${size === 4 ? 'dword' : size === 2 ? 'word' : 'byte'} ptr [ebp + ${p.below(DATA_BYTES - 8)}]`;
  return p.pick(regs);
}

function immediate(p: Xorshift32, size: number): number {
  const v = p.pick([0, 1, 0x7f, 0x80, 0xff, 0x7fff, 0x8000, 0xffff, 0x7fffffff, 0x80000000, p.next(), p.next()]);
  return size === 4 ? v | 0 : v & (size === 2 ? 0xffff : 0xff);
}

/** One instruction (or a short safe group) of the widened subset. */
function instruction(p: Xorshift32, out: string[]): void {
  const size = p.pick([1, 2, 4, 4]);
  const regs = size === 4 ? R32 : size === 2 ? R16 : R8;
  const dst = operand(p, size);
  const src = dst.includes('[') || p.below(2) ? p.pick(regs) : String(immediate(p, size));
  switch (p.below(17)) {
    case 0: case 1:
      out.push(`  ${p.pick(['add', 'adc', 'sub', 'sbb', 'and', 'or', 'xor', 'cmp', 'test'])} ${dst}, ${src}`);
      break;
    case 2:
      out.push(`  ${p.pick(['inc', 'dec', 'neg', 'not'])} ${dst}`);
      break;
    case 3: {
      const op = p.pick(['shl', 'shr', 'sar', 'rol', 'ror', 'rcl', 'rcr']);
      out.push(`  ${op} ${dst}, ${p.pick(['1', 'cl', String(p.below(32))])}`);
      break;
    }
    case 4:
      if (size === 1) break;
      out.push(`  ${p.pick(['shld', 'shrd'])} ${dst}, ${p.pick(regs)}, ${p.pick(['cl', String(p.below(32))])}`);
      break;
    case 5:
      // One-operand mul/imul, then a producer: their SF ZF AF PF are undefined (the reference keeps others).
      out.push(`  ${p.pick(['mul', 'imul'])} ${dst}`, `  add ${p.pick(R32)}, ${p.pick(R32)}`);
      break;
    case 6:
      // Division that cannot fault: dividend high part 0 (div) or the sign (idiv), divisor in 1..0xffff.
      if (p.below(2)) out.push('  xor edx, edx', '  and ecx, 0xffff', '  or ecx, 1', '  div ecx');
      else out.push('  cdq', '  and ecx, 0xffff', '  or ecx, 1', '  idiv ecx');
      break;
    case 7:
      if (size === 1) break;
      // A register bit offset would address far outside the data page: memory forms take immediates.
      out.push(`  ${p.pick(['bt', 'bts', 'btr', 'btc'])} ${dst}, ${dst.includes('[') || p.below(2) ? String(p.below(64)) : p.pick(regs)}`);
      break;
    case 8:
      if (size === 1) break;
      out.push(`  ${p.pick(['bsf', 'bsr'])} ${p.pick(regs)}, ${dst}`);
      break;
    case 9:
      out.push(`  ${p.pick(['xchg', 'xadd', 'cmpxchg'])} ${dst}, ${p.pick(regs)}`);
      break;
    case 10:
      out.push(`  set${p.pick(CONDS)} ${operand(p, 1)}`);
      break;
    case 11:
      if (size === 1) break;
      out.push(`  cmov${p.pick(CONDS)} ${p.pick(regs)}, ${dst}`);
      break;
    case 12:
      out.push(`  ${p.pick(['cbw', 'cwde', 'cwd', 'cdq', 'clc', 'stc', 'cmc', 'lahf', 'sahf', 'bswap eax', 'bswap esi'])}`);
      break;
    case 13:
      out.push('  pushfd', `  pop ${p.pick(R32)}`);
      break;
    case 14: {
      // A string instruction inside the data page, either direction.
      const n = p.below(6);
      const [a, b] = [64 + p.below(1800), 2100 + p.below(1800)];
      out.push(`  lea esi, [ebp + ${a}]`, `  lea edi, [ebp + ${b}]`, `  mov ecx, ${n}`, `  ${p.pick(['cld', 'std'])}`);
      const w = p.pick(['b', 'w', 'd']);
      out.push(`  ${p.pick(['', 'rep ', 'repe ', 'repne '])}${p.pick(['movs', 'stos', 'lods', 'cmps', 'scas'])}${w}`);
      if (p.below(2)) out.push('  cld');
      break;
    }
    case 15:
      out.push(`  ${p.pick(['movzx', 'movsx'])} ${p.pick(R32)}, ${operand(p, p.pick([1, 2]))}`);
      break;
    default:
      out.push(`  mov ${dst}, ${src}`);
  }
}

const SREGS = ['es', 'cs', 'ss', 'ds', 'fs', 'gs'];

/** One of the rare instructions (or a short safe group) the reference interpreter runs. */
function rareInstruction(p: Xorshift32, out: string[]): void {
  switch (p.below(6)) {
    case 0:
      // AL/AX from the incoming AF/CF (often set by another block) and the bases of aam/aad.
      out.push(`  ${p.pick(['daa', 'das', 'aaa', 'aas', `aam ${1 + p.below(255)}`, `aad ${p.below(256)}`, 'aam', 'aad'])}`);
      break;
    case 1: {
      const sreg = p.pick(SREGS);
      const k = p.below(4);
      if (k === 0) out.push(`  mov ${p.pick(R32)}, ${sreg}`);
      else if (k === 1) out.push(`  mov ${p.pick(R16)}, ${sreg}`);
      else if (k === 2) out.push(`  mov word ptr [ebp + ${p.below(DATA_BYTES - 2)}], ${sreg}`);
      else if (p.below(2)) out.push(`  push ${sreg}`, `  pop ${p.below(2) ? p.pick(R32) : `dword ptr [ebp + ${p.below(DATA_BYTES - 4)}]`}`);
      else out.push(`  .byte 0x66\n  push ${sreg}`, `  pop ${p.below(2) ? p.pick(R16) : `word ptr [ebp + ${p.below(DATA_BYTES - 2)}]`}`); // 16-bit push
      break;
    }
    case 2: {
      // Loads of the selectors the reference accepts: null (not ss), the flat code/data ones.
      const sreg = p.pick(['es', 'ss', 'ds', 'fs', 'gs']);
      const selector = sreg === 'ss' ? 0x2b : p.pick([0, 1, 2, 3, 0x23, 0x2b, 0x20, 0x28]);
      const r = p.pick(R16);
      const k = p.below(3);
      if (k === 0) out.push(`  mov ${r}, ${selector}`, `  mov ${sreg}, ${r}`);
      else if (k === 1) {
        const off = p.below(DATA_BYTES - 2);
        out.push(`  mov word ptr [ebp + ${off}], ${selector}`, `  mov ${sreg}, word ptr [ebp + ${off}]`);
      } else out.push(`  push ${selector | (p.below(2) ? 0x12340000 : 0)}`, `  pop ${sreg}`);
      out.push(`  mov ${p.pick(R32)}, ${sreg}`);
      break;
    }
    case 3: {
      // enter with a nesting level: the display entries come from the data page (ebp moved into it).
      const level = 1 + p.below(6);
      const frame = p.below(40);
      const o16 = p.below(3) === 0;
      const w = o16 ? 2 : 4;
      out.push('  push ebp', `  lea ebp, [ebp + ${64 + p.below(1000)}]`);
      out.push(`  ${o16 ? '.byte 0x66\n  ' : ''}enter ${frame}, ${level}`);
      out.push(`  mov ${p.pick(R32)}, ebp`, `  mov ${p.pick(R32)}, dword ptr [esp + ${frame + w * p.below(level)}]`);
      if (!o16 && p.below(2)) out.push('  leave');
      else out.push(`  lea esp, [esp + ${frame + w * (level + 1)}]`);
      out.push('  pop ebp');
      break;
    }
    case 4:
      // into with OF clear: in the block of its producer, or in the next block (flags glue).
      out.push(`  ${p.pick(['test', 'and', 'or', 'xor'])} ${p.pick(R32)}, ${p.pick(R32)}`);
      if (p.below(2)) out.push('  jmp 1f', '1:');
      out.push('  into');
      break;
    default:
      out.push(`  ${p.pick(['daa', 'das', 'aaa', 'aas'])}`, `  set${p.pick(CONDS)} ${p.pick(R8)}`);
  }
}

function program(seed: number, rare = false): string {
  const p = new Xorshift32(seed);
  const lines = ['.intel_syntax noprefix', '.text', '.globl _start', '_start:', `  mov ebp, ${DATA_BASE}`];
  for (const r of R32) lines.push(`  mov ${r}, ${p.next() | 0}`);
  for (let i = 0; i < SEGMENTS; i++) {
    lines.push(`L${i}:`);
    // Often the block starts with a reader of flags another block produced (run-time kind: glue).
    switch (p.below(6)) {
      case 0: lines.push(`  ${p.pick(['adc', 'sbb'])} ${p.pick(R32)}, ${p.pick(R32)}`); break;
      case 1: lines.push(`  set${p.pick(CONDS)} ${p.pick(R8)}`); break;
      case 2: lines.push(`  cmov${p.pick(CONDS)} ${p.pick(R32)}, ${p.pick(R32)}`); break;
      case 3: lines.push(`  ${p.pick(['inc', 'dec'])} ${p.pick(R32)}`, `  adc ${p.pick(R32)}, 0`); break;
    }
    const n = 1 + p.below(8);
    for (let k = 0; k < n; k++) {
      if (rare && p.below(2) === 0) rareInstruction(p, lines);
      else instruction(p, lines);
    }
    // Block ends that hand the flags over to the next block.
    lines.push(p.below(2) ? `  j${p.pick(CONDS)} L${i + 1}` : `  jmp L${i + 1}`);
  }
  lines.push(`L${SEGMENTS}:`, '  hlt', '');
  return lines.join('\n');
}

function lockstep(name: string, sources: string[], seedBase: number): void {
  const binaries = assemble(sources);
  let boundaries = 0;
  let guest = 0;
  binaries.forEach((code, i) => {
    const seed = seedBase + 1000 + i;
    const ref = new X86Cpu(guestMemory(code, seed));
    ref.eip = CODE_BASE;
    ref.regs[4] = STACK_TOP;
    const memory = guestMemory(code, seed);
    const rt = new UkcfRuntime(memory, CODE_BASE, { lockstep: true });
    rt.setGuestRegister(4, STACK_TOP);
    for (;;) {
      const stop = rt.run(1_000_000);
      if (stop.kind !== 'boundary') {
        assert.equal(stop.kind, 'fault', JSON.stringify(stop)); // hlt at the end (#GP in user mode)
        const end = ref.run(1_000_000);
        assert.equal(end.kind, 'halt', `program ${i}: translated ${JSON.stringify(stop)}, reference ${JSON.stringify(end)} at ${hex(ref.eip)}`);
        assert.equal(hex(stop.eip), hex(ref.eip - 1), `program ${i}: end at the hlt`);
        break;
      }
      assert.equal(ref.run(stop.guestInstructions).kind, 'limit');
      boundaries++;
      guest += stop.guestInstructions;
      const where = `program ${i} at ${hex(stop.eip)} (boundary ${boundaries})`;
      assert.equal(hex(stop.eip), hex(ref.eip), where);
      assert.deepEqual([...rt.guestRegisters()].map(hex), [...ref.regs].map(hex), `${where}: registers`);
      const df = rt.cpu.regs[MATERIALIZED_FLAGS] & DF;
      assert.equal(hex(rt.statusFlags() | df), hex(ref.statusFlags() | (ref.getEflags() & DF)), `${where}: flags`);
    }
    assert.deepEqual(memory.readBytes(DATA_BASE, DATA_BYTES), ref.memory.readBytes(DATA_BASE, DATA_BYTES), `program ${i}: data page`);
  });
  console.log(`${name}: ${sources.length} programs, ${boundaries} block boundaries, ${guest} guest instructions compared`);
}

test('lockstep over the widened subset: registers, status flags and DF match at every block boundary', { skip }, () => {
  lockstep('translation lockstep', Array.from({ length: PROGRAMS }, (_, i) => program(SEED + i)), SEED);
});

test('lockstep over the rare instructions (BCD, segment registers, enter with nesting, into): the same at every block boundary', { skip }, () => {
  lockstep('translation lockstep, rare instructions', Array.from({ length: RARE_PROGRAMS }, (_, i) => program(RARE_SEED + i, true)), RARE_SEED);
});
