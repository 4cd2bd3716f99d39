// (c) Where i386 binaries run natively (x86 Linux, as here and in CI), the committed
// expected outputs must still be what the CPU produces (compared under the same masks:
// another CPU may fill undefined flags differently).

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { builtPath, expectedOutput, generatedPrograms, readManifest } from './committed-programs';
import { compareDumps } from './dump-comparison';
import { runNative } from './generator/build-programs';

function nativeUnavailable(): string | false {
  if (process.platform !== 'linux' || (process.arch !== 'x64' && process.arch !== 'ia32')) return `i386 binaries cannot run natively on ${process.platform}/${process.arch}`;
  const r = spawnSync(builtPath('fault-ud2'));
  if (r.error) return `i386 binaries cannot run natively here: ${r.error.message}`;
  return false;
}

const skip = nativeUnavailable();

for (const p of generatedPrograms()) {
  test(`x86 differential: ${p.name} native run still matches built/${p.name}.expected`, { skip }, () => {
    const run = runNative(builtPath(p.name));
    assert.equal(run.exitCode, 0, `${p.name} exited with ${run.exitCode} natively`);
    const result = compareDumps(p.name, p.cases, expectedOutput(p.name), run.stdout);
    assert.equal(result.total, 0, result.mismatches.map((m) => m.description).join('\n\n'));
  });
}

test('x86 differential: fault programs still end natively as recorded', { skip }, () => {
  for (const f of readManifest().faults) {
    const run = runNative(builtPath(f.name));
    assert.equal(run.exitCode, f.exitCode, `${f.name}: native exit status`);
    assert.equal(run.stdout.toString('latin1'), f.stdout, `${f.name}: native stdout`);
  }
});
