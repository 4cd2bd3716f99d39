// Compares two stdout dumps of a differential program case by case, skipping what
// each case declares undefined, and describes mismatches so that they can be
// reproduced: the code, the initial state, expected vs actual, flag names.

import { CaseSpec, FLAG_NAMES, REG32, SCRATCH_BASE, hex } from './generator/case-builder';
import { dumpLength } from './generator/program-source';

export interface CaseMismatch {
  caseId: number;
  description: string;
}

/** Reads the dump of one case at `offset`. */
function readDump(data: Uint8Array, offset: number, memoryLength: number): { regs: number[]; eflags: number; memory: Uint8Array } {
  const view = new DataView(data.buffer, data.byteOffset + offset, 36);
  const regs: number[] = [];
  for (let i = 0; i < 8; i++) regs.push(view.getUint32(i * 4, true));
  return { regs, eflags: view.getUint32(32, true), memory: data.subarray(offset + 36, offset + 36 + memoryLength) };
}

export function flagNames(bits: number): string {
  const names = FLAG_NAMES.filter(([bit]) => (bits & bit) !== 0).map(([, n]) => n);
  return names.length === 0 ? '-' : names.join(' ');
}

function describeState(regs: number[], eflags: number): string {
  return REG32.map((r, i) => `${r}=${hex(regs[i]).padStart(10)}`).join(' ') + ` eflags=${hex(eflags)} [${flagNames(eflags & 0xcd5)}]`;
}

function bytesHex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join(' ');
}

/** Total stdout length the cases produce. */
export function expectedLength(cases: CaseSpec[]): number {
  return cases.reduce((n, c) => n + dumpLength(c), 0);
}

/**
 * Compares `actual` with `expected`; returns up to `limit` mismatches (and the count
 * of all). A short `actual` (the run stopped early) is reported at the first missing case.
 */
export function compareDumps(
  program: string,
  cases: CaseSpec[],
  expected: Uint8Array,
  actual: Uint8Array,
  limit = 5,
  /** Cases to leave out of the comparison (their output is still skipped over). */
  exclude: (c: CaseSpec) => boolean = () => false,
): { mismatches: CaseMismatch[]; total: number } {
  const mismatches: CaseMismatch[] = [];
  let total = 0;
  let offset = 0;
  for (const c of cases) {
    const len = dumpLength(c);
    if (offset + len > expected.length) throw new Error(`${program}: expected output is shorter than the cases (case ${c.id}); rebuild it`);
    if (offset + len > actual.length) {
      total++;
      if (mismatches.length < limit) {
        mismatches.push({ caseId: c.id, description: `${program} case ${c.id} (${c.family}): no output (the run produced ${actual.length} of ${expectedLength(cases)} bytes)\n  code: ${c.lines.join(' ; ')}` });
      }
      break;
    }
    const memLen = c.memory === null ? 0 : c.memory.length;
    if (exclude(c)) {
      offset += len;
      continue;
    }
    const e = readDump(expected, offset, memLen);
    const a = readDump(actual, offset, memLen);
    const problems: string[] = [];
    for (let r = 0; r < 8; r++) {
      const keep = ~c.ignoreRegBits[r];
      if (((e.regs[r] ^ a.regs[r]) & keep) !== 0) problems.push(`${REG32[r]}: expected ${hex(e.regs[r])}, got ${hex(a.regs[r])}`);
    }
    const flagDiff = (e.eflags ^ a.eflags) & ~c.maskFlags;
    if (flagDiff !== 0) {
      problems.push(`eflags: expected ${hex(e.eflags)} [${flagNames(e.eflags & 0xcd5)}], got ${hex(a.eflags)} [${flagNames(a.eflags & 0xcd5)}]; differing: ${flagNames(flagDiff)}` +
        (c.maskFlags ? ` (not compared: ${flagNames(c.maskFlags)})` : ''));
    }
    for (let i = 0; i < memLen; i++) {
      if (e.memory[i] !== a.memory[i] && !c.ignoreMemory.includes(i)) {
        problems.push(`memory ${hex(SCRATCH_BASE + i)} (scratch+${i}): expected ${bytesHex(e.memory.subarray(i & ~15, (i & ~15) + 16))}, got ${bytesHex(a.memory.subarray(i & ~15, (i & ~15) + 16))} (row from scratch+${i & ~15})`);
        break;
      }
    }
    if (problems.length > 0) {
      total++;
      if (mismatches.length < limit) {
        const lines = [
          `${program} case ${c.id} (${c.family})`,
          `  code:     ${c.lines.join(' ; ')}`,
          `  initial:  ${describeState(c.regs, c.eflags)}`,
        ];
        if (c.memory !== null) lines.push(`  scratch:  ${bytesHex(c.memory)} (at ${hex(SCRATCH_BASE)})`);
        lines.push(`  expected: ${describeState(e.regs, e.eflags)}`);
        lines.push(`  actual:   ${describeState(a.regs, a.eflags)}`);
        for (const p of problems) lines.push(`  ${p}`);
        mismatches.push({ caseId: c.id, description: lines.join('\n') });
      }
    }
    offset += len;
  }
  if (total === 0 && actual.length !== offset) {
    total++;
    mismatches.push({ caseId: -1, description: `${program}: ${actual.length - offset} unexpected bytes after the last case` });
  }
  return { mismatches, total };
}
