// MIPS CPU speed: simulated instructions per second of the interpreter and of the block compiler on
// a CPU-bound freestanding program (bench/programs/mips-cpu-mix.c), and the wall-time ratio against
// qemu-mipsel -cpu 24Kc on the same binary when it is installed. Best of three runs each.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { parseElf } from '../emulator/machine/elf';
import { loadFreestanding, runFreestanding } from '../test/mips/freestanding';

const PROGRAM = join(__dirname, 'programs', 'mips-cpu-mix.mipsel');

function measure(blockCompiler: boolean): { instructions: number; wallMs: number; cpuMs: number; output: string } {
  let best = { instructions: 0, wallMs: Infinity, cpuMs: Infinity, output: '' };
  for (let i = 0; i < 3; i++) {
    const { cpu, memory } = loadFreestanding(PROGRAM, blockCompiler);
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    const r = runFreestanding(cpu, memory, 1e11);
    const wallMs = performance.now() - t0;
    const cu = process.cpuUsage(c0);
    if (r.exitCode !== 0) throw new Error(`benchmark program did not exit cleanly: ${JSON.stringify(r.stop)}`);
    if (wallMs < best.wallMs) best = { instructions: cpu.instructionCount, wallMs, cpuMs: (cu.user + cu.system) / 1000, output: r.output.trim() };
  }
  return best;
}

/** The program run again on the same CPU: compiled code already warm (the JIT's own compile time excluded). */
function measureWarm(blockCompiler: boolean): { instructions: number; wallMs: number; cpuMs: number } {
  const entry = parseElf(new Uint8Array(readFileSync(PROGRAM)), PROGRAM).entry;
  const { cpu, memory } = loadFreestanding(PROGRAM, blockCompiler);
  let best = { instructions: 0, wallMs: Infinity, cpuMs: Infinity };
  for (let i = 0; i < 4; i++) {
    cpu.pc = entry;
    cpu.regs.fill(0);
    cpu.regs[29] = 0x7fff0000;
    const before = cpu.instructionCount;
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    runFreestanding(cpu, memory, 1e11);
    const wallMs = performance.now() - t0;
    const cu = process.cpuUsage(c0);
    if (i > 0 && wallMs < best.wallMs) best = { instructions: cpu.instructionCount - before, wallMs, cpuMs: (cu.user + cu.system) / 1000 };
  }
  return best;
}

function qemuWallMs(): { ms: number; output: string } | null {
  if (spawnSync('qemu-mipsel', ['-version']).status !== 0) return null;
  let best = Infinity;
  let output = '';
  for (let i = 0; i < 3; i++) {
    const t0 = performance.now();
    const r = spawnSync('qemu-mipsel', ['-cpu', '24Kc', PROGRAM], { encoding: 'latin1' });
    const ms = performance.now() - t0;
    if (r.status !== 0) return null;
    best = Math.min(best, ms);
    output = r.stdout.trim();
  }
  return { ms: best, output };
}

export async function run(): Promise<void> {
  const rate = (m: { instructions: number; wallMs: number }) => ((m.instructions / m.wallMs) * 1000) / 1e6;
  const interp = measure(false);
  console.log(
    `  interpreter:    ${interp.instructions} instructions in ${interp.wallMs.toFixed(0)} ms = ${rate(interp).toFixed(1)} M instr/s ` +
      `(process CPU ${interp.cpuMs.toFixed(0)} ms) -> ${interp.output}`,
  );
  const compiled = measure(true);
  console.log(
    `  block compiler: ${compiled.instructions} instructions in ${compiled.wallMs.toFixed(0)} ms = ${rate(compiled).toFixed(1)} M instr/s ` +
      `(process CPU ${compiled.cpuMs.toFixed(0)} ms) -> ${compiled.output}`,
  );
  const warm = measureWarm(true);
  console.log(
    `  block compiler, warm (4th run on one CPU): ${rate(warm).toFixed(1)} M instr/s wall, ` +
      `${((warm.instructions / warm.cpuMs) * 1000 / 1e6).toFixed(1)} M instr/s of process CPU time`,
  );
  const q = qemuWallMs();
  if (q === null) console.log('  qemu-mipsel: not installed, no ratio');
  else {
    console.log(`  qemu-mipsel -cpu 24Kc: ${q.ms.toFixed(0)} ms wall (process start included) -> ${q.output}`);
    if (q.output !== compiled.output || q.output !== interp.output) console.log('  OUTPUT DIFFERS FROM QEMU');
    console.log(`  wall-time ratio vs qemu: interpreter ${(interp.wallMs / q.ms).toFixed(1)}x, block compiler ${(compiled.wallMs / q.ms).toFixed(1)}x slower`);
  }
}
