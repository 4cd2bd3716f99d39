// Which families go into which program, how many cases each, and the seeds:
// everything the committed binaries are generated from.

import { CaseBuilder, CaseSpec } from './case-builder';
import { ARITH_FAMILIES } from './families-arith';
import { CODE_FAMILIES } from './families-code';
import { DATA_FAMILIES } from './families-data';
import { PROCESSOR_FAMILIES } from './families-processor';
import { PROGRAM_LIKE_FAMILIES } from './families-program-like';
import { SHIFT_BIT_FAMILIES } from './families-shift-bit';
import { STACK_CONTROL_FAMILIES } from './families-stack-control';
import { STRING_FAMILIES } from './families-string';
import { Family } from './family';
import { programSource } from './program-source';
import { Prng } from './prng';

export interface ProgramPlan {
  name: string;
  seed: number;
  families: Family[];
  /** Cases generated per form of every family. */
  casesPerForm: number;
  /** Keeps only the forms it accepts (default: all). */
  formFilter?: (formName: string) => boolean;
}

/** 16-bit stack-frame forms get their own program, so a gap there stops nothing else. */
/** 0x67 (16-bit addressing) forms get their own program too. */
const ADDR16 = /16-bit addressing/;
const STACK16_FRAME = /^(pusha\/popa|pushf\/popf|enter\/leave) w$/;

export const PROGRAM_PLANS: ProgramPlan[] = [
  { name: 'alu', seed: 0x41a1, families: ARITH_FAMILIES.filter((f) => f.name === 'alu'), casesPerForm: 40 },
  { name: 'arith', seed: 0x41a2, families: ARITH_FAMILIES.filter((f) => f.name !== 'alu'), casesPerForm: 80 },
  { name: 'shift', seed: 0x5e1f, families: SHIFT_BIT_FAMILIES.filter((f) => f.name === 'shift'), casesPerForm: 60 },
  { name: 'bit', seed: 0xb175, families: SHIFT_BIT_FAMILIES.filter((f) => f.name !== 'shift'), casesPerForm: 120 },
  { name: 'data', seed: 0xda7a, families: DATA_FAMILIES, casesPerForm: 80 },
  { name: 'stack', seed: 0x57ac, families: STACK_CONTROL_FAMILIES.filter((f) => f.name !== 'control'), casesPerForm: 100, formFilter: (n) => !STACK16_FRAME.test(n) },
  { name: 'stack16', seed: 0x5716, families: STACK_CONTROL_FAMILIES.filter((f) => f.name === 'stack'), casesPerForm: 200, formFilter: (n) => STACK16_FRAME.test(n) },
  { name: 'control', seed: 0xc0de, families: STACK_CONTROL_FAMILIES.filter((f) => f.name === 'control'), casesPerForm: 60 },
  { name: 'string', seed: 0x5751, families: STRING_FAMILIES, casesPerForm: 60 },
  { name: 'processor-state', seed: 0x3153, families: PROCESSOR_FAMILIES.filter((f) => f.name === 'processor-state'), casesPerForm: 300 },
  { name: 'sequence', seed: 0x5e9, families: PROCESSOR_FAMILIES.filter((f) => f.name === 'sequence'), casesPerForm: 3000 },
  { name: 'program-like', seed: 0x9c0de, families: PROGRAM_LIKE_FAMILIES, casesPerForm: 2500 },
  { name: 'prefix', seed: 0x9f1, families: CODE_FAMILIES.filter((f) => f.name === 'prefix'), casesPerForm: 120, formFilter: (n) => !ADDR16.test(n) },
  { name: 'addr16', seed: 0xa16, families: CODE_FAMILIES.filter((f) => f.name === 'prefix'), casesPerForm: 200, formFilter: (n) => ADDR16.test(n) },
  { name: 'smc', seed: 0x53c, families: CODE_FAMILIES.filter((f) => f.name === 'smc'), casesPerForm: 100 },
  // few cases: each page-straddling one takes a page of code
  { name: 'code-copy', seed: 0xc0c, families: CODE_FAMILIES.filter((f) => f.name === 'code-copy'), casesPerForm: 12 },
];

export interface GeneratedProgram {
  name: string;
  cases: CaseSpec[];
  source: string;
}

export function generateProgram(plan: ProgramPlan): GeneratedProgram {
  const rng = new Prng(plan.seed);
  const cases: CaseSpec[] = [];
  const forms = plan.families.flatMap((f) =>
    f.forms.filter((form) => plan.formFilter === undefined || plan.formFilter(form.name)).map((form) => ({ family: f.name, form })),
  );
  for (let round = 0; round < plan.casesPerForm; round++) {
    for (const { family, form } of forms) {
      const b = new CaseBuilder(rng, `${family}: ${form.name}`);
      form.build(b);
      cases.push(b.build(cases.length));
    }
  }
  return { name: plan.name, cases, source: programSource(plan.name, cases) };
}

export function generateAll(): GeneratedProgram[] {
  return PROGRAM_PLANS.map(generateProgram);
}
