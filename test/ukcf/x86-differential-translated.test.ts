// Every committed x86 differential program (test/x86-differential/built: generated cases run natively
// on the real CPU) runs translated — x86 → IR → MIPS, executed by the MIPS simulator, system calls
// served by the reference Linux layer — with no instruction left to an interpreter, and must leave
// the same registers, EFLAGS (minus undefined flags) and scratch memory after every case as the CPU
// did; fault programs must end with the CPU's exit status and output, at a fault the reference
// interpreter reproduces from the translated state with the same message (translation-run.ts).
// rdtsc is the simulated time (host instructions): the processor-state cases compare only that it
// counts up, as they do natively.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { builtPath, expectedOutput, generatedPrograms, readManifest } from '../x86-differential/committed-programs';
import { compareDumps } from '../x86-differential/dump-comparison';
import { runTranslated } from './translation-run';

let totalCases = 0;

for (const p of generatedPrograms()) {
  test(`translated x86 differential: ${p.name} (${p.cases.length} cases) matches the CPU`, () => {
    const run = runTranslated(builtPath(p.name));
    assert.equal(run.untranslated, undefined, run.message);
    const result = compareDumps(p.name, p.cases, expectedOutput(p.name), run.stdout, 5);
    const report = result.mismatches.map((m) => m.description).join('\n\n');
    assert.equal(result.total, 0, `${result.total} of ${p.cases.length} cases differ (exit ${run.exitCode}: ${run.message}); first ones:\n\n${report}`);
    assert.deepEqual(run.imprecise, []);
    assert.equal(run.exitCode, 0, run.message);
    totalCases += p.cases.length;
    console.log(`${p.name}: ${p.cases.length} cases translated; ${run.hostInstructions} host instructions`);
  });
}

for (const f of readManifest().faults) {
  test(`translated x86 differential: ${f.name} ends like the CPU (exit ${f.exitCode})`, () => {
    const run = runTranslated(builtPath(f.name));
    assert.equal(run.untranslated, undefined, run.message);
    assert.deepEqual(run.imprecise, []);
    assert.equal(Buffer.from(run.stdout).toString('latin1'), f.stdout, `${f.name}: stdout`);
    assert.equal(run.exitCode, f.exitCode, `${f.name}: exit status ${run.exitCode} (${run.message}), the CPU gave ${f.exitCode}`);
    console.log(`${f.name}: exit ${run.exitCode} translated: ${run.message}`);
  });
}

test('translated x86 differential: summary', () => {
  console.log(`translated x86 differential: all ${totalCases} cases match the CPU, every one translated`);
  assert.ok(totalCases > 0);
});
