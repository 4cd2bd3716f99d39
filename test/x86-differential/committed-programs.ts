// The committed build: binaries, native outputs and the manifest in built/, and the
// generator output they must correspond to.

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BUILT_DIR, Manifest, sha256 } from './generator/build-programs';
import { FAULT_PROGRAMS } from './generator/fault-programs';
import { GeneratedProgram, generateAll } from './generator/programs';

export const REBUILD_COMMAND = 'node --import tsx test/x86-differential/generator/build-programs.ts --native';

export function readManifest(): Manifest {
  const path = join(BUILT_DIR, 'manifest.json');
  if (!existsSync(path)) throw new Error(`${path} is missing; run ${REBUILD_COMMAND}`);
  return JSON.parse(readFileSync(path, 'utf8')) as Manifest;
}

export function builtPath(name: string): string {
  return join(BUILT_DIR, name);
}

export function expectedOutput(name: string): Uint8Array {
  return readFileSync(join(BUILT_DIR, `${name}.expected`));
}

let generated: GeneratedProgram[] | null = null;

/** The generator's programs, checked to be what the committed binaries were built from. */
export function generatedPrograms(): GeneratedProgram[] {
  if (generated !== null) return generated;
  const manifest = readManifest();
  const programs = generateAll();
  const names = programs.map((p) => p.name).join(',');
  const built = manifest.programs.map((p) => p.name).join(',');
  if (names !== built) throw new Error(`the generator makes programs ${names} but built/ has ${built}; run ${REBUILD_COMMAND}`);
  for (const p of programs) {
    const entry = manifest.programs.find((m) => m.name === p.name);
    if (entry === undefined || entry.sourceSha256 !== sha256(p.source)) {
      throw new Error(`built/${p.name} was not built from the current generator; run ${REBUILD_COMMAND}`);
    }
  }
  const faults = FAULT_PROGRAMS.map((f) => f.name).join(',');
  const builtFaults = manifest.faults.map((f) => f.name).join(',');
  if (faults !== builtFaults) throw new Error(`fault programs ${faults} differ from built/ ${builtFaults}; run ${REBUILD_COMMAND}`);
  generated = programs;
  return programs;
}
