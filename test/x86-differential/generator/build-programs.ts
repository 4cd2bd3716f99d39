// Builds the differential programs: generate sources, assemble and link with the
// Debian i686 binutils, and (with --native) run them on this x86-64 machine to
// record the expected outputs. Usage:
//   node --import tsx test/x86-differential/generator/build-programs.ts [--out DIR] [--native]

import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { FAULT_PROGRAMS } from './fault-programs';
import { normalizeDump } from './program-source';
import { generateAll } from './programs';

export const BUILT_DIR = resolve(__dirname, '..', 'built');
export const AS = 'i686-linux-gnu-as';
export const LD = 'i686-linux-gnu-ld';

export interface Manifest {
  programs: { name: string; cases: number; sourceSha256: string; outputBytes: number }[];
  faults: { name: string; exitCode: number; stdout: string }[];
}

export function toolchainMissing(): string | null {
  for (const tool of [AS, LD]) {
    const r = spawnSync(tool, ['--version'], { encoding: 'utf8' });
    if (r.error || r.status !== 0) return `${tool} not found (install binutils-i686-linux-gnu)`;
  }
  return null;
}

function run(cmd: string, args: string[], cwd: string): void {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8' });
  if (r.error) throw new Error(`${cmd}: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed:\n${r.stderr}`);
}

/** Assembles and links one source into outDir/name (fixed flags and names: reproducible). */
export function assembleAndLink(outDir: string, name: string, source: string): void {
  const work = mkdtempSync(join(tmpdir(), 'x86-differential-'));
  try {
    writeFileSync(join(work, 'program.s'), source);
    run(AS, ['--32', '-o', 'program.o', 'program.s'], work);
    run(LD, ['-m', 'elf_i386', '-static', '--build-id=none', '--section-start=.scratch=0x20000fe0', '-e', '_start', '-o', 'program', 'program.o'], work);
    copyFileSync(join(work, 'program'), join(outDir, name));
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

export function sha256(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Runs an i386 binary natively; exit code as a shell shows it (128+signal). */
export function runNative(path: string): { exitCode: number; stdout: Buffer } {
  const r = spawnSync(path, [], { maxBuffer: 1 << 28, env: {} });
  if (r.error) throw new Error(`running ${path}: ${r.error.message}`);
  const signals: Record<string, number> = { SIGILL: 4, SIGTRAP: 5, SIGBUS: 7, SIGFPE: 8, SIGSEGV: 11 };
  const exitCode = r.signal ? 128 + (signals[r.signal] ?? 0) : (r.status ?? -1);
  return { exitCode, stdout: r.stdout };
}

/** Builds every program into dir; returns the manifest of what was built. */
export function buildAll(dir: string, native: boolean): Manifest {
  mkdirSync(dir, { recursive: true });
  const manifest: Manifest = { programs: [], faults: [] };
  for (const p of generateAll()) {
    assembleAndLink(dir, p.name, p.source);
    let outputBytes = 0;
    if (native) {
      const r = runNative(join(dir, p.name));
      if (r.exitCode !== 0) throw new Error(`${p.name} exited with ${r.exitCode} natively`);
      writeFileSync(join(dir, `${p.name}.expected`), normalizeDump(p.cases, r.stdout));
      outputBytes = r.stdout.length;
    }
    manifest.programs.push({ name: p.name, cases: p.cases.length, sourceSha256: sha256(p.source), outputBytes });
  }
  for (const f of FAULT_PROGRAMS) {
    assembleAndLink(dir, f.name, f.source);
    if (native) {
      const r = runNative(join(dir, f.name));
      manifest.faults.push({ name: f.name, exitCode: r.exitCode, stdout: r.stdout.toString('latin1') });
    }
  }
  return manifest;
}

if (require.main === module) {
  const args = process.argv.slice(2);
  const outIndex = args.indexOf('--out');
  const dir = outIndex >= 0 ? resolve(args[outIndex + 1]) : BUILT_DIR;
  const native = args.includes('--native');
  const missing = toolchainMissing();
  if (missing) {
    console.error(missing);
    process.exit(1);
  }
  const manifest = buildAll(dir, native);
  if (native) writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest, null, 1) + '\n');
  const total = manifest.programs.reduce((n, p) => n + p.cases, 0);
  console.log(`built ${manifest.programs.length} programs (${total} cases) and ${FAULT_PROGRAMS.length} fault programs in ${dir}`);
}
