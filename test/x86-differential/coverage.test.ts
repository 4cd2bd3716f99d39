// Every instruction THE table (emulator/x86/table.ts) says the interpreter implements
// is executed by at least one generated case (or, for the ones that fault on a real
// CPU in user mode, by a fault program), and every case really executes the forms
// it declares (the bytes are decoded by Capstone, not taken from the generator).

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { builtPath, generatedPrograms, readManifest } from './committed-programs';
import { allEntries } from '../../emulator/x86/table';
import { caseCode, entryKeyOf, formOf, implementedEntryKeys, InstructionSplitter, openSplitter, requiredShapes, shapeOf, textCode } from './instruction-coverage';

let splitter: InstructionSplitter;
before(async () => {
  splitter = await openSplitter();
});
after(() => splitter.close());

/** Entries covered only by fault programs, because a real CPU faults on them in user mode. */
const COVERED_BY_FAULT_PROGRAMS: Record<string, string> = {
  cc: 'int3 traps (SIGTRAP): fault-int3',
  cd: 'int n other than 0x80 has no user gate (SIGSEGV): fault-int-n; int 0x80 itself ends every program',
  f4: 'hlt is privileged (SIGSEGV): fault-hlt',
  '0f0b': 'ud2 (SIGILL): fault-ud2',
  '0fb9': 'ud1 (SIGILL): fault-ud1',
  '0fff': 'ud0 (SIGILL): fault-undefined-0f-ff',
};

/**
 * Shapes no case can exercise: with 0x66 a near branch truncates EIP to 16 bits, and
 * nothing below 0x10000 is mapped in a Linux process.
 */
const UNREACHABLE_SHAPES: Record<string, string> = {
  'e8 16': '16-bit call: EIP truncated to 16 bits',
  'e9 16': '16-bit jmp: EIP truncated to 16 bits',
  'ff/2 16': '16-bit indirect call: EIP truncated to 16 bits',
  'ff/4 16': '16-bit indirect jmp: EIP truncated to 16 bits',
  ...Object.fromEntries(Array.from({ length: 16 }, (_, c) => [`0f${(0x80 + c).toString(16)} 16`, '16-bit jcc: EIP truncated to 16 bits'])),
};

const caseForms = new Map<string, number>();
const caseShapes = new Set<string>();
const faultForms = new Set<string>();

test('x86 differential: every case executes the instruction forms it declares', () => {
  const problems: string[] = [];
  let cases = 0;
  for (const p of generatedPrograms()) {
    const code = caseCode(builtPath(p.name));
    assert.equal(code.length, p.cases.length, `built/${p.name}: ${code.length} case records for ${p.cases.length} cases`);
    for (let i = 0; i < code.length; i++) {
      const insns = splitter.split(code[i].bytes, code[i].start);
      const actual = new Set(insns.map((x) => formOf(x.bytes)));
      for (const x of insns) {
        const shape = shapeOf(x.bytes);
        caseShapes.add(`${shape.key} ${shape.size} ${shape.modrm}`);
      }
      for (const f of actual) caseForms.set(f, (caseForms.get(f) ?? 0) + 1);
      for (const declared of p.cases[i].forms) {
        if (!actual.has(declared) && problems.length < 20) {
          problems.push(`${p.name} case ${i} declares ${declared} but executes ${[...actual].join(', ')}: ${insns.map((x) => x.text).join(' ; ')}`);
        }
      }
      cases++;
    }
  }
  assert.deepEqual(problems, []);
  assert.ok(cases > 30000, `only ${cases} cases`);
});

test('x86 differential: every implemented table entry is covered', () => {
  for (const f of readManifest().faults) {
    const text = textCode(builtPath(f.name));
    for (const x of splitter.split(text.bytes, text.start)) faultForms.add(entryKeyOf(formOf(x.bytes)));
  }
  const covered = new Set([...caseForms.keys()].map(entryKeyOf));
  const entries = implementedEntryKeys();
  const missing: string[] = [];
  for (const [key, mnemonic] of entries) {
    if (covered.has(key)) continue;
    if (COVERED_BY_FAULT_PROGRAMS[key] !== undefined && faultForms.has(key)) continue;
    missing.push(`${key} (${mnemonic})`);
  }
  assert.deepEqual(missing, [], `table entries no generated case executes: ${missing.join(', ')}`);
  for (const key of Object.keys(COVERED_BY_FAULT_PROGRAMS)) {
    assert.ok(entries.has(key), `${key} is listed as covered by a fault program but is not an implemented table entry`);
    assert.ok(faultForms.has(key), `${key}: no fault program executes it (${COVERED_BY_FAULT_PROGRAMS[key]})`);
  }
  const withPrefixes = [...caseForms.keys()].filter((f) => f.includes(':')).length;
  console.log(`# ${entries.size} implemented table entries covered; ${caseForms.size} distinct forms executed by cases (${withPrefixes} with lock/rep/0x66 prefixes)`);
});

test('x86 differential: every implemented entry runs in both operand sizes and both ModRM forms', () => {
  const missing: string[] = [];
  for (const loc of allEntries()) {
    if (loc.entry.status !== 'ok' || loc.registerForm) continue;
    const key = (loc.map === 'two-byte' ? '0f' : '') + loc.opcode.toString(16).padStart(2, '0') + (loc.reg >= 0 ? '/' + loc.reg : '');
    if (COVERED_BY_FAULT_PROGRAMS[key] !== undefined) continue;
    const { sizes, modrms } = requiredShapes(loc.entry);
    for (const size of sizes) {
      if (UNREACHABLE_SHAPES[`${key} ${size}`] !== undefined) continue;
      const want = modrms.length === 0 ? [null] : modrms;
      for (const m of want) {
        const ok = [...caseShapes].some((s) => {
          const [k, sz, md] = s.split(' ');
          return k === key && Number(sz) === size && (m === null || md === m);
        });
        if (!ok) missing.push(`${key} ${loc.entry.mnemonic} ${size}-bit${m === null ? '' : m === 'r' ? ' register' : ' memory'}`);
      }
    }
  }
  assert.deepEqual(missing, []);
});
