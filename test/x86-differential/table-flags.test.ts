// Cross-checks the flag facts of THE table (emulator/x86/table.ts) against the
// generator and the real CPU, over every single-instruction case:
// - the flags a case leaves uncompared are the table's undefinedFlags (for shifts and
//   rotates, whose rules depend on the count, a subset of the flags the entry writes);
// - on the CPU, flags the table says the instruction leaves alone are unchanged.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { expectedOutput, generatedPrograms } from './committed-programs';
import { flagNames } from './dump-comparison';
import { ARITH_FLAGS, DF } from './generator/case-builder';
import { dumpLength } from './generator/program-source';
import { tableEntryFor } from './instruction-coverage';

test('x86 differential: case masks and CPU flag behaviour agree with the table', () => {
  const problems: string[] = [];
  let checked = 0;
  for (const p of generatedPrograms()) {
    const expected = expectedOutput(p.name);
    let offset = 0;
    for (const c of p.cases) {
      const here = offset;
      offset += dumpLength(c);
      if (c.lines.length !== 1 || c.forms.length !== 1) continue;
      const entry = tableEntryFor(c.forms[0]);
      if (entry === null) {
        problems.push(`${p.name} case ${c.id}: form ${c.forms[0]} has no table entry`);
        continue;
      }
      checked++;
      const countDependent = entry.flagNote !== null && entry.flagNote.includes('count');
      const written = entry.definedFlags | entry.undefinedFlags;
      if (countDependent ? (c.maskFlags & ~written) !== 0 : c.maskFlags !== entry.undefinedFlags) {
        problems.push(`${p.name} case ${c.id} ${c.lines[0]}: masks ${flagNames(c.maskFlags)}, table undefined ${flagNames(entry.undefinedFlags)} defined ${flagNames(entry.definedFlags)}`);
      }
      const after = new DataView(expected.buffer, expected.byteOffset + here + 32, 4).getUint32(0, true);
      const untouched = (ARITH_FLAGS | DF) & ~written;
      if (((after ^ c.eflags) & untouched) !== 0) {
        problems.push(`${p.name} case ${c.id} ${c.lines[0]}: the CPU changed ${flagNames((after ^ c.eflags) & untouched)}, which the table says ${entry.mnemonic} leaves alone`);
      }
    }
  }
  assert.deepEqual(problems.slice(0, 30), []);
  assert.ok(checked > 25000, `only ${checked} single-instruction cases`);
});
