// Turns a difference between two state-dump streams (see generator.ts) into a readable report:
// which case, which register or scratch byte, both values, and the case's instructions.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SCRATCH_BYTES, STATE_RECORD_BYTES } from './generator';
import type { MipsProgram } from './program-set';

const REGISTER_NAMES = [
  'zero', 'at', 'v0', 'v1', 'a0', 'a1', 'a2', 'a3', 't0', 't1', 't2', 't3', 't4', 't5', 't6', 't7',
  's0', 's1', 's2', 's3', 's4', 's5', 's6', 's7', 't8', 't9', 'k0', 'k1', 'gp', 'sp', 's8', 'ra',
];

function word(b: Uint8Array, offset: number): string {
  if (offset + 4 > b.length) return '(missing)';
  const v = (b[offset] | (b[offset + 1] << 8) | (b[offset + 2] << 16) | (b[offset + 3] << 24)) >>> 0;
  return '0x' + v.toString(16).padStart(8, '0');
}

function caseBody(program: MipsProgram, index: number): string {
  const text = readFileSync(join(program.sourceDir, program.sourceFile), 'utf8').split('\n');
  const start = text.findIndex((l) => l === `# case ${index} body` || l.startsWith(`# case ${index}:`));
  if (start < 0) return '(case source not found)';
  const end = text.findIndex((l, i) => i > start && (l === `# case ${index} dump` || l.startsWith('\tsw $0, 0($29)')));
  return text.slice(start, end < 0 ? start + 40 : end).join('\n');
}

/** Null when equal; else a description of the first difference. */
export function describeStateDifference(program: MipsProgram, expected: Uint8Array, actual: Uint8Array): string | null {
  const n = Math.min(expected.length, actual.length);
  let i = 0;
  while (i < n && expected[i] === actual[i]) i++;
  if (i === n && expected.length === actual.length) return null;
  const record = Math.floor(i / STATE_RECORD_BYTES);
  if (i === n) {
    return `${program.name}: output ends after ${Math.floor(actual.length / STATE_RECORD_BYTES)} complete cases, expected ${expected.length / STATE_RECORD_BYTES}; case ${record}:\n${caseBody(program, record)}`;
  }
  const base = record * STATE_RECORD_BYTES;
  const differences: string[] = [];
  for (let r = 0; r < 34; r++) {
    const e = word(expected, base + 4 * r);
    const a = word(actual, base + 4 * r);
    if (e !== a) differences.push(`${r < 32 ? '$' + REGISTER_NAMES[r] : r === 32 ? 'hi' : 'lo'}: expected ${e}, got ${a}`);
  }
  for (let s = 0; s < SCRATCH_BYTES; s++) {
    const o = base + 136 + s;
    if (expected[o] !== actual[o]) differences.push(`scratch[${s}]: expected 0x${expected[o]?.toString(16)}, got 0x${actual[o]?.toString(16)}`);
  }
  return `${program.name}, case ${record}: ${differences.join('; ')}\n${caseBody(program, record)}`;
}
