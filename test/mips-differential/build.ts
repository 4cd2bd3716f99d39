// Regenerates the differential programs' sources, builds every binary with the Debian cross
// compiler, and records qemu-mipsel's stdout/stderr/exit status as the expectations.
//   npx tsx test/mips-differential/build.ts
// Commit src/, bin/, expected/ and test/programs-mipsel/bin/ afterwards.

import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { EXIT_STATUS_FILE, EXPECTED_DIR, buildProgram, mipsPrograms, runReference } from './program-set';

function main(): void {
  const { programs, generated } = mipsPrograms();
  const srcDir = programs.find((p) => p.kind === 'asm')?.sourceDir as string;
  // Stale generated files would linger unnoticed: start these directories afresh.
  for (const dir of [srcDir, EXPECTED_DIR]) {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
  }
  for (const [name, text] of generated) writeFileSync(join(srcDir, `${name}.S`), text);

  const statuses: Record<string, number> = {};
  for (const program of programs) {
    mkdirSync(join(program.binary, '..'), { recursive: true });
    const problem = buildProgram(program, program.binary);
    if (problem) throw new Error(problem);
    const outcome = runReference(program);
    statuses[program.name] = outcome.exitCode;
    writeFileSync(join(EXPECTED_DIR, `${program.name}.stdout`), outcome.stdout);
    if (outcome.exitCode < 128) writeFileSync(join(EXPECTED_DIR, `${program.name}.stderr`), outcome.stderr);
    process.stdout.write(`${program.name}: exit ${outcome.exitCode}, ${outcome.stdout.length} bytes of stdout\n`);
  }
  writeFileSync(EXIT_STATUS_FILE, JSON.stringify(statuses, null, 2) + '\n');
  for (const dir of [join(srcDir, '..', 'bin')]) {
    const known = new Set(programs.map((p) => p.name));
    for (const f of readdirSync(dir)) if (!known.has(f)) rmSync(join(dir, f));
  }
}

main();
