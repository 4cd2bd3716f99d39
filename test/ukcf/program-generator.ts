// Generates random i386 programs (GNU as, Intel syntax) restricted to the UKCF translated subset,
// with a fixed-seed PRNG. Every program only touches its data page (ebp = DATA_BASE, never written)
// and its stack, always terminates (forward branches, bounded loops) and ends with `hlt`.
// Also: assembling them with GNU binutils and the guest memory the UKCF tests run them in.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PagedMemory, PROT_EXEC, PROT_READ, PROT_WRITE } from '../../emulator/machine/paged-memory';
import { Xorshift32 } from '../fixed-seed-random';

export const CODE_BASE = 0x00400000;
export const DATA_BASE = 0x00500000;
export const DATA_BYTES = 0x1000;
export const STACK_TOP = 0x00608000;

const R32 = ['eax', 'ebx', 'ecx', 'edx', 'esi', 'edi'];
const R8 = ['al', 'bl', 'cl', 'dl', 'ah', 'bh', 'ch', 'dh'];
const CONDS = ['o', 'no', 'b', 'ae', 'e', 'ne', 'be', 'a', 's', 'ns', 'p', 'np', 'l', 'ge', 'le', 'g'];

function imm(p: Xorshift32): string {
  const k = p.below(4);
  const v = k === 0 ? p.below(16) : k === 1 ? p.next() | 0 : k === 2 ? [0x7fffffff, 0x80000000, 0xffffffff, 0][p.below(4)] : p.below(256) - 128;
  return String(v | 0);
}

interface SegmentState {
  /** A flag producer ran in this straight-line segment; 'eager' after imul (only o/no/b/ae defined). */
  producer: 'none' | 'lazy' | 'eager';
  /** Registers the segment may not write (a loop counter). */
  reserved: Set<string>;
}

function mem(p: Xorshift32, lines: string[], st: SegmentState): string {
  if (p.below(3) === 0 && !st.reserved.has('edi')) {
    lines.push('  and edi, 255');
    st.producer = 'lazy';
    return `[ebp + edi*${p.pick([1, 2, 4, 8])} + ${p.below(2040)}]`;
  }
  return `[ebp + ${p.below(DATA_BYTES - 4)}]`;
}

function dst32(p: Xorshift32, st: SegmentState): string {
  for (;;) {
    const r = p.pick(R32);
    if (!st.reserved.has(r)) return r;
  }
}

function dst8(p: Xorshift32, st: SegmentState): string {
  for (;;) {
    const r = p.pick(R8);
    const full = { al: 'eax', ah: 'eax', bl: 'ebx', bh: 'ebx', cl: 'ecx', ch: 'ecx', dl: 'edx', dh: 'edx' }[r] as string;
    if (!st.reserved.has(full)) return r;
  }
}

function condFor(p: Xorshift32, st: SegmentState): string {
  return st.producer === 'eager' ? p.pick(['o', 'no', 'b', 'ae']) : p.pick(CONDS);
}

/** One random instruction of the subset. */
function instruction(p: Xorshift32, lines: string[], st: SegmentState): void {
  const d = dst32(p, st);
  const s = p.pick(R32);
  const k = p.below(22);
  const alu = p.pick(['add', 'sub', 'and', 'or', 'xor', 'cmp', 'test']);
  switch (k) {
    case 0: lines.push(`  mov ${d}, ${imm(p)}`); return;
    case 1: lines.push(`  mov ${d}, ${s}`); return;
    case 2: lines.push(`  mov ${d}, dword ptr ${mem(p, lines, st)}`); return;
    case 3: lines.push(`  mov dword ptr ${mem(p, lines, st)}, ${p.below(2) ? s : imm(p)}`); return;
    case 4: {
      const k8 = p.below(3);
      if (k8 === 0) lines.push(`  mov ${dst8(p, st)}, ${p.pick(R8)}`);
      else if (k8 === 1) lines.push(`  mov ${dst8(p, st)}, byte ptr ${mem(p, lines, st)}`);
      else lines.push(`  mov byte ptr ${mem(p, lines, st)}, ${p.pick(R8)}`);
      return;
    }
    case 5: {
      const op = p.pick(['movzx', 'movsx']);
      const k2 = p.below(3);
      const src = k2 === 0 ? p.pick(R8) : k2 === 1 ? `byte ptr ${mem(p, lines, st)}` : `word ptr ${mem(p, lines, st)}`;
      lines.push(`  ${op} ${d}, ${src}`);
      return;
    }
    case 6: lines.push(`  lea ${d}, [${s} + ${p.pick(R32)}*${p.pick([1, 2, 4, 8])} + ${imm(p)}]`); return;
    case 7: case 8: case 9: {
      const w = alu === 'cmp' || alu === 'test' ? p.pick(R32) : d;
      const f = p.below(5);
      if (f === 0) lines.push(`  ${alu} ${w}, ${s}`);
      else if (f === 1) lines.push(`  ${alu} ${w}, ${imm(p)}`);
      else if (f === 2 && alu !== 'test') lines.push(`  ${alu} ${w}, dword ptr ${mem(p, lines, st)}`);
      else if (f === 3) lines.push(`  ${alu} dword ptr ${mem(p, lines, st)}, ${s}`);
      else lines.push(`  ${alu} dword ptr ${mem(p, lines, st)}, ${imm(p)}`);
      st.producer = 'lazy';
      return;
    }
    case 10: {
      const op = p.pick(['inc', 'dec', 'neg', 'not']);
      if ((op === 'inc' || op === 'dec') && st.producer === 'none') return;
      lines.push(`  ${op} ${p.below(3) ? d : `dword ptr ${mem(p, lines, st)}`}`);
      if (op !== 'not') st.producer = 'lazy';
      return;
    }
    case 11: {
      const op = p.pick(['shl', 'shr', 'sar']);
      lines.push(`  ${op} ${p.below(3) ? d : `dword ptr ${mem(p, lines, st)}`}, ${1 + p.below(31)}`);
      st.producer = 'lazy';
      return;
    }
    case 12: {
      const f = p.below(3);
      if (f === 0) lines.push(`  imul ${d}, ${s}`);
      else if (f === 1) lines.push(`  imul ${d}, dword ptr ${mem(p, lines, st)}`);
      else lines.push(`  imul ${d}, ${s}, ${imm(p)}`);
      // Only CF/OF are defined after imul: read them here, then leave well-defined flags for later readers.
      if (p.below(2)) lines.push(`  set${p.pick(['o', 'no', 'b', 'ae'])} ${dst8(p, st)}`);
      lines.push(`  test ${p.pick(R32)}, ${p.pick(R32)}`);
      st.producer = 'lazy';
      return;
    }
    case 13: {
      const src = p.below(2) ? s : imm(p);
      lines.push(`  push ${src}`);
      lines.push(`  pop ${d}`);
      return;
    }
    case 14: {
      if (st.producer === 'none') return;
      lines.push(`  set${condFor(p, st)} ${p.below(2) ? dst8(p, st) : `byte ptr ${mem(p, lines, st)}`}`);
      return;
    }
    case 15: {
      if (st.producer === 'none') return;
      const c = condFor(p, st);
      lines.push(`  cmov${c} ${d}, ${p.below(2) ? s : `dword ptr ${mem(p, lines, st)}`}`);
      return;
    }
    case 16: {
      const r16 = ['ax', 'bx', 'cx', 'dx', 'si', 'di'];
      const d16 = r16[R32.indexOf(d)];
      const f = p.below(5);
      if (f === 0) lines.push(`  mov ${d16}, ${p.pick(r16)}`);
      else if (f === 1) lines.push(`  mov ${d16}, ${p.below(65536)}`);
      else if (f === 2) lines.push(`  mov ${d16}, word ptr ${mem(p, lines, st)}`);
      else if (f === 3) lines.push(`  mov word ptr ${mem(p, lines, st)}, ${p.pick(r16)}`);
      else lines.push('  nop');
      return;
    }
    default: {
      // Mostly ALU: the common case in real code.
      lines.push(`  ${alu} ${alu === 'cmp' || alu === 'test' ? p.pick(R32) : d}, ${p.below(2) ? s : imm(p)}`);
      st.producer = 'lazy';
      return;
    }
  }
}

function straight(p: Xorshift32, lines: string[], st: SegmentState, n: number): void {
  for (let i = 0; i < n; i++) instruction(p, lines, st);
}

/** What the tests' stand-in kernel returns for `int 0x80` (eax = number, ebx, ecx = arguments). */
export function fakeSystemCall(eax: number, ebx: number, ecx: number): number {
  return (Math.imul(eax, 3) + (ebx ^ ecx)) | 0;
}

/**
 * A whole program: `segments` straight-line pieces joined by branches, calls and loops. With
 * `syscalls`, some segments end in `int 0x80` (answered by fakeSystemCall on both sides).
 */
export function generateProgram(seed: number, segments: number, syscalls = false): string {
  const p = new Xorshift32(seed);
  const lines = ['.intel_syntax noprefix', '.text', '.globl _start', '_start:', `  mov ebp, ${DATA_BASE}`];
  for (const r of R32) lines.push(`  mov ${r}, ${p.next() | 0}`);
  const functions: string[] = [];
  for (let i = 0; i < segments; i++) {
    lines.push(`L${i}:`);
    // Flags at a segment start come from earlier code (another block): readers may use them.
    const st: SegmentState = { producer: 'lazy', reserved: new Set() };
    straight(p, lines, st, 1 + p.below(12));
    if (syscalls && p.below(3) === 0) {
      lines.push(`  mov eax, ${p.below(400)}`);
      lines.push('  int 0x80');
    }
    const end = p.below(6);
    const target = `L${Math.min(segments, i + 1 + p.below(2))}`;
    if (end === 0 || end === 1) {
      lines.push(`  cmp ${p.pick(R32)}, ${p.below(2) ? p.pick(R32) : imm(p)}`);
      lines.push(`  j${p.pick(CONDS)} ${target}`);
    } else if (end === 2) {
      const f = `F${functions.length}`;
      const body: string[] = [`${f}:`];
      straight(p, body, { producer: 'lazy', reserved: new Set() }, 1 + p.below(8));
      body.push('  ret');
      functions.push(...body);
      if (p.below(2)) lines.push(`  call ${f}`);
      else {
        lines.push(`  mov ebx, offset ${f}`);
        lines.push(`  call ebx`);
      }
    } else if (end === 3) {
      // A bounded loop with ecx as the counter; the body starts with a flag producer.
      lines.push(`  mov ecx, ${1 + p.below(6)}`);
      lines.push(`LL${i}:`);
      const st2: SegmentState = { producer: 'lazy', reserved: new Set(['ecx']) };
      if (p.below(2)) lines.push(`  add eax, ${imm(p)}`);
      straight(p, lines, st2, p.below(8));
      lines.push('  dec ecx');
      lines.push(`  jnz LL${i}`);
    } else if (end === 4) {
      lines.push(`  mov edx, offset ${target}`);
      lines.push('  jmp edx');
    } else {
      lines.push(`  jmp ${target}`);
    }
  }
  lines.push(`L${segments}:`, '  hlt', ...functions, '');
  return lines.join('\n');
}

export function haveBinutils(): boolean {
  try {
    execFileSync('i686-linux-gnu-as', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Assembles with GNU as and links at CODE_BASE; returns the raw .text bytes. */
export function assemble(sources: string[]): Uint8Array[] {
  const dir = mkdtempSync(join(tmpdir(), 'ukcf-programs-'));
  try {
    return sources.map((s, i) => {
      const src = join(dir, `p${i}.s`);
      writeFileSync(src, s);
      execFileSync('i686-linux-gnu-as', ['--32', '-o', join(dir, `p${i}.o`), src]);
      execFileSync('i686-linux-gnu-ld', ['-m', 'elf_i386', '-Ttext', '0x' + CODE_BASE.toString(16), '-e', '_start', '--build-id=none', '-o', join(dir, `p${i}.elf`), join(dir, `p${i}.o`)]);
      execFileSync('i686-linux-gnu-objcopy', ['-O', 'binary', '-j', '.text', join(dir, `p${i}.elf`), join(dir, `p${i}.bin`)]);
      return new Uint8Array(readFileSync(join(dir, `p${i}.bin`)));
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Code at CODE_BASE, DATA_BYTES of seeded random data at DATA_BASE, a 64 KiB stack below STACK_TOP. */
export function guestMemory(code: Uint8Array, seed: number, writableCode = false): PagedMemory {
  const m = new PagedMemory();
  m.map(CODE_BASE, code.length, PROT_READ | PROT_EXEC | (writableCode ? PROT_WRITE : 0));
  m.poke(CODE_BASE, code);
  m.map(DATA_BASE, DATA_BYTES, PROT_READ | PROT_WRITE);
  const p = new Xorshift32(seed);
  const data = new Uint8Array(DATA_BYTES).map(() => p.below(256));
  m.poke(DATA_BASE, data);
  m.map(STACK_TOP - 0x10000, 0x10000, PROT_READ | PROT_WRITE);
  return m;
}
