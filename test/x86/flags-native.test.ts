// Flag exactness against the real CPU: every flag-setting instruction form, over edge values
// and fixed-seed random inputs, run natively and on the emulator; defined flags and results
// must match exactly (undefined ones per table.ts are masked).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { allSpecs, compareDumps, describeMismatches, pairInputs, programSource, ProgramSpec } from './flag-programs';
import { randomSequenceTemplates } from './random-sequences';
import { buildAssembly, canRunNative, runEmulated, runNative } from './native-harness';

const skip = canRunNative() ? false : 'needs i686-linux-gnu-gcc and a kernel that runs i386 binaries';

const RANDOM_SEQUENCES: ProgramSpec[] = [1, 2, 3].map((k) => ({
  name: `random-sequences-${k}`,
  templates: randomSequenceTemplates(1000 + k, 150),
  inputs: pairInputs(2000 + k, 0).filter((_, i) => i % 7 === k),
}));

for (const spec of [...allSpecs(), ...RANDOM_SEQUENCES]) {
  test(`flags and results match the real CPU: ${spec.name} (${spec.templates.length} forms x ${spec.inputs.length} inputs)`, { skip }, () => {
    const dir = mkdtempSync(join(tmpdir(), 'x86-flags-'));
    try {
      const exe = buildAssembly(programSource(spec), dir, spec.name);
      const native = runNative(exe);
      assert.equal(native.status, 0, `native run failed (signal ${native.signal})`);
      const emulated = runEmulated(exe);
      assert.equal(emulated.exitCode, 0, `emulated run stopped: ${JSON.stringify(emulated.stop)}`);
      const mismatches = compareDumps(spec, native.stdout, emulated.stdout);
      assert.equal(mismatches.length, 0, describeMismatches(mismatches));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}
