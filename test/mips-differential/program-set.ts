// The mipsel programs of the differential tests: generated assembly and hand-written C, how
// each is built, how the reference (qemu-mipsel) runs it, and where its expectations live.

import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { generatePrograms } from './generator';

export const REPO_ROOT = resolve(__dirname, '..', '..');
export const DIFFERENTIAL_DIR = join(REPO_ROOT, 'test', 'mips-differential');
export const C_PROGRAM_DIR = join(REPO_ROOT, 'test', 'programs-mipsel');
export const EXPECTED_DIR = join(DIFFERENTIAL_DIR, 'expected');
export const EXIT_STATUS_FILE = join(EXPECTED_DIR, 'exit-status.json');

export type BuildKind = 'asm' | 'freestanding-c' | 'glibc-c';

export interface MipsProgram {
  name: string;
  kind: BuildKind;
  /** Directory the compiler runs in (sources are named relative to it: reproducible symbols). */
  sourceDir: string;
  sourceFile: string;
  binary: string;
  /**
   * The qemu CPU model of the reference run. 24Kc everywhere except programs that use the FPU,
   * among them every static glibc program: glibc's setjmp (called by __libc_start_main) saves
   * FPU registers with sdc1, and a 24Kc has no FPU; on Linux the kernel's FPU emulator makes
   * that transparent, qemu-user has none, so those programs are referenced on a 24Kf (the same
   * core with an FPU).
   */
  qemuCpu: '24Kc' | '24Kf';
  args: string[];
  stdin: string;
  /** The guest's whole environment (qemu-user hands the guest exactly its own). */
  env: string[];
  /** stdout is a sequence of state dumps (see generator.ts), for readable mismatch reports. */
  stateDumps: boolean;
}

const COMMON_FREESTANDING = ['-EL', '-march=mips32r2', '-mabi=32', '-msoft-float', '-mno-abicalls', '-fno-pic', '-fno-pie', '-no-pie', '-G0', '-static', '-nostdlib', '-nostartfiles'];

export const COMPILER = 'mipsel-linux-gnu-gcc';

export function buildArguments(program: MipsProgram, output: string): string[] {
  switch (program.kind) {
    case 'asm':
      return [...COMMON_FREESTANDING, '-Wl,--build-id=none', program.sourceFile, '-o', output];
    case 'freestanding-c':
      return [...COMMON_FREESTANDING, '-ffreestanding', '-fno-stack-protector', '-fno-asynchronous-unwind-tables', '-fno-builtin', '-O2', '-Wl,--build-id=none', program.sourceFile, '-lgcc', '-o', output];
    case 'glibc-c':
      return ['-static', '-O2', '-Wl,--build-id=none', program.sourceFile, '-o', output];
  }
}

/** Builds one program; returns the compiler's complaint, or null on success. */
export function buildProgram(program: MipsProgram, output: string): string | null {
  const r = spawnSync(COMPILER, buildArguments(program, output), { cwd: program.sourceDir, encoding: 'utf8' });
  if (r.error) return `${COMPILER}: ${r.error.message}`;
  if (r.status !== 0) return `${COMPILER} failed for ${program.sourceFile}:\n${r.stderr}`;
  return null;
}

export function toolAvailable(tool: string): boolean {
  const r = spawnSync(tool, ['--version'], { encoding: 'utf8' });
  return !r.error && r.status === 0;
}

export const PROGRAM_ENVIRONMENT = ['PATH=/usr/bin:/bin', 'LANG=C'];

const C_PROGRAMS: Omit<MipsProgram, 'sourceDir' | 'binary' | 'env'>[] = [
  { name: 'freestanding-arith', kind: 'freestanding-c', sourceFile: 'freestanding-arith.c', qemuCpu: '24Kc', args: [], stdin: '', stateDumps: false },
  { name: 'glibc-printf', kind: 'glibc-c', sourceFile: 'glibc-printf.c', qemuCpu: '24Kf', args: ['first', 'with space', ''], stdin: '', stateDumps: false },
  {
    name: 'glibc-stdin-sort',
    kind: 'glibc-c',
    sourceFile: 'glibc-stdin-sort.c',
    qemuCpu: '24Kf',
    args: [],
    stdin: 'zeta\nalpha\nmips o32\n\nbeta\nkernel-space translator\nalpha\n',
    stateDumps: false,
  },
  { name: 'glibc-runtime', kind: 'glibc-c', sourceFile: 'glibc-runtime.c', qemuCpu: '24Kf', args: [], stdin: '', stateDumps: false },
];

/** Extra environment entries per C program (the rest get PROGRAM_ENVIRONMENT). */
const C_PROGRAM_ENVIRONMENT: Record<string, string[]> = {
  'glibc-runtime': ['UKCF_MODE=differential test', 'UKCF_EMPTY='],
};

/** Every program, generated ones first; `generated` carries their source text. */
export function mipsPrograms(): { programs: MipsProgram[]; generated: Map<string, string> } {
  const generated = new Map<string, string>();
  const programs: MipsProgram[] = [];
  for (const g of generatePrograms()) {
    generated.set(g.name, g.source);
    programs.push({
      name: g.name,
      kind: 'asm',
      sourceDir: join(DIFFERENTIAL_DIR, 'src'),
      sourceFile: `${g.name}.S`,
      binary: join(DIFFERENTIAL_DIR, 'bin', g.name),
      qemuCpu: g.usesFpu ? '24Kf' : '24Kc',
      args: [],
      stdin: '',
      env: PROGRAM_ENVIRONMENT,
      stateDumps: g.stateDumps,
    });
  }
  for (const c of C_PROGRAMS) {
    const env = [...PROGRAM_ENVIRONMENT, ...(C_PROGRAM_ENVIRONMENT[c.name] ?? [])];
    programs.push({ ...c, env, sourceDir: C_PROGRAM_DIR, binary: join(C_PROGRAM_DIR, 'bin', c.name) });
  }
  return { programs, generated };
}

export interface ProgramOutcome {
  stdout: Buffer;
  stderr: Buffer;
  /** As a shell reports it: exit status, or 128 + signal number. */
  exitCode: number;
}

const SIGNAL_NUMBERS: Record<string, number> = { SIGILL: 4, SIGTRAP: 5, SIGABRT: 6, SIGBUS: 7, SIGFPE: 8, SIGKILL: 9, SIGSEGV: 11 };

/** Runs a program under qemu-mipsel, the reference. */
export function runReference(program: MipsProgram): ProgramOutcome {
  const r = spawnSync('qemu-mipsel', ['-cpu', program.qemuCpu, program.binary, ...program.args], {
    input: program.stdin,
    // Relative paths in the programs start from the repository root.
    cwd: REPO_ROOT,
    env: Object.fromEntries(program.env.map((e) => [e.slice(0, e.indexOf('=')), e.slice(e.indexOf('=') + 1)])),
    maxBuffer: 64 << 20,
  });
  if (r.error) throw new Error(`qemu-mipsel could not run ${program.binary}: ${r.error.message}`);
  let exitCode: number;
  if (r.signal) {
    const n = SIGNAL_NUMBERS[r.signal];
    if (n === undefined) throw new Error(`qemu-mipsel ended by unexpected ${r.signal} on ${program.name}`);
    exitCode = 128 + n;
  } else exitCode = r.status ?? -1;
  return { stdout: r.stdout, stderr: r.stderr, exitCode };
}

export interface Expectation {
  stdout: Buffer;
  /** Only for normal exits (otherwise qemu adds its own message). */
  stderr: Buffer | null;
  exitCode: number;
}

export function readExpectation(program: MipsProgram): Expectation {
  const statuses = JSON.parse(readFileSync(EXIT_STATUS_FILE, 'utf8')) as Record<string, number>;
  const exitCode = statuses[program.name];
  if (exitCode === undefined) throw new Error(`no recorded exit status for ${program.name} in ${EXIT_STATUS_FILE}`);
  const stderrFile = join(EXPECTED_DIR, `${program.name}.stderr`);
  return {
    stdout: readFileSync(join(EXPECTED_DIR, `${program.name}.stdout`)),
    stderr: existsSync(stderrFile) ? readFileSync(stderrFile) : null,
    exitCode,
  };
}
