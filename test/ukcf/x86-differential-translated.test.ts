// Every committed x86 differential program (test/x86-differential/built: generated cases run natively
// on the real CPU) runs translated — x86 → IR → MIPS, executed by the MIPS simulator, system calls
// serviced by the reference Linux layer — and must leave the same registers, EFLAGS (minus undefined
// flags) and scratch memory after every case as the CPU did; fault programs must end with the CPU's
// exit status and output, at a fault the interpreter reproduces from the translated state.
// Instructions outside the translated subset run on the reference interpreter (translation-hybrid-run.ts);
// cases that needed one are counted apart, so the numbers say how much runs purely translated.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { builtPath, expectedOutput, generatedPrograms, readManifest } from '../x86-differential/committed-programs';
import { compareDumps } from '../x86-differential/dump-comparison';
import { runHybrid, type Fallback } from './translation-hybrid-run';

/**
 * Cases that needed the interpreter, at most: each case's code runs once at its own addresses, so
 * distinct fallback eips bound them from above (the output is buffered, so it cannot tell exactly).
 */
function casesWithFallbacksAtMost(fallbacks: Fallback[]): number {
  return new Set(fallbacks.map((f) => f.eip)).size;
}

function histogram(fallbacks: Fallback[]): string {
  const m = new Map<string, number>();
  for (const f of fallbacks) m.set(f.mnemonic, (m.get(f.mnemonic) ?? 0) + 1);
  return [...m].sort((a, b) => b[1] - a[1]).slice(0, 12).map(([k, v]) => `${k}:${v}`).join(' ');
}

let totalCases = 0;
let translatedCases = 0;

for (const p of generatedPrograms()) {
  test(`translated x86 differential: ${p.name} (${p.cases.length} cases) matches the CPU`, () => {
    const run = runHybrid(builtPath(p.name));
    const result = compareDumps(p.name, p.cases, expectedOutput(p.name), run.stdout, 5);
    const report = result.mismatches.map((m) => m.description).join('\n\n');
    assert.equal(result.total, 0, `${result.total} of ${p.cases.length} cases differ (exit ${run.exitCode}: ${run.message}); first ones:\n\n${report}`);
    assert.deepEqual(run.imprecise, []);
    assert.equal(run.exitCode, 0, run.message);
    const pure = Math.max(0, p.cases.length - casesWithFallbacksAtMost(run.fallbacks));
    totalCases += p.cases.length;
    translatedCases += pure;
    console.log(`${p.name}: at least ${pure}/${p.cases.length} cases fully translated; ${run.fallbacks.length} interpreter fallbacks (${histogram(run.fallbacks)}); ${run.hostInstructions} host instructions`);
  });
}

for (const f of readManifest().faults) {
  test(`translated x86 differential: ${f.name} ends like the CPU (exit ${f.exitCode})`, () => {
    const run = runHybrid(builtPath(f.name));
    assert.deepEqual(run.imprecise, []);
    assert.equal(Buffer.from(run.stdout).toString('latin1'), f.stdout, `${f.name}: stdout`);
    assert.equal(run.exitCode, f.exitCode, `${f.name}: exit status ${run.exitCode} (${run.message}), the CPU gave ${f.exitCode}`);
    const how = run.fallbacks.length === 0 ? 'translated' : `after ${run.fallbacks.length} fallbacks (${histogram(run.fallbacks)})`;
    console.log(`${f.name}: exit ${run.exitCode} ${how}: ${run.message}`);
  });
}

test('translated x86 differential: summary', () => {
  console.log(`translated x86 differential: all ${totalCases} cases match the CPU; at least ${translatedCases} of them ran fully translated`);
  assert.ok(totalCases === 0 || translatedCases > 0);
});
