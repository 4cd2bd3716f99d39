// MIPS CPU speed: simulated instructions per second of the interpreter and of the block compiler on
// a CPU-bound freestanding program (bench/programs/mips-cpu-mix.c), and the wall-time ratio against
// qemu-mipsel -cpu 24Kc on the same binary when it is installed.
//
// Each engine: one CPU loads the program; the first run (cold: the block compiler's code is made
// and the JavaScript engine compiles it) is reported on its own, then the program runs again on the
// same CPU (registers reset; the program re-initializes its data) and the best of the following runs
// is the engine's number. Every run's output must be the program's checksum.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { parseElf } from '../emulator/machine/elf';
import { loadFreestanding, runFreestanding } from '../test/mips/freestanding';

const PROGRAM = join(__dirname, 'programs', 'mips-cpu-mix.mipsel');
const STACK_TOP = 0x7fff0000;
/** Goals of issue 3, simulated host instructions per second. */
const GOAL_COMPILED = 1e9;
const GOAL_INTERPRETED = 100e6;

interface Run {
  instructions: number;
  wallMs: number;
  cpuMs: number;
  output: string;
}

function measure(blockCompiler: boolean, warmRuns: number): { cold: Run; best: Run; all: Run[] } {
  const entry = parseElf(new Uint8Array(readFileSync(PROGRAM)), PROGRAM).entry;
  const { cpu, memory } = loadFreestanding(PROGRAM, blockCompiler);
  const runs: Run[] = [];
  for (let i = 0; i <= warmRuns; i++) {
    cpu.pc = entry;
    cpu.inDelaySlot = false;
    cpu.regs.fill(0);
    cpu.regs[29] = STACK_TOP;
    cpu.hi = cpu.lo = 0;
    const before = cpu.instructionCount;
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    const r = runFreestanding(cpu, memory, 1e11);
    const wallMs = performance.now() - t0;
    const cu = process.cpuUsage(c0);
    if (r.exitCode !== 0) throw new Error(`benchmark program did not exit cleanly: ${JSON.stringify(r.stop)}`);
    runs.push({ instructions: cpu.instructionCount - before, wallMs, cpuMs: (cu.user + cu.system) / 1000, output: r.output.trim() });
  }
  const outputs = new Set(runs.map((r) => r.output));
  if (outputs.size !== 1) throw new Error(`benchmark runs disagree: ${[...outputs].join(', ')}`);
  const warm = runs.slice(1);
  const best = warm.reduce((b, r) => (r.wallMs < b.wallMs ? r : b), warm[0]);
  return { cold: runs[0], best, all: runs };
}

function qemuWallMs(): { ms: number; output: string } | null {
  if (spawnSync('qemu-mipsel', ['-version']).status !== 0) return null;
  let best = Infinity;
  let output = '';
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    const r = spawnSync('qemu-mipsel', ['-cpu', '24Kc', PROGRAM], { encoding: 'latin1' });
    const ms = performance.now() - t0;
    if (r.status !== 0) return null;
    best = Math.min(best, ms);
    output = r.stdout.trim();
  }
  return { ms: best, output };
}

const rate = (r: Run) => r.instructions / r.wallMs / 1e3; // M instructions per second
const cpuRate = (r: Run) => r.instructions / r.cpuMs / 1e3;

function report(name: string, m: { cold: Run; best: Run; all: Run[] }, goal: number): void {
  const { cold, best } = m;
  console.log(
    `  ${name}: ${best.instructions} instructions, best of ${m.all.length - 1} after warm-up ${best.wallMs.toFixed(0)} ms = ` +
      `${rate(best).toFixed(1)} M instr/s (${cpuRate(best).toFixed(1)} M/s of process CPU time) -> ${best.output}`,
  );
  console.log(`    cold first run ${cold.wallMs.toFixed(0)} ms = ${rate(cold).toFixed(1)} M instr/s; all runs (M/s): ${m.all.map((r) => rate(r).toFixed(0)).join(' ')}`);
  console.log(`    goal ${goal / 1e6} M instr/s: ${rate(best) * 1e6 >= goal ? 'met' : 'NOT met'}`);
}

export async function run(): Promise<void> {
  const interp = measure(false, 5);
  report('interpreter', interp, GOAL_INTERPRETED);
  const compiled = measure(true, 8);
  report('block compiler', compiled, GOAL_COMPILED);
  const q = qemuWallMs();
  if (q === null) console.log('  qemu-mipsel: not installed, no ratio');
  else {
    console.log(`  qemu-mipsel -cpu 24Kc: best of 5 ${q.ms.toFixed(0)} ms wall (process start included) -> ${q.output}`);
    if (q.output !== compiled.best.output || q.output !== interp.best.output) console.log('  OUTPUT DIFFERS FROM QEMU');
    const ratio = (r: Run) => (r.wallMs >= q.ms ? `${(r.wallMs / q.ms).toFixed(2)}x slower` : `${(q.ms / r.wallMs).toFixed(2)}x faster`);
    console.log(
      `  wall time vs qemu-mipsel: interpreter ${ratio(interp.best)} (cold ${ratio(interp.cold)}), ` +
        `block compiler ${ratio(compiled.best)} (cold ${ratio(compiled.cold)})`,
    );
  }
}
